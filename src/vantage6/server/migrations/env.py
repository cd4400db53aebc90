"""Alembic environment: runs on the connection handed in by vantage6.server.migrate."""

from alembic import context
from sqlalchemy import TypeDecorator, engine_from_config, pool

from vantage6.server.models import Base

config = context.config


def render_item(kind, obj, autogen_context):
    """Write our column types as the plain SQLAlchemy type they store, so that migrations
    never import application code."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:  # plain `alembic` use with sqlalchemy.url in the config
    engine = engine_from_config(
        config.get_section(config.config_ini_section), "sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        run_migrations(conn)
