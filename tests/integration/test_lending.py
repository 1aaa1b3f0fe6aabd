"""Lending through the kernel on SQLite and PostgreSQL: clear typed errors that change nothing,
closing a loan by its settlement quote, credit lines, holiday calendars on the record and the
close of day's idempotency."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest

from puhui.bootstrap import Platform, build_registry
from puhui.client import Identity
from puhui.kernel.errors import Conflict, PermissionDenied, PuhuiError
from puhui.kernel.export import export
from puhui.kernel.service import utc_now
from puhui.kernel.verify import verify_export
from puhui.lending import errors as e
from puhui.lending import views
from puhui.lending.calendar import chinese_calendar as cn_calendar
from puhui.parties import views as party_views
from tests.loans import PRODUCT, Book, make_book


@pytest.fixture
def book(platform: Platform, operator: Identity) -> Book:
    return make_book(platform, operator)


def _refused(book: Book, error: type[PuhuiError], fn: Callable[[], Any]) -> PuhuiError:
    before = book.digest()
    with pytest.raises(error) as caught:
        fn()
    assert book.digest() == before, "a refused command changed the state"
    return caught.value


def _disburse(book: Book, tranche: str, amount: int, payee: str, loan: str = "l1") -> Any:
    payload = {"loan_id": loan, "tranche_id": tranche, "amount": amount, "payee_id": payee}
    return lambda: book.submit(book.bank(), "lending.disburse", payload)


def test_impossible_products_are_refused_with_every_problem(book: Book) -> None:
    bad = PRODUCT | {"product_id": "bad", "term_periods_min": 0, "penalty_rate": "-0.01"}
    err = _refused(
        book, e.InvalidProduct, lambda: book.submit(book.bank(), "lending.define_product", bad)
    )
    assert "at least one period" in err.detail and "below zero" in err.detail
    assert len(err.extra["problems"]) == 2
    err = _refused(
        book,
        e.UnknownCalendar,
        lambda: book.submit(
            book.bank(), "lending.define_product", PRODUCT | {"product_id": "x1", "calendar": "CN"}
        ),
    )
    _refused(
        book, e.ProductExists, lambda: book.submit(book.bank(), "lending.define_product", PRODUCT)
    )
    _refused(
        book,
        PermissionDenied,
        lambda: book.submit(
            book.farmer(), "lending.define_product", PRODUCT | {"product_id": "y1"}
        ),
    )


def test_application_and_offer_errors(book: Book) -> None:
    def apply(**changes: Any) -> Callable[[], Any]:
        payload = {
            "loan_id": "l9",
            "product_id": "farm-12m",
            "amount": 500_000,
            "term_periods": 6,
            "payees": [{"party_id": "feed"}],
        } | changes
        return lambda: book.submit(book.farmer(), "lending.apply", payload)

    assert "at least one period" in _refused(book, e.InvalidLoanTerms, apply(term_periods=0)).detail
    _refused(book, e.AmountOutOfRange, apply(term_periods=24))
    _refused(book, e.AmountOutOfRange, apply(amount=5))
    _refused(book, e.PayeeNotInContract, apply(payees=[{"party_id": "farmer"}]))
    _refused(book, e.PayeeNotInContract, apply(payees=[]))
    apply()()
    approve = {"loan_id": "l9", "annual_rate": "-0.01"}
    err = _refused(
        book, e.InvalidLoanTerms, lambda: book.submit(book.bank(), "lending.approve", approve)
    )
    assert "below zero" in err.detail
    _refused(
        book,
        e.AmountOutOfRange,
        lambda: book.submit(book.bank(), "lending.approve", approve | {"annual_rate": "0.25"}),
    )
    _refused(
        book,
        e.NotLoanParty,
        lambda: book.submit(
            book.parties["vet"],
            "lending.sign_contract",
            {"loan_id": "l9", "contract_digest": "0" * 64},
        ),
    )


def test_offers_above_the_rate_cap_are_refused(book: Book) -> None:
    capped = PRODUCT | {"product_id": "capped", "rate_cap": "0.10", "annual_rate_max": "0.3"}
    book.submit(book.bank(), "lending.define_product", capped)
    book.submit(
        book.farmer(),
        "lending.apply",
        {
            "loan_id": "c1",
            "product_id": "capped",
            "amount": 100_000,
            "term_periods": 12,
            "payees": [{"party_id": "feed"}],
        },
    )
    err = _refused(
        book,
        e.RateAboveCap,
        lambda: book.submit(
            book.bank(), "lending.approve", {"loan_id": "c1", "annual_rate": "0.095"}
        ),
    )
    assert err.extra["rate_cap"] == "0.10" and err.extra["apr"] > "0.10"  # fees push it over
    receipt = book.submit(book.bank(), "lending.approve", {"loan_id": "c1", "annual_rate": "0.06"})
    assert receipt.events[0].data["apr"] < "0.10"


def test_contract_and_disbursement_errors(book: Book) -> None:
    approved = book.take_loan()
    assert approved.events[0].data["contract_digest"] == book.loan().contract_digest
    _refused(
        book,
        e.LoanNotInState,
        lambda: book.submit(
            book.farmer(),
            "lending.sign_contract",
            {"loan_id": "l1", "contract_digest": book.loan().contract_digest},
        ),
    )
    _refused(book, e.PayeeNotInContract, _disburse(book, "t1", 100_000, "farmer"))
    _refused(book, e.ExceedsApproved, _disburse(book, "t1", 1_000_001, "vet"))
    _refused(book, e.ExceedsApproved, _disburse(book, "t1", 800_001, "feed"))  # the feed cap
    _refused(
        book,
        PermissionDenied,
        lambda: book.submit(
            book.farmer(),
            "lending.disburse",
            {"loan_id": "l1", "tranche_id": "t9", "amount": 1, "payee_id": "feed"},
        ),
    )
    _disburse(book, "t1", 700_000, "feed")()
    _refused(book, e.DuplicateObjectId, _disburse(book, "t1", 100_000, "vet"))
    _refused(book, e.ExceedsApproved, _disburse(book, "t2", 300_001, "vet"))
    book.check_books()


def test_signing_other_terms_is_refused(book: Book) -> None:
    book.submit(
        book.farmer(),
        "lending.apply",
        {
            "loan_id": "l2",
            "product_id": "farm-12m",
            "amount": 200_000,
            "term_periods": 6,
            "payees": [{"party_id": "feed"}],
        },
    )
    book.submit(book.bank(), "lending.approve", {"loan_id": "l2", "annual_rate": "0.05"})
    _refused(
        book,
        e.ContractMismatch,
        lambda: book.submit(
            book.farmer(), "lending.sign_contract", {"loan_id": "l2", "contract_digest": "ab" * 32}
        ),
    )
    _refused(book, e.LoanNotInState, _disburse(book, "t1", 1000, "feed", loan="l2"))


def test_settling_closes_the_loan_and_a_closed_loan_takes_no_repayment(book: Book) -> None:
    book.take_loan(amount=300_000, payees=[{"party_id": "feed"}])
    _disburse(book, "t1", 300_000, "feed")()
    book.close_days(5, check=True)
    with book.conn() as conn:
        quote = views.settlement_quote(conn, "l1", book.today())
    repay = {"loan_id": "l1", "repayment_id": "r1", "amount": quote["total"] + 1}
    err = _refused(book, e.ExceedsOwed, lambda: book.submit(book.farmer(), "lending.repay", repay))
    assert err.extra["owed"] == quote["total"]
    receipt = book.submit(book.farmer(), "lending.repay", repay | {"amount": quote["total"]})
    assert receipt.events[-1].type == "lending.closed"
    assert book.loan().status == "closed"
    book.check_books()
    err = _refused(
        book,
        e.LoanNotInState,
        lambda: book.submit(
            book.farmer(), "lending.repay", repay | {"repayment_id": "r2", "amount": 1}
        ),
    )
    assert "closed" in err.detail
    book.close_days(2, check=True)
    assert book.loan().interest_accrued == 0


def test_revolving_credit_line(book: Book) -> None:
    line = {
        "line_id": "line-1",
        "product_id": "farm-12m",
        "borrower_id": "farmer",
        "limit": 500_000,
        "annual_rate": "0.05",
        "term_periods": 3,
        "payees": ["feed"],
    }
    book.submit(book.bank(), "lending.open_line", line)
    draw = {"line_id": "line-1", "loan_id": "d1", "amount": 300_000, "payee_id": "feed"}
    _refused(book, e.LineFrozen, lambda: book.submit(book.farmer(), "lending.draw", draw))
    book.submit(book.farmer(), "lending.accept_line", {"line_id": "line-1"})
    book.submit(book.farmer(), "lending.draw", draw)
    book.check_books()
    with book.conn() as conn:
        assert views.line_json(conn, "line-1")["available"] == 200_000
    second = draw | {"loan_id": "d2", "amount": 250_000}
    err = _refused(book, e.ExceedsLimit, lambda: book.submit(book.farmer(), "lending.draw", second))
    assert err.extra["available"] == 200_000
    _refused(
        book,
        e.PayeeNotInContract,
        lambda: book.submit(
            book.farmer(), "lending.draw", second | {"amount": 1, "payee_id": "vet"}
        ),
    )
    book.submit(book.bank(), "lending.freeze_line", {"line_id": "line-1"})
    _refused(book, e.LineFrozen, lambda: book.submit(book.farmer(), "lending.draw", second))
    book.submit(book.bank(), "lending.unfreeze_line", {"line_id": "line-1"})
    book.submit(
        book.farmer(), "lending.repay", {"loan_id": "d1", "repayment_id": "r1", "amount": 100_000}
    )
    with book.conn() as conn:
        assert views.line_json(conn, "line-1")["available"] == 300_000
    book.submit(book.farmer(), "lending.draw", second)
    book.close_days(3, check=True)
    assert book.loan("d2").interest_accrued > 0


def test_due_dates_follow_the_chinese_calendar_loaded_on_the_record(book: Book) -> None:
    cal = cn_calendar([2026])
    assert cal.knows(2026)
    book.submit(
        book.operator,
        "lending.load_calendar",
        {
            "name": "CN",
            "years": [2026],
            "holidays": sorted(d.isoformat() for d in cal.holidays),
            "workdays": sorted(d.isoformat() for d in cal.workdays),
        },
    )
    book.submit(
        book.bank(), "lending.define_product", PRODUCT | {"product_id": "cn", "calendar": "CN"}
    )
    book.submit(
        book.farmer(),
        "lending.apply",
        {
            "loan_id": "cn1",
            "product_id": "cn",
            "amount": 300_000,
            "term_periods": 9,
            "payees": [{"party_id": "feed"}],
        },
    )
    digest = (
        book.submit(book.bank(), "lending.approve", {"loan_id": "cn1", "annual_rate": "0.05"})
        .events[0]
        .data["contract_digest"]
    )
    for who in (book.farmer(), book.bank()):
        book.submit(who, "lending.sign_contract", {"loan_id": "cn1", "contract_digest": digest})
    _disburse(book, "t1", 300_000, "feed", loan="cn1")()
    schedule = book.statement("cn1")["schedule"]
    dues = [date.fromisoformat(r["due_date"]) for r in schedule]
    assert all(chinese_calendar.is_workday(d) for d in dues)
    assert date(2026, 10, 2) not in dues and any(d.month == 10 and d.day > 2 for d in dues)
    bad = {"name": "CN", "years": [2026], "holidays": ["2027-01-01"], "workdays": ["2026-03-03"]}
    err = _refused(
        book, e.InvalidLoanTerms, lambda: book.submit(book.operator, "lending.load_calendar", bad)
    )
    assert "not a Saturday or Sunday" in err.detail


def test_close_of_day_is_idempotent_for_a_date(book: Book) -> None:
    book.take_loan(amount=300_000, payees=[{"party_id": "feed"}])
    _disburse(book, "t1", 300_000, "feed")()
    today = book.today()
    first = book.submit(
        book.operator, "clock.close_day", {"date": today.isoformat()}, key="close-1"
    )
    close = book.operator.sign("clock.close_day", {"date": today.isoformat()}, today, "close-1")
    again = book.platform.kernel.submit(close)
    assert again.repeat and again.seq == first.seq
    accrued = book.loan().interest_accrued
    with pytest.raises(Conflict):
        book.platform.kernel.submit(
            book.operator.sign(
                "clock.close_day", {"date": today.isoformat()}, today + timedelta(days=1)
            )
        )
    assert book.loan().interest_accrued == accrued


def test_an_exported_lending_log_verifies_offline_to_the_live_digest(
    book: Book, tmp_path: Path
) -> None:
    book.take_loan(amount=500_000, payees=[{"party_id": "feed"}, {"party_id": "vet"}])
    _disburse(book, "t1", 300_000, "feed")()
    book.close_days(40)
    _disburse(book, "t2", 200_000, "vet")()
    book.submit(
        book.farmer(), "lending.repay", {"loan_id": "l1", "repayment_id": "r1", "amount": 60_000}
    )
    book.close_days(5)
    platform = book.platform
    out = tmp_path / "export"
    export(platform.engine, platform.log_signer, out, utc_now())
    summary = verify_export(
        out,
        platform.log_signer.verifier_key(),
        build_registry(),
        lambda conn: party_views.witness_keys(conn, active_only=False),
    )
    assert summary.line().rsplit(" ", 1)[1] == book.digest()
