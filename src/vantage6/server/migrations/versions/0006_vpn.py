"""The VPN between algorithms (WireGuard): each node's public key and block of addresses, and
each run's address and the ports its algorithm takes VPN traffic at.

Plain ``ADD COLUMN`` and unique indexes rather than unique constraints, which SQLite adds only
by rebuilding the table: a rebuild would drop the node table's rights-epoch triggers (see 0003).
SQLite drops a column only once no index covers it, so the way down drops the indexes first.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NODE_COLUMNS = ("vpn_public_key", "vpn_prefix")


def upgrade() -> None:
    for column in NODE_COLUMNS:
        op.add_column("node", sa.Column(column, sa.String(), nullable=True))
        op.create_index(op.f(f"ix_node_{column}"), "node", [column], unique=True)
    op.add_column("run", sa.Column("vpn_address", sa.String(), nullable=True))
    op.create_index(op.f("ix_run_vpn_address"), "run", ["vpn_address"])
    op.add_column("run", sa.Column("vpn_ports", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("run", "vpn_ports")
    op.drop_index(op.f("ix_run_vpn_address"), table_name="run")
    op.drop_column("run", "vpn_address")
    for column in NODE_COLUMNS:
        op.drop_index(op.f(f"ix_node_{column}"), table_name="node")
        op.drop_column("node", column)
