"""Web chat feedback and unanswered questions, for the référents' page.

Revision ID: 0003_web_feedback
Revises: 0002_drafts
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_web_feedback"
down_revision = "0002_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``feedback`` and ``unanswered_question``, indexed by date for the purge."""
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index(op.f("ix_feedback_created_at"), "feedback", ["created_at"])
    op.create_table(
        "unanswered_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_question")),
    )
    op.create_index(
        op.f("ix_unanswered_question_created_at"), "unanswered_question", ["created_at"]
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index(op.f("ix_unanswered_question_created_at"), table_name="unanswered_question")
    op.drop_table("unanswered_question")
    op.drop_index(op.f("ix_feedback_created_at"), table_name="feedback")
    op.drop_table("feedback")
