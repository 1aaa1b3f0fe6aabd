"""The state digest: one SHA-256 over every projection row, in a fixed order.

Two stores that replayed the same log must print the same digest, whatever the backend: rows are
read in primary-key order with binary collation, values normalised to JSON (dates as ISO
strings, bytes as hex) and hashed as compact JSON lines (sorted keys, no whitespace), table by
table in name order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Float, String, Table, select
from sqlalchemy.sql.elements import ColumnElement

from puhui.kernel.errors import InvariantViolation
from puhui.kernel.store.engine import metadata
from puhui.kernel.store.prepared import Prepared

ROWS_PER_FETCH = 5000
_PREPARED: dict[Table, Prepared] = {}


def projection_tables() -> list[Table]:
    """The projection tables in name order; none may hold a float column (money is integers)."""
    tables = sorted(
        (t for t in metadata.tables.values() if t.info.get("projection")), key=lambda t: t.name
    )
    for table in tables:
        floats = [c.name for c in table.columns if isinstance(c.type, Float)]
        if floats:
            raise InvariantViolation(f"projection {table.name} has float columns {floats}")
    return tables


def _normalise(value: Any) -> Any:
    """JSON for the values the encoder does not know itself (it handles str, int, bool, None)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, Decimal):
        return str(value)
    raise InvariantViolation(f"projection value of type {type(value).__name__} cannot be digested")


_ROW_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_normalise)


def _order(conn: Connection, table: Table) -> list[ColumnElement[Any]]:
    columns: list[ColumnElement[Any]] = []
    for column in table.primary_key.columns:
        if isinstance(column.type, String) and conn.dialect.name == "postgresql":
            columns.append(column.collate("C"))
        else:
            columns.append(column)
    return columns


def _rows_sqlite(conn: Connection, table: Table) -> Iterator[Sequence[Any]]:
    """The table's rows on the DBAPI cursor (SQLite's cursor streams), converted like Core's."""
    prepared = _PREPARED.get(table)
    if prepared is None:
        prepared = _PREPARED[table] = Prepared(select(table).order_by(*table.primary_key.columns))
    yield from prepared.stream(conn, ROWS_PER_FETCH)


def _rows(conn: Connection, table: Table) -> Iterator[Sequence[Any]]:
    """The table's rows through Core, streamed (a server-side cursor on PostgreSQL)."""
    result = conn.execution_options(yield_per=ROWS_PER_FETCH).execute(
        select(table).order_by(*_order(conn, table))
    )
    yield from result


def state_digest(conn: Connection) -> str:
    digest = hashlib.sha256()
    rows = _rows_sqlite if conn.dialect.name == "sqlite" else _rows
    encode = _ROW_ENCODER.encode
    for table in projection_tables():
        digest.update(f"table {table.name}\n".encode())
        for row in rows(conn, table):
            digest.update(encode(tuple(row)).encode())
            digest.update(b"\n")
    return digest.hexdigest()
