"""The Alembic migrations build exactly the schema the code declares, on both stores."""

from __future__ import annotations

from datetime import date

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select

from puhui.bootstrap import Platform
from puhui.finance.agri.tables import agri_batches
from puhui.kernel.store import metadata
from puhui.kernel.store.migrate import alembic_config, current_revision, upgrade
from puhui.kernel.store.tables import clock


def test_migrated_schema_matches_the_tables(platform: Platform) -> None:
    assert current_revision(platform.engine) is not None
    with platform.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_batches_recorded_before_0010_get_the_business_date_of_the_upgrade(
    platform: Platform,
) -> None:
    """The latest day they were surely on the log: history may be seen late, never early."""
    engine = platform.engine
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0009_instalment_settled_on")
    today = date(2026, 11, 24)
    with engine.begin() as conn:
        conn.execute(
            insert(clock).values(
                id=1, business_date=today, started_on=date(2026, 1, 5), days_closed=323
            )
        )
        conn.execute(
            insert(agri_batches).values(
                batch_id="b1",
                farm_id="farm",
                species="broiler",
                placed_on=date(2025, 6, 1),
                days=42,
                animals_placed=8_000,
                animals_sold=7_700,
                feed_kg=36_800,
                weight_g_avg=2_790,
                completed=True,
                source="declared",
                recorded_seq=7,
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(select(agri_batches.c.recorded_on)).scalar_one() == today
