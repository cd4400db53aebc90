"""The rights epoch: one counter that triggers raise on every change of who may do what, so
that a server may keep identities in memory and still never act on a revoked right
(``models/rights_epoch.py``).

Triggers, not application code, because rights change through the API, the admin shell,
imports and plain SQL alike. On SQLite, rebuilding a table (``batch_alter_table``) drops its
triggers: a later migration that rebuilds one of the tables below must create them again
(``tests/functional/api/test_identity_cache.py`` fails otherwise).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ANY_CHANGE = ("INSERT", "UPDATE", "DELETE")
# table -> the changes that raise the epoch; ("UPDATE", columns) only when those columns change
WATCHED = {
    "role_rule": ANY_CHANGE,
    "user_role": ANY_CHANGE,
    "user_rule": ANY_CHANGE,
    "member": ANY_CHANGE,
    "role": ("UPDATE", "DELETE"),
    "rule": ("UPDATE", "DELETE"),
    "authenticatable": ("DELETE",),
    "user": (("UPDATE", ("password", "organization_id")), "DELETE"),
    "node": (("UPDATE", ("api_key", "organization_id", "collaboration_id")), "DELETE"),
    "organization": ("DELETE",),
    "collaboration": ("DELETE",),
}
BUMP = "UPDATE rights_epoch SET value = value + 1 WHERE id = 1"


def _events(table: str):
    """(trigger name, SQL event clause) per watched change of ``table``."""
    for change in WATCHED[table]:
        if isinstance(change, tuple):
            change, columns = change
            yield f"rights_epoch_{table}_{change.lower()}", f"{change} OF {', '.join(columns)}"
        else:
            yield f"rights_epoch_{table}_{change.lower()}", change


def upgrade() -> None:
    op.create_table(
        "rights_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_epoch")),
    )
    op.execute("INSERT INTO rights_epoch (id, value) VALUES (1, 0)")
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(
            "CREATE OR REPLACE FUNCTION raise_rights_epoch() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
    for table in WATCHED:
        for name, event in _events(table):
            if postgresql:
                op.execute(
                    f'CREATE TRIGGER {name} AFTER {event} ON "{table}" '
                    "FOR EACH STATEMENT EXECUTE FUNCTION raise_rights_epoch()"
                )
            else:
                op.execute(f'CREATE TRIGGER {name} AFTER {event} ON "{table}" BEGIN {BUMP}; END')


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in WATCHED:
        for name, _ in _events(table):
            on_table = f' ON "{table}"' if postgresql else ""
            op.execute(f"DROP TRIGGER {name}{on_table}")
    if postgresql:
        op.execute("DROP FUNCTION raise_rights_epoch()")
    op.drop_table("rights_epoch")
