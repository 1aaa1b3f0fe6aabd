"""Alembic environment: the metadata of every context, the URL from the caller or settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import puhui.bootstrap  # noqa: F401  (registers every context's tables on the metadata)
from puhui.kernel.store import make_engine, metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


run_migrations_online()
