"""Which driver errors become the typed ``StoreUnavailable`` (a user can act on them) and which
stay defects, on both stores through their real drivers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from puhui.kernel.errors import StoreUnavailable
from puhui.kernel.store.failures import as_store_error
from tests.conftest import engine_on


@pytest.fixture
def empty(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with engine_on(backend, tmp_path) as (engine, _):
        yield engine


def _error(engine: Engine, *statements: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as raised, engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return raised.value


def test_a_missing_table_or_column_asks_for_the_migration(empty: Engine) -> None:
    for statements in (
        ("SELECT seq FROM log",),
        ("CREATE TABLE log (seq INTEGER)", "SELECT digest FROM log"),
    ):
        error = as_store_error(_error(empty, *statements))
        assert isinstance(error, StoreUnavailable) and error.status == 503
        assert error.detail.endswith("run `puhui db upgrade`")


def test_constraint_and_syntax_errors_stay_defects(empty: Engine) -> None:
    with empty.begin() as conn:
        conn.execute(text("CREATE TABLE t (k INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    assert as_store_error(_error(empty, "INSERT INTO t VALUES (1)")) is None
    assert as_store_error(_error(empty, "SELEKT 1")) is None


def test_a_value_the_driver_refuses_stays_a_defect(empty: Engine, backend: str) -> None:
    """psycopg refuses U+0000 itself, so the error has no SQLSTATE, yet the server is fine;
    SQLite keeps the value. That disagreement is why platform text may not hold U+0000
    (``kernel.canonical``, ``api.request_guard``)."""
    statement = text("SELECT :v").bindparams(v="a\x00b")
    if backend == "sqlite":
        with empty.connect() as conn:
            assert conn.execute(statement).scalar() == "a\x00b"
        return
    with pytest.raises(DBAPIError) as raised, empty.connect() as conn:
        conn.execute(statement)
    assert getattr(raised.value.orig, "sqlstate", None) is None
    assert as_store_error(raised.value) is None
