"""Ids that both stores compare and order by code point.

Keyset scans (the close of day walks loans and flocks in chunks of ``id > last``) must see the
same order on SQLite and PostgreSQL, or replay would chunk differently. SQLite's default
``BINARY`` collation already orders by code point; on PostgreSQL such a column is declared
``COLLATE "C"`` so that its primary-key index serves ``ORDER BY id COLLATE "C"`` — under the
database's default collation the planner cannot use the index and every chunk scans and sorts
the whole table, which makes a close of day quadratic in the number of loans.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, String
from sqlalchemy.types import TypeEngine


def code_point_key(length: int = 64) -> TypeEngine[str]:
    """A string id column ordered by code point on both stores (see the module docstring)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def by_code_point(conn: Connection, column: Any) -> Any:
    """``column`` compared and ordered by code point (for ids not declared ``code_point_key``,
    this still gives the right order on PostgreSQL, only without the index)."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column
