"""Studies (the original's since 4.3): a named subset of a collaboration's organizations, and
the study a task targets (``task.study_id``, null for a task of the whole collaboration).

``study_member`` keeps the study's collaboration id so that two composite keys hold it to the
collaboration's membership: an organization leaving a collaboration leaves its studies there.

``task.study_id`` is added with ``ADD COLUMN ... REFERENCES``, which SQLite and PostgreSQL
both take, so no table is rebuilt on the way up (SQLite's reflection does not read the name
of such a column constraint: a later rebuild of ``task`` keeps the key, unnamed). SQLite
cannot drop a column that is in a foreign key, so the way down rebuilds ``task``: it has no
rights-epoch triggers to lose (see 0003's WATCHED); no watched table is rebuilt either way.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "study",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collaboration_id"],
            ["collaboration.id"],
            name=op.f("fk_study_collaboration_id_collaboration"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study")),
        sa.UniqueConstraint("name", name=op.f("uq_study_name")),
        sa.UniqueConstraint("id", "collaboration_id", name=op.f("uq_study_id_collaboration_id")),
    )
    op.create_table(
        "study_member",
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "collaboration_id"],
            ["member.organization_id", "member.collaboration_id"],
            name="fk_study_member_membership",
            ondelete="CASCADE",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_study_member_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["study_id", "collaboration_id"],
            ["study.id", "study.collaboration_id"],
            name="fk_study_member_study",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("study_id", "organization_id", name=op.f("pk_study_member")),
    )
    op.execute(
        "ALTER TABLE task ADD COLUMN study_id INTEGER "
        "CONSTRAINT fk_task_study_id_study REFERENCES study (id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:  # drops the column's foreign key with it
        batch.drop_column("study_id")
    op.drop_table("study_member")
    op.drop_table("study")
