"""The credit engine reads repayment history from the loan book, as of the business date only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.credit.features import RepaymentFacts
from puhui.credit.repayment import LoanBook
from puhui.kernel.errors import InvalidCommand
from tests.loans import make_book


def test_an_overdue_instalment_shows_in_the_repayment_facts(
    platform: Platform, operator: Identity
) -> None:
    book = make_book(platform, operator)
    history = LoanBook(platform.engine)
    assert history.facts("farmer", book.today()) == RepaymentFacts(0, 0, 0, 0)
    book.take_loan(amount=600_000, payees=[{"party_id": "feed"}])
    book.submit(
        book.bank(),
        "lending.disburse",
        {"loan_id": "l1", "tranche_id": "t1", "amount": 600_000, "payee_id": "feed"},
    )
    assert history.facts("farmer", book.today()) == RepaymentFacts(1, 0, 0, 0)
    book.close_days(40)  # the first monthly instalment falls due and is not paid
    loan = book.loan()
    assert loan.days_past_due > 0
    facts = history.facts("farmer", book.today())
    assert facts == RepaymentFacts(1, loan.days_past_due, 1, loan.days_past_due)
    assert history.facts("bank", book.today()) == RepaymentFacts(0, 0, 0, 0)
    with pytest.raises(InvalidCommand, match="as of the business date"):
        history.facts("farmer", book.today() - timedelta(days=1))
