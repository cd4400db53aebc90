"""Security review: remember the last accepted TOTP time-step (no code is accepted twice) and
when a password was last reset by email (a second factor cannot be reset right after); email
addresses are unique within an organization, so that a refusal tells nothing about the
addresses of other organizations; and each task records the organization that started its job
(``job_init_org_id``), which node policies check for subtasks too.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("task", sa.Column("job_init_org_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE task SET job_init_org_id = COALESCE("
        "(SELECT top.init_org_id FROM task AS top"
        " WHERE top.job_id = task.job_id AND top.parent_id IS NULL), init_org_id)"
    )
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("otp_last_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("password_reset_at", sa.DateTime(), nullable=True))
        batch.drop_constraint("uq_user_email", type_="unique")
        batch.create_unique_constraint(
            "uq_user_organization_id_email", ["organization_id", "email"]
        )


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("job_init_org_id")
    with op.batch_alter_table("user") as batch:
        batch.drop_constraint("uq_user_organization_id_email", type_="unique")
        batch.create_unique_constraint("uq_user_email", ["email"])
        batch.drop_column("password_reset_at")
        batch.drop_column("otp_last_step")
