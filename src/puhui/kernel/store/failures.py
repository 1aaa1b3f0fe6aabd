"""Database failures a user can act on, as typed errors: the server cannot be reached or is
busy, or the database has no puhui schema (or an older one) because `puhui db upgrade` has not
run. Any other driver error stays what it is — a defect, reported as an internal error."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from puhui.kernel.errors import StoreUnavailable

MISSING_SCHEMA_SQLSTATES = frozenset({"42P01", "42703"})
"""PostgreSQL's undefined table and undefined column."""
UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57P")
"""PostgreSQL's connection exceptions, insufficient resources, and operator intervention
(shutdown, cannot connect now)."""
MISSING_SCHEMA_SQLITE = ("no such table", "no such column")
UNAVAILABLE_SQLITE = (
    "SQLITE_CANTOPEN",
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_IOERR",
    "SQLITE_READONLY",
    "SQLITE_FULL",
    "SQLITE_NOTADB",
)
"""SQLite's result codes for a file it cannot open, read or write, or that is busy."""


def as_store_error(exc: DBAPIError) -> StoreUnavailable | None:
    """The typed error for ``exc``, or None when it is not one a user can act on."""
    text = str(exc.orig).strip()
    reason = text.splitlines()[0] if text else type(exc.orig).__name__
    sqlite_error = getattr(exc.orig, "sqlite_errorname", None)
    if sqlite_error is not None:
        missing = reason.startswith(MISSING_SCHEMA_SQLITE)
        unavailable = str(sqlite_error).startswith(UNAVAILABLE_SQLITE)
    else:
        sqlstate = getattr(exc.orig, "sqlstate", None)
        missing = sqlstate in MISSING_SCHEMA_SQLSTATES
        if sqlstate is None:  # no answer from the server: a failed connection, or the driver
            # refusing a value itself (a DataError, such as U+0000 in text: a defect)
            unavailable = isinstance(exc, OperationalError | InterfaceError)
        else:
            unavailable = sqlstate.startswith(UNAVAILABLE_SQLSTATE_CLASSES)
    if missing:
        return StoreUnavailable(
            f"it has no puhui schema, or an older one ({reason}): run `puhui db upgrade`"
        )
    return StoreUnavailable(reason) if unavailable else None
