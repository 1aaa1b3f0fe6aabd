"""The credit engine reads repayment history from the loan book as of any business date up to
the current one: what was known on a past date is answered later exactly as it was then."""

from __future__ import annotations

from datetime import timedelta

import pytest

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.credit.features import RepaymentFacts
from puhui.credit.repayment import LoanBook
from puhui.kernel.errors import InvalidCommand
from puhui.lending import views
from tests.loans import make_book


def test_repayment_facts_as_of_past_dates_are_what_was_known_then(
    platform: Platform, operator: Identity
) -> None:
    book = make_book(platform, operator)
    history = LoanBook(platform.engine)
    before_loan = book.today()
    assert history.facts("farmer", before_loan) == RepaymentFacts(0, 0, 0, 0)
    book.close_days(1)  # facts of a day hold what happened on it: the loan comes the day after
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
    overdue_day = book.today()
    while_overdue = history.facts("farmer", overdue_day)
    assert while_overdue == RepaymentFacts(1, loan.days_past_due, 1, loan.days_past_due)
    assert history.facts("bank", overdue_day) == RepaymentFacts(0, 0, 0, 0)

    book.close_days(1)  # and is paid the next day
    with book.conn() as conn:  # the farmer pays everything billed, late
        quote = views.settlement_quote(conn, "l1", book.today())
        billed = [r for r in views.instalments(conn, "l1") if r.status == "overdue"]
    owed = book.loan().penalty_unpaid + sum(
        r.principal - r.paid_principal + r.interest - r.paid_interest + r.fee - r.paid_fee
        for r in billed
    )
    assert 0 < owed < quote["total"]
    book.submit(
        book.farmer(), "lending.repay", {"loan_id": "l1", "repayment_id": "r1", "amount": owed}
    )
    book.close_days(3)
    assert book.loan().days_past_due == 0
    now = history.facts("farmer", book.today())
    # paid late: no longer past due, still one late instalment and the worst spell on record
    assert now.current_dpd_days_max == 0 and now.late_instalments_24m == 1
    assert now.worst_dpd_days_24m >= 1 and now.loans_count == 1
    # the past is answered as it was known on its day, and before the loan there was nothing
    assert history.facts("farmer", overdue_day) == while_overdue
    assert history.facts("farmer", before_loan) == RepaymentFacts(0, 0, 0, 0)
    with pytest.raises(InvalidCommand, match="known up to the business date"):
        history.facts("farmer", book.today() + timedelta(days=1))
