"""The Alembic migrations build exactly the schema the code declares, on both stores."""

from __future__ import annotations

from datetime import date, timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.finance.agri.tables import agri_batches
from puhui.finance.receivables.tables import receivable_holdings
from puhui.kernel.store import metadata
from puhui.kernel.store.migrate import alembic_config, current_revision, upgrade
from puhui.kernel.store.tables import clock
from tests.conftest import START
from tests.receivables_support import issue_payload, make_chain


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
    _downgrade(platform, "0009_instalment_settled_on")
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


def _downgrade(platform: Platform, revision: str) -> None:
    config = alembic_config(platform.engine.url.render_as_string(hide_password=False))
    with platform.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def test_holdings_before_0011_are_rebuilt_from_the_pieces(
    platform: Platform, operator: Identity
) -> None:
    """Without a change of holder, the rebuilt history is the one the appliers write."""
    chain = make_chain(platform, operator)
    chain.submit("core", "receivable.issue", issue_payload())
    chain.submit("maker", "receivable.accept", {"receivable_id": "rcv-1"})
    chain.close_days(START)
    chain.pass_to_cai()
    query = select(receivable_holdings).order_by(receivable_holdings.c.piece_id)
    with platform.engine.connect() as conn:
        written = conn.execute(query).all()
    assert [(r.piece_id, r.holder, r.held_until) for r in written] == [
        ("p-cai", "cai", None),
        ("p-maker", "maker", None),
        ("rcv-1", "maker", START + timedelta(days=1)),
    ]
    _downgrade(platform, "0010_agri_batch_recorded_on")
    upgrade(platform.engine)
    with platform.engine.connect() as conn:
        assert conn.execute(query).all() == written
