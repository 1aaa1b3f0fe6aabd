"""Prepared statements and the write-behind buffer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Connection, Table, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from puhui.bootstrap import Platform
from puhui.kernel.store import writebuffer
from puhui.kernel.store.engine import begin_write
from puhui.kernel.store.prepared import BUFFER_KEY, Prepared
from puhui.parties import views
from puhui.parties.tables import parties, party_keys, party_roles

DAY = date(2026, 3, 2)


def _party(party_id: str, uscc: str | None = None) -> dict[str, object]:
    return {
        "party_id": party_id,
        "name": party_id.title(),
        "kind": "person",
        "uscc": uscc,
        "region": None,
        "status": "active",
        "registered_seq": 1,
        "registered_on": DAY,
    }


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_prepared_statements_convert_types_like_core(platform: Platform) -> None:
    literal = Prepared(select(parties).where(parties.c.party_id == "x"))
    lookup = Prepared(
        select(parties.c.name, parties.c.registered_on).where(
            parties.c.party_id == bindparam("party_id")
        )
    )
    add = Prepared(insert(parties))
    with begin_write(platform.engine) as conn:
        add.execute_many(conn, [_party("alpha"), _party("beta")])
        assert add.execute(conn, _party("gamma")) == 1
        assert lookup.first(conn, {"party_id": "beta"}) == ("Beta", DAY)
        assert lookup.first(conn, {"party_id": "nobody"}) is None
        assert literal.first(conn, {}) is None
        core = conn.execute(select(parties.c.name, parties.c.registered_on)).all()
        assert sorted(tuple(r) for r in core) == [("Alpha", DAY), ("Beta", DAY), ("Gamma", DAY)]
        assert lookup.columns() == ("name", "registered_on")


def test_prepared_errors_are_sqlalchemy_errors(platform: Platform) -> None:
    add = Prepared(insert(parties))
    with pytest.raises(IntegrityError), begin_write(platform.engine) as conn:
        add.execute(conn, _party("alpha"))
        add.execute(conn, _party("alpha"))
    with platform.engine.connect() as conn:
        assert _count(conn, parties) == 0  # the transaction rolled back


def test_buffered_rows_are_read_through_and_written_at_the_barrier(platform: Platform) -> None:
    with begin_write(platform.engine) as conn, writebuffer.buffering(conn) as buffer:
        writebuffer.insert_row(conn, parties, _party("alpha", uscc="91350100M000100Y43"))
        writebuffer.insert_rows(conn, party_roles, [{"party_id": "alpha", "role": "farmer"}])
        assert len(buffer) == 2
        # read-through by unique columns, without writing
        assert writebuffer.find(conn, parties, "party_id", "alpha") is not None
        assert views.find_party(conn, "nobody") is None
        assert views.party_id_for_uscc(conn, "91350100M000100Y44") is None
        assert len(buffer) == 2
        # any Core statement is a barrier: the rows are written first
        assert _count(conn, parties) == 1
        assert not buffer
        writebuffer.insert_row(conn, parties, _party("beta", uscc="91350100M000100Y51"))
        # a view that finds its row in the buffer writes the buffer and reads the database
        assert views.party_id_for_uscc(conn, "91350100M000100Y51") == "beta"
        assert not buffer
        party = views.find_party(conn, "alpha")
        assert party is not None and party.roles == ("farmer",)
    with platform.engine.connect() as conn:
        assert _count(conn, party_roles) == 1
        assert BUFFER_KEY not in conn.info


def test_a_buffered_row_found_by_a_view_is_flushed_and_read_whole(platform: Platform) -> None:
    with begin_write(platform.engine) as conn, writebuffer.buffering(conn) as buffer:
        writebuffer.insert_row(conn, parties, _party("alpha"))
        row = {"key_id": "0123456789abcdef", "party_id": "alpha", "public_key": b"k" * 32}
        writebuffer.insert_row(conn, party_keys, row | {"added_seq": 1})
        key = views.find_key(conn, "0123456789abcdef")
        assert key is not None and key.public_key == b"k" * 32 and key.revoked_seq is None
        assert not buffer


def test_buffer_is_dropped_with_a_failed_transaction(platform: Platform) -> None:
    with (
        pytest.raises(RuntimeError),
        begin_write(platform.engine) as conn,
        writebuffer.buffering(conn),
    ):
        writebuffer.insert_row(conn, parties, _party("alpha"))
        raise RuntimeError("abandon")
    with platform.engine.connect() as conn:
        assert _count(conn, parties) == 0
        assert BUFFER_KEY not in conn.info


def test_conflicting_buffered_rows_fail_at_the_flush(platform: Platform) -> None:
    with (
        pytest.raises(IntegrityError),
        begin_write(platform.engine) as conn,
        writebuffer.buffering(conn),
    ):
        writebuffer.insert_row(conn, parties, _party("alpha"))
        writebuffer.insert_row(conn, party_roles, {"party_id": "ghost", "role": "farmer"})
    with platform.engine.connect() as conn:
        assert _count(conn, parties) == 0


def test_unknown_columns_and_non_unique_lookups_are_refused(platform: Platform) -> None:
    from puhui.kernel.errors import InvariantViolation

    with begin_write(platform.engine) as conn, writebuffer.buffering(conn):
        with pytest.raises(InvariantViolation):
            writebuffer.insert_row(conn, parties, {"party_id": "a", "colour": "red"})
        with pytest.raises(InvariantViolation):
            writebuffer.find(conn, party_roles, "role", "farmer")
        with pytest.raises(InvariantViolation), writebuffer.buffering(conn):
            pass
