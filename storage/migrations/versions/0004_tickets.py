"""Hand-off tickets to the référents and their replies.

Revision ID: 0004_tickets
Revises: 0003_web_feedback
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_tickets"
down_revision = "0003_web_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``ticket`` and ``ticket_reply`` (replies deleted with their ticket)."""
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("turns", sa.JSON(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("thread_event_id", sa.String(length=255), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket")),
    )
    op.create_index(op.f("ix_ticket_updated_at"), "ticket", ["updated_at"])
    op.create_index(op.f("ix_ticket_conversation_id"), "ticket", ["conversation_id"])
    op.create_index(op.f("ix_ticket_thread_event_id"), "ticket", ["thread_event_id"])
    op.create_table(
        "ticket_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("publication", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_ticket_reply_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_reply")),
        sa.UniqueConstraint("event_id", name=op.f("uq_ticket_reply_event_id")),
    )
    op.create_index(op.f("ix_ticket_reply_ticket_id"), "ticket_reply", ["ticket_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index(op.f("ix_ticket_reply_ticket_id"), table_name="ticket_reply")
    op.drop_table("ticket_reply")
    op.drop_index(op.f("ix_ticket_thread_event_id"), table_name="ticket")
    op.drop_index(op.f("ix_ticket_conversation_id"), table_name="ticket")
    op.drop_index(op.f("ix_ticket_updated_at"), table_name="ticket")
    op.drop_table("ticket")
