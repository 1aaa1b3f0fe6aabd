"""Helpers for lending tests: a lender, a borrower and payees with money, a product, a loan
taken through apply → approve → both signatures, closing days, and the balance checks."""

from __future__ import annotations

from datetime import date
from typing import Any

from puhui.accounts import reports
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.kernel.service import Receipt
from puhui.lending import views
from tests.ledger import Ledger, make_ledger

ROLES = {"bank": "bank", "farmer": "farmer", "feed": "supplier", "vet": "supplier"}
PRODUCT: dict[str, Any] = {
    "product_id": "farm-12m",
    "name": "Broiler production loan",
    "term_periods_min": 3,
    "term_periods_max": 12,
    "amount_min": 10_000,
    "amount_max": 100_000_000,
    "annual_rate_max": "0.2",
    "rate_cap": "0.24",
    "penalty_rate": "0.0653",
    "fee_per_instalment": 100,
    "late_fee": 500,
}


class Book(Ledger):
    def bank(self) -> Identity:
        return self.parties["bank"]

    def farmer(self) -> Identity:
        return self.parties["farmer"]

    def close_days(self, count: int, check: bool = False) -> None:
        for _ in range(count):
            today = self.today()
            self.submit(self.operator, "clock.close_day", {"date": today.isoformat()})
            if check:
                self.check_books()

    def close_until(self, day: date, check: bool = False) -> None:
        self.close_days((day - self.today()).days, check)

    def loan(self, loan_id: str = "l1") -> Any:
        with self.conn() as conn:
            return views.get_loan(conn, loan_id)

    def statement(self, loan_id: str = "l1") -> dict[str, Any]:
        with self.conn() as conn:
            return views.statement(conn, loan_id)

    def check_books(self, lender: str = "bank") -> None:
        """The ledger balances to zero and the loans reconcile with the lender's loan book."""
        with self.conn() as conn:
            for trial in reports.trial_balance(conn):
                assert trial.balanced, trial.to_json()
            rec = views.reconcile(conn, lender, "CNY")
        for part in ("principal", "interest", "fee", "penalty"):
            assert rec[f"{part}_loans"] == rec[f"{part}_ledger"], rec

    def take_loan(
        self,
        loan_id: str = "l1",
        amount: int = 1_000_000,
        term: int = 12,
        rate: str = "0.0435",
        payees: list[dict[str, Any]] | None = None,
        product_id: str = "farm-12m",
    ) -> Receipt:
        payees = payees or [{"party_id": "feed", "amount_max": 800_000}, {"party_id": "vet"}]
        self.submit(
            self.farmer(),
            "lending.apply",
            {
                "loan_id": loan_id,
                "product_id": product_id,
                "amount": amount,
                "term_periods": term,
                "payees": payees,
                "purpose": "feed and vaccines for 20,000 broilers",
            },
        )
        approved = self.submit(
            self.bank(),
            "lending.approve",
            {"loan_id": loan_id, "annual_rate": rate, "credit_decision_id": "dec-1"},
        )
        digest = approved.events[0].data["contract_digest"]
        for who in (self.farmer(), self.bank()):
            self.submit(
                who, "lending.sign_contract", {"loan_id": loan_id, "contract_digest": digest}
            )
        return approved


def make_book(
    platform: Platform, operator: Identity, product: dict[str, Any] | None = None
) -> Book:
    base = make_ledger(platform, operator, ROLES)
    book = Book(base.platform, base.operator, base.parties)
    book.deposit("bank", 100_000_000, "bank-1")
    book.deposit("farmer", 2_000_000, "farmer-1")
    book.submit(book.bank(), "lending.define_product", product or PRODUCT)
    return book
