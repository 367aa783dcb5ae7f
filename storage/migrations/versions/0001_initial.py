"""Root revision: an empty schema that every feature's tables build on.

Revision ID: 0001_initial
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to create: the root only anchors the revision graph."""


def downgrade() -> None:
    """Nothing to drop."""
