"""The loan book over time (``lending.history``) on the demo, on both stores: the last day
equals today's portfolio by class, every reclassification of the window is there, the series
follows each loan's own statement day by day, and a lender reads only its own book."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from puhui.api.app import create_app
from puhui.bootstrap import Platform
from puhui.demo import load_demo
from puhui.kernel import clock
from puhui.lending import history, views


def _book_on(statements: list[dict], day: str) -> dict[str, int]:
    """Principal by class at the end of ``day``, from each loan's own statement."""
    out: dict[str, int] = defaultdict(int)
    for s in statements:
        principal = 0
        for x in s["transactions"]:
            if x["business_date"] <= day:
                sign = {"disbursement": 1, "repayment": -1, "write_off": -1}.get(x["kind"], 0)
                principal += x["amount"] if x["kind"] == "restructure" else sign * x["principal"]
        moves = [h for h in s["classification_history"] if h["business_date"] <= day]
        if principal > 0:
            out[moves[-1]["to"] if moves else "normal"] += principal
    return dict(out)


def test_history_follows_the_record(platform: Platform, tmp_path: Path) -> None:
    demo = load_demo(platform, tmp_path / "demo")
    with platform.engine.connect() as conn:
        today = clock.business_date(conn)
        assert today is not None
        for lender in ("coop-bank", "coop-minhou", None):
            h = history.portfolio_history(conn, today, lender, days=history.HISTORY_DAYS_MAX)
            last = [p for p in h["series"] if p["business_date"] == today.isoformat()]
            now = {
                (r["currency"], r["category"]): r["principal_outstanding"]
                for r in views.portfolio(conn, lender)
            }
            for point in last:
                for category, cell in point["categories"].items():
                    assert cell["principal_outstanding"] == now.get(
                        (point["currency"], category), 0
                    )
            loans = [
                loan
                for loan in views.list_loans(conn, limit=1000)
                if lender in (None, loan["lender_id"])
            ]
            statements = [views.statement(conn, loan["loan_id"]) for loan in loans]
            for point in h["series"]:
                drawn = {
                    c: v["principal_outstanding"]
                    for c, v in point["categories"].items()
                    if v["principal_outstanding"]
                }
                assert drawn == _book_on(statements, point["business_date"]), point["business_date"]
            moves = sorted(
                (m["seq"], s["loan"]["loan_id"], m["to"])
                for s in statements
                for m in s["classification_history"]
                if m["business_date"] >= h["from"]
            )
            assert (
                sorted((m["seq"], m["loan_id"], m["to"]) for m in h["reclassifications"]) == moves
            )
        everything = history.portfolio_history(conn, today, None, days=history.HISTORY_DAYS_MAX)
    assert any(m["to"] == "special_mention" for m in everything["reclassifications"])
    assert date.fromisoformat(everything["from"]) < today

    with TestClient(create_app(platform)) as api:
        bank = {"authorization": f"Bearer {demo['tokens']['coop-bank']}"}
        mine = api.get(
            "/api/v1/lending/portfolio/history?lender_id=coop-minhou&days=30", headers=bank
        )
        assert mine.status_code == 200 and mine.json()["lender_id"] == "coop-bank"
        assert len({p["business_date"] for p in mine.json()["series"]}) <= 30
        too_long = api.get("/api/v1/lending/portfolio/history?days=400", headers=bank)
        assert too_long.status_code == 422
