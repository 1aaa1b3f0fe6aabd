"""Ids the close of day walks in keyset order are ordered by code point, and on PostgreSQL an
index serves that order (no table scan and sort per chunk, which made a close quadratic)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Column, select, text

from puhui.bootstrap import Platform
from puhui.finance.agri.tables import agri_flocks, agri_readings
from puhui.kernel.store.keys import by_code_point
from puhui.lending.tables import loan_classifications, loan_instalments, loan_transactions, loans

KEYSET_COLUMNS = [
    loans.c.loan_id,
    loan_instalments.c.loan_id,
    loan_transactions.c.loan_id,
    loan_classifications.c.loan_id,
    agri_flocks.c.flock_id,
    agri_readings.c.flock_id,
]


@pytest.mark.parametrize("column", KEYSET_COLUMNS, ids=lambda c: f"{c.table.name}.{c.name}")
def test_a_keyset_chunk_needs_no_sort(platform: Platform, column: Column[str]) -> None:
    with platform.engine.begin() as conn:
        key = by_code_point(conn, column)
        chunk = select(column).where(key > "loan-1").order_by(key).limit(5000)
        sql = str(chunk.compile(conn, compile_kwargs={"literal_binds": True}))
        if conn.dialect.name == "postgresql":
            # Sorting costs "disabled": the plan sorts only if no index gives the order.
            conn.execute(text("SET LOCAL enable_sort = off"))
            plan = "\n".join(conn.execute(text(f"EXPLAIN {sql}")).scalars())
        else:
            rows = conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
            plan = "\n".join(str(row[-1]) for row in rows)
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan


def test_keys_sort_by_code_point(platform: Platform) -> None:
    ids = ["loan-a", "Loan-b", "loan-B", "loan-é", "loan-_", "loan-10", "loan-9"]
    with platform.engine.begin() as conn:
        conn.execute(
            loan_classifications.insert(),
            [
                {
                    "loan_id": i,
                    "seq": 1,
                    "business_date": date(2026, 3, 2),
                    "category": "normal",
                    "previous": "normal",
                    "days_past_due": 0,
                }
                for i in ids
            ],
        )
        key = by_code_point(conn, loan_classifications.c.loan_id)
        ordered = list(conn.execute(select(loan_classifications.c.loan_id).order_by(key)).scalars())
    assert ordered == sorted(ids)
