"""Write-behind buffering of projection inserts, for replay.

Replay writes a few rows per entry; one driver call per row dominates its cost. While a
``WriteBuffer`` is open on a connection, appliers that insert through ``insert`` queue the rows
instead, and the buffer writes them with one ``executemany`` per table when it is flushed.

Every read sees the buffered rows, by one of two rules:

* **barrier**: any statement run through ``Connection.execute`` (a listener on every engine's
  ``before_execute``) and any ``Prepared`` read flushes the buffer first;
* **read-through**: a lookup by a primary-key or unique column (``find``) looks in the buffer
  first; if no buffered row has that value, the answer in the database is the whole answer,
  so the hot handlers' existence checks run without flushing.

Only plain inserts are buffered; updates and deletes go through ``Connection.execute`` and so
flush first. Tables are flushed parents before children (foreign keys), rows in insert order.
A constraint violation surfaces at the flush as SQLAlchemy's ``IntegrityError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, insert

from puhui.kernel.errors import InvariantViolation
from puhui.kernel.store.engine import metadata
from puhui.kernel.store.prepared import BUFFER_KEY, Prepared, flush_pending

BUFFERED_ROWS_MAX = 50_000
"""A flush is forced at this many pending rows, so memory stays bounded whatever the chunk."""


@dataclass(frozen=True)
class _Target:
    insert: Prepared
    columns: frozenset[str]
    unique: tuple[str, ...]
    """Columns that identify one row alone: a one-column primary key and ``unique`` columns."""

    def full(self, table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
        """``row`` with every column (None for those it leaves out)."""
        if len(row) == len(self.columns) and row.keys() == self.columns:
            return dict(row)
        if not row.keys() <= self.columns:
            raise InvariantViolation(f"row for {table.name} has unknown columns {sorted(row)}")
        return {name: row.get(name) for name in self.columns}


_TARGETS: dict[Table, _Target] = {}


def _target(table: Table) -> _Target:
    found = _TARGETS.get(table)
    if found is None:
        for column in table.columns:
            if column.default is not None or column.server_default is not None:
                raise InvariantViolation(f"{table.name}.{column.name} has a default: not buffered")
        key = [c.name for c in table.primary_key.columns]
        unique = (key if len(key) == 1 else []) + [c.name for c in table.columns if c.unique]
        columns = frozenset(c.name for c in table.columns)
        found = _TARGETS[table] = _Target(Prepared(insert(table)), columns, tuple(unique))
    return found


class WriteBuffer:
    """Pending inserts by table, with an index per unique column for read-through lookups."""

    def __init__(self) -> None:
        self._rows: dict[Table, list[dict[str, Any]]] = {}
        self._index: dict[tuple[Table, str], dict[Any, dict[str, Any]]] = {}
        self._count = 0

    def __bool__(self) -> bool:
        return self._count > 0

    def __len__(self) -> int:
        return self._count

    def add(self, conn: Connection, table: Table, row: Mapping[str, Any]) -> None:
        target = _target(table)
        full = target.full(table, row)
        self._rows.setdefault(table, []).append(full)
        for column in target.unique:
            value = full[column]
            if value is not None:
                self._index.setdefault((table, column), {}).setdefault(value, full)
        self._count += 1
        if self._count >= BUFFERED_ROWS_MAX:
            self.flush(conn)

    def find(self, table: Table, column: str, value: Any) -> dict[str, Any] | None:
        """The buffered row whose unique ``column`` equals ``value``, if any."""
        if column not in _target(table).unique:
            raise InvariantViolation(f"{table.name}.{column} is not a unique column")
        return self._index.get((table, column), {}).get(value)

    def flush(self, conn: Connection) -> None:
        if not self._count:
            return
        rows, self._rows, self._index, self._count = self._rows, {}, {}, 0
        for table in metadata.sorted_tables:  # parents before children
            pending = rows.get(table)
            if pending:
                _TARGETS[table].insert.execute_many(conn, pending)


def active(conn: Connection) -> WriteBuffer | None:
    buffer: WriteBuffer | None = conn.info.get(BUFFER_KEY)
    return buffer


def flush(conn: Connection) -> None:
    """Write what ``conn`` has buffered, if anything."""
    flush_pending(conn)


def insert_row(conn: Connection, table: Table, row: Mapping[str, Any]) -> None:
    """Insert ``row`` into ``table`` now, or queue it if the connection is buffering."""
    buffer = conn.info.get(BUFFER_KEY)
    if buffer is not None:
        buffer.add(conn, table, row)
    else:
        target = _target(table)
        target.insert.execute(conn, target.full(table, row))


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    buffer = conn.info.get(BUFFER_KEY)
    if buffer is not None:
        for row in rows:
            buffer.add(conn, table, row)
    elif rows:
        target = _target(table)
        target.insert.execute_many(conn, [target.full(table, r) for r in rows])


def find(conn: Connection, table: Table, column: str, value: Any) -> dict[str, Any] | None:
    """The buffered row with unique ``column`` = ``value``; None if none (or not buffering)."""
    buffer = conn.info.get(BUFFER_KEY)
    return None if buffer is None else buffer.find(table, column, value)


@contextmanager
def buffering(conn: Connection) -> Iterator[WriteBuffer]:
    """Buffer ``insert_row`` on ``conn`` until the block ends (flushing what is pending)."""
    if conn.info.get(BUFFER_KEY) is not None:
        raise InvariantViolation("the connection is already buffering")
    buffer = conn.info[BUFFER_KEY] = WriteBuffer()
    try:
        yield buffer
        buffer.flush(conn)
    finally:
        conn.info.pop(BUFFER_KEY, None)


@event.listens_for(Engine, "before_execute")
def _barrier(conn: Connection, *_args: Any) -> None:
    buffer = conn.info.get(BUFFER_KEY)
    if buffer is not None and buffer:
        buffer.flush(conn)
