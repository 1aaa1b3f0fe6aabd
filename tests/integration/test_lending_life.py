"""One loan's whole life through the kernel, on SQLite and PostgreSQL: two tranches to two
payees, an early partial repayment, a late instalment with penalty and late fee, a year of
closed days with the class moving, a restructure, a write-off and a recovery — the ledger
balanced and reconciled with the loans after every command and every day, and replay
reproducing the state (every balance and every loan figure) at the end."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from puhui.accounts import views as accounts
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.kernel.replay import replay_in_place
from puhui.lending import views
from tests.loans import Book, make_book

DAILY = Fraction(435, 10_000) / 365


def _categories(book: Book) -> list[tuple[str, str]]:
    return [(h["from"], h["to"]) for h in book.statement()["classification_history"]]


def _pay(book: Book, ident: Identity, repayment_id: str, amount: int) -> None:
    book.submit(
        ident,
        "lending.repay",
        {"loan_id": "l1", "repayment_id": repayment_id, "amount": amount},
    )
    book.check_books()


@pytest.mark.slow
def test_a_loan_from_application_to_recovery(platform: Platform, operator: Identity) -> None:
    book = make_book(platform, operator)
    start = book.today()
    approved = book.take_loan()
    assert approved.events[0].data["apr"] == "0.046634"
    assert book.loan().status == "contracted"
    book.check_books()

    # tranche 1 to the feed supplier; interest runs only on it for ten days
    book.submit(
        book.bank(),
        "lending.disburse",
        {"loan_id": "l1", "tranche_id": "t1", "amount": 600_000, "payee_id": "feed"},
    )
    with book.conn() as conn:
        assert accounts.get_account(conn, "feed:cash:cny").balance == 600_000
        (transfer,) = [
            t for t in accounts.transfers_by_reference(conn, "loan:l1") if t["payee"] == "feed"
        ]
        assert transfer["origin"] == "loan:l1"
    book.close_days(10, check=True)
    assert book.loan().interest_accrued == int(600_000 * DAILY * 10)

    # tranche 2 to the vet, ten days in
    book.submit(
        book.bank(),
        "lending.disburse",
        {"loan_id": "l1", "tranche_id": "t2", "amount": 400_000, "payee_id": "vet"},
    )
    book.check_books()
    book.close_days(8, check=True)
    exact = 600_000 * DAILY * 18 + 400_000 * DAILY * 8
    assert book.loan().interest_accrued == int(exact)

    # an early partial repayment: the accrued interest, then principal (the term shortens)
    last_before = book.statement()["schedule"][-1]["principal"]
    _pay(book, book.farmer(), "r1", 50_000)
    loan = book.loan()
    assert loan.interest_prepaid == int(exact)
    assert loan.principal_outstanding == 1_000_000 - (50_000 - int(exact))
    assert book.statement()["schedule"][-1]["principal"] < last_before

    # the first instalment (due 2 April) is billed at the close of 1 April and left unpaid
    first_due = date(2026, 4, 2)
    book.close_until(first_due, check=True)
    first = book.statement()["schedule"][0]
    assert first["status"] == "due" and first["paid_interest"] == int(exact)
    book.close_days(1, check=True)
    loan = book.loan()
    assert (loan.days_past_due, loan.category) == (1, "special_mention")
    first = book.statement()["schedule"][0]
    assert first["status"] == "overdue" and first["fee"] == 100 + 500  # late fee
    book.close_days(7, check=True)
    loan = book.loan()
    assert loan.penalty_unpaid == int(loan.principal_overdue * Fraction(653, 10_000) / 365 * 7)
    assert loan.penalty_unpaid > 0

    # the farmer catches up: penalty, fee, interest, principal of the late instalment
    owed = book.statement()["owed"]
    arrears = (
        owed["penalty"]
        + owed["fee"]
        + owed["principal_billed"]
        + (first["interest"] - first["paid_interest"])
    )
    _pay(book, book.farmer(), "r2", arrears)
    loan = book.loan()
    assert (loan.principal_overdue, loan.penalty_unpaid, loan.days_past_due) == (0, 0, 0)
    book.close_days(1, check=True)
    assert book.loan().category == "normal"

    # then nothing more is paid: special mention, then substandard after 90 days
    for _ in range(200):
        book.close_days(1, check=True)
        if book.loan().category == "substandard":
            break
    loan = book.loan()
    assert loan.category == "substandard" and loan.days_past_due == 91
    assert _categories(book) == [
        ("normal", "special_mention"),
        ("special_mention", "normal"),
        ("normal", "special_mention"),
        ("special_mention", "substandard"),
    ]

    # restructure: arrears capitalised, twelve new months; the class cannot be better than
    # special mention while restructured
    before = loan.principal_outstanding
    owed = book.statement()["owed"]
    book.submit(book.bank(), "lending.restructure", {"loan_id": "l1", "term_periods": 12})
    book.check_books()
    loan = book.loan()
    capitalised = owed["interest"] - (loan.interest_accrued - loan.interest_prepaid)
    assert loan.principal_outstanding == before + capitalised + owed["fee"] + owed["penalty"]
    assert (loan.principal_overdue, loan.days_past_due, loan.restructured) == (0, 0, True)
    book.close_days(1, check=True)
    assert book.loan().category == "special_mention"

    # a year after the start, unpaid since the restructure: substandard again
    book.close_until(start + timedelta(days=366), check=True)
    loan = book.loan()
    assert loan.category == "substandard" and loan.days_past_due > 90

    # write-off: every receivable of the loan goes to the expense account
    owed = book.statement()["owed"]
    book.submit(book.bank(), "lending.write_off", {"loan_id": "l1", "reason": "flock lost"})
    book.check_books()
    loan = book.loan()
    assert loan.status == "written_off" and loan.written_off == owed["total"]
    with book.conn() as conn:
        expense = accounts.get_account(conn, "bank:writeoff_expense:cny").balance
        assert expense == owed["total"]
    book.close_days(3, check=True)  # a written-off loan no longer accrues
    assert book.loan().interest_accrued == 0

    # recovery: money comes back later
    book.submit(
        book.farmer(),
        "lending.recover",
        {"loan_id": "l1", "recovery_id": "rec-1", "amount": 100_000},
    )
    book.check_books()
    with book.conn() as conn:
        assert accounts.get_account(conn, "bank:recovery_income:cny").balance == 100_000
        before = views.statement(conn, "l1")
    digest = book.digest()
    assert replay_in_place(platform.engine, platform.registry).state_digest == digest
    with book.conn() as conn:
        assert views.statement(conn, "l1") == before
