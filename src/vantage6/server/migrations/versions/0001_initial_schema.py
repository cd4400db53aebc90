"""Initial schema: organizations, collaborations, users, nodes, roles, rules, tasks, runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-24 05:58:59.936821
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authenticatable",
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("ip", sa.String(), nullable=True),
        sa.Column("last_seen", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authenticatable")),
    )
    op.create_table(
        "collaboration",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collaboration")),
        sa.UniqueConstraint("name", name=op.f("uq_collaboration_name")),
    )
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "organization",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("domain", sa.String(), nullable=True),
        sa.Column("address1", sa.String(), nullable=True),
        sa.Column("address2", sa.String(), nullable=True),
        sa.Column("zipcode", sa.String(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("public_key", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint("name", name=op.f("uq_organization_name")),
    )
    op.create_table(
        "rule",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column(
            "operation",
            sa.Enum(
                "VIEW",
                "EDIT",
                "CREATE",
                "DELETE",
                "SEND",
                "RECEIVE",
                name="operation",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "scope",
            sa.Enum(
                "OWN",
                "ORGANIZATION",
                "COLLABORATION",
                "GLOBAL",
                name="scope",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule")),
        sa.UniqueConstraint(
            "name", "scope", "operation", name=op.f("uq_rule_name_scope_operation")
        ),
    )
    op.create_table(
        "member",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collaboration_id"],
            ["collaboration.id"],
            name=op.f("fk_member_collaboration_id_collaboration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_member_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "collaboration_id", name=op.f("pk_member")),
    )
    op.create_table(
        "role",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("is_default_role", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_role_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint("name", "organization_id", name=op.f("uq_role_name_organization_id")),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("password", sa.String(), nullable=True),
        sa.Column("firstname", sa.String(), nullable=True),
        sa.Column("lastname", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("failed_login_attempts", sa.Integer(), nullable=False),
        sa.Column("last_login_attempt", sa.DateTime(), nullable=True),
        sa.Column("otp_secret", sa.String(), nullable=True),
        sa.Column("last_email_failed_login_sent", sa.DateTime(), nullable=True),
        sa.Column("last_email_recover_password_sent", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"],
            ["authenticatable.id"],
            name=op.f("fk_user_id_authenticatable"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_user_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
    )
    op.create_table(
        "node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("api_key", sa.String(), nullable=False),
        sa.Column("api_key_id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collaboration_id"],
            ["collaboration.id"],
            name=op.f("fk_node_collaboration_id_collaboration"),
        ),
        sa.ForeignKeyConstraint(
            ["id"],
            ["authenticatable.id"],
            name=op.f("fk_node_id_authenticatable"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "collaboration_id"],
            ["member.organization_id", "member.collaboration_id"],
            name="fk_node_membership",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_node_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_node")),
        sa.UniqueConstraint("api_key_id", name=op.f("uq_node_api_key_id")),
        sa.UniqueConstraint("name", name=op.f("uq_node_name")),
        sa.UniqueConstraint(
            "organization_id",
            "collaboration_id",
            name=op.f("uq_node_organization_id_collaboration_id"),
        ),
    )
    op.create_table(
        "role_rule",
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_role_rule_role_id_role"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["rule.id"], name=op.f("fk_role_rule_rule_id_rule"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("role_id", "rule_id", name=op.f("pk_role_rule")),
    )
    op.create_table(
        "task",
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("image", sa.String(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("init_org_id", sa.Integer(), nullable=False),
        sa.Column("init_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collaboration_id"],
            ["collaboration.id"],
            name=op.f("fk_task_collaboration_id_collaboration"),
        ),
        sa.ForeignKeyConstraint(
            ["init_org_id"], ["organization.id"], name=op.f("fk_task_init_org_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["init_user_id"], ["user.id"], name=op.f("fk_task_init_user_id_user")
        ),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], name=op.f("fk_task_job_id_job")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["task.id"], name=op.f("fk_task_parent_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_job_id"), ["job_id"], unique=False)

    op.create_table(
        "user_role",
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_user_role_role_id_role"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_role_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("role_id", "user_id", name=op.f("pk_user_role")),
    )
    op.create_table(
        "user_rule",
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["rule.id"], name=op.f("fk_user_rule_rule_id_rule"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_rule_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("rule_id", "user_id", name=op.f("pk_user_rule")),
    )
    op.create_table(
        "run",
        sa.Column("input", sa.Text(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("log", sa.Text(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("cleanup_at", sa.DateTime(), nullable=True),
        sa.Column("blob_storage_used", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_run_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_run_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run")),
    )
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_run_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_run_task_id"), ["task_id"], unique=False)

    op.create_table(
        "task_database",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("database", sa.String(), nullable=False),
        sa.Column("parameters", sa.String(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_database_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_database")),
    )


def downgrade() -> None:
    op.drop_table("task_database")
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_task_id"))
        batch_op.drop_index(batch_op.f("ix_run_organization_id"))

    op.drop_table("run")
    op.drop_table("user_rule")
    op.drop_table("user_role")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_job_id"))

    op.drop_table("task")
    op.drop_table("role_rule")
    op.drop_table("node")
    op.drop_table("user")
    op.drop_table("role")
    op.drop_table("member")
    op.drop_table("rule")
    op.drop_table("organization")
    op.drop_table("job")
    op.drop_table("collaboration")
    op.drop_table("authenticatable")
