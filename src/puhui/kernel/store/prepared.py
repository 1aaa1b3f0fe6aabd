"""Core statements compiled once per dialect and run on the connection's DBAPI cursor.

SQLAlchemy Core costs ~8-10 µs per ``Connection.execute`` before the driver sees the statement
(cache lookup, parameter construction, result set-up, events); the driver itself takes ~1-2 µs
for a primary-key read on SQLite. The replay hot path runs several statements per entry, so the
hottest ones are ``Prepared``: the tables and statements stay SQLAlchemy (one schema, both
dialects), the compiled SQL, parameter order and type processors are kept per dialect, and each
call goes straight to the cursor of the connection's current transaction.

What ``Prepared`` skips, deliberately: ``before_execute`` / ``before_cursor_execute`` events
(a reader of a table the write buffer holds must call ``writebuffer.barrier`` itself — the
``fetch`` methods do), statement logging, and SQLAlchemy's result objects (rows are tuples in
the statement's column order). Driver errors are wrapped as SQLAlchemy's (``IntegrityError`` …)
so callers catch one family of exceptions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from puhui.kernel.errors import InvariantViolation

Processor = Callable[[Any], Any]
BUFFER_KEY = "puhui.write_buffer"
"""Where ``writebuffer`` keeps a connection's pending inserts (in ``Connection.info``)."""


@dataclass(frozen=True)
class Compiled:
    """One statement as one dialect runs it."""

    sql: str
    names: tuple[str, ...]
    """Bind parameter names, in positional order for positional paramstyles."""
    positional: bool
    binds: tuple[tuple[str, Processor], ...]
    """(name, bind processor) for the parameters whose type converts Python values."""
    results: tuple[tuple[int, Processor], ...]
    """(column index, result processor) for the columns whose type converts driver values."""
    fixed: Mapping[str, Any]
    """Values bound in the statement itself (``column == 5``): used unless given."""
    plan: tuple[tuple[str, Processor | None], ...]
    """For positional paramstyles: each parameter's name and bind processor, in order."""

    def parameters(self, values: Mapping[str, Any]) -> Any:
        if self.fixed:
            values = {**self.fixed, **values}
        if self.positional:
            return tuple([values[n] if p is None else p(values[n]) for n, p in self.plan])
        if self.binds:
            converted = dict(values)
            for name, process in self.binds:
                converted[name] = process(converted[name])
            values = converted
        return values

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        if not self.results:
            return tuple(raw)
        row = list(raw)
        for index, process in self.results:
            row[index] = process(row[index])
        return tuple(row)


def compile_for(statement: Executable, dialect: Dialect) -> Compiled:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    positional = bool(compiled.positional)
    names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.binds)
    processors = compiled._bind_processors
    binds = tuple((name, processors[name]) for name in dict.fromkeys(names) if name in processors)
    results: list[tuple[int, Processor]] = []
    for index, column in enumerate(getattr(statement, "selected_columns", ())):
        process = column.type._cached_result_processor(dialect, None)
        if process is not None:
            results.append((index, process))
    fixed = {
        name: bind.effective_value
        for name, bind in compiled.binds.items()
        if name in names and (bind.value is not None or bind.callable is not None)
    }
    plan = tuple((name, processors.get(name)) for name in names) if positional else ()
    return Compiled(compiled.string, names, positional, binds, tuple(results), fixed, plan)


def flush_pending(conn: Connection) -> None:
    """Write the connection's buffered inserts, if it has any (see ``writebuffer``)."""
    buffer = conn.info.get(BUFFER_KEY)
    if buffer is not None and buffer:
        buffer.flush(conn)


class Prepared:
    """A Core statement run on the DBAPI cursor; compiled once per dialect name."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, Compiled] = {}

    def compiled(self, conn: Connection) -> Compiled:
        dialect = conn.dialect
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = compile_for(self.statement, dialect)
        return found

    def _cursor(self, conn: Connection) -> Any:
        if not conn.in_transaction():
            conn.begin()  # what the first Connection.execute would do (autobegin)
        return conn.connection.cursor()

    def _run(self, conn: Connection, many: bool, params: Any) -> Any:
        compiled = self.compiled(conn)
        cursor = self._cursor(conn)
        try:
            if many:
                cursor.executemany(compiled.sql, [compiled.parameters(p) for p in params])
            else:
                cursor.execute(compiled.sql, compiled.parameters(params))
        except conn.dialect.loaded_dbapi.Error as exc:
            cursor.close()
            raise DBAPIError.instance(
                compiled.sql, params, exc, conn.dialect.loaded_dbapi.Error
            ) from exc
        return cursor

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run a write; return the driver's row count."""
        cursor = self._run(conn, False, params)
        count: int = cursor.rowcount
        cursor.close()
        return count

    def execute_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run a write once per row, in one driver call."""
        if rows:
            self._run(conn, True, rows).close()

    def first(
        self, conn: Connection, params: Mapping[str, Any], *, buffered_checked: bool = False
    ) -> tuple[Any, ...] | None:
        """The first row of a read (None if there is none), processed like SQLAlchemy's.

        Pending buffered inserts are written first, unless the caller says it has looked in the
        write buffer already (a lookup by a unique column the buffer does not hold).
        """
        if not buffered_checked:
            flush_pending(conn)
        cursor = self._run(conn, False, params)
        raw = cursor.fetchone()
        cursor.close()
        return None if raw is None else self.compiled(conn).row(raw)

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        flush_pending(conn)
        cursor = self._run(conn, False, params)
        rows = cursor.fetchall()
        cursor.close()
        compiled = self.compiled(conn)
        return [compiled.row(r) for r in rows]

    def stream(self, conn: Connection, rows_per_fetch: int) -> Iterator[tuple[Any, ...]]:
        """Every row of a read, fetched ``rows_per_fetch`` at a time.

        Memory stays flat only where the driver's cursor streams (SQLite); psycopg's client
        cursor holds the whole result, so use Core's ``yield_per`` on PostgreSQL.
        """
        flush_pending(conn)
        cursor = self._run(conn, False, {})
        compiled = self.compiled(conn)
        try:
            while batch := cursor.fetchmany(rows_per_fetch):
                for raw in batch:
                    yield compiled.row(raw)
        finally:
            cursor.close()

    def columns(self) -> tuple[str, ...]:
        """The names of the selected columns, in row order."""
        selected = getattr(self.statement, "selected_columns", None)
        if selected is None:
            raise InvariantViolation("only a SELECT has columns")
        return tuple(c.key for c in selected)
