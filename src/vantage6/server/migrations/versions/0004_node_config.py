"""What an online node shares of its configuration (the original 4.x node's
``node_info_update``): a JSON list of ``{"key", "value"}`` on the node.

A plain ``ADD``/``DROP COLUMN``, never a table rebuild: a rebuild would drop the node table's
rights-epoch triggers on SQLite (see 0003).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 15:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("node", sa.Column("config", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("node", "config")
