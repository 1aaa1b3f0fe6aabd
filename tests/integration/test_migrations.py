"""The Alembic migrations build exactly the schema the code declares, on both stores."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from puhui.bootstrap import Platform
from puhui.kernel.store import metadata
from puhui.kernel.store.migrate import current_revision


def test_migrated_schema_matches_the_tables(platform: Platform) -> None:
    assert current_revision(platform.engine) is not None
    with platform.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []
