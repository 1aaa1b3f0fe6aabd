"""Rules of the ledger that need no database: money formatting, charts, deltas, rails, the
shape of a transfer request, and the public API other contexts build on."""

from __future__ import annotations

from datetime import date

import pytest

import puhui.accounts
from puhui.accounts import errors as e
from puhui.accounts.ledger import _check_shape
from puhui.accounts.model import (
    BUILTIN_CURRENCIES,
    AccountKind,
    Currency,
    Totals,
    TransferKind,
    TransferRequest,
    chart_for,
)
from puhui.accounts.rails import RAILS
from puhui.accounts.state import deltas
from puhui.accounts.views import parse_cursor

TODAY = date(2026, 3, 2)


def test_money_formats_in_the_currencys_scale() -> None:
    assert BUILTIN_CURRENCIES["CNY"].format(12_345_678) == "123,456.78 CNY"
    assert BUILTIN_CURRENCIES["CNY"].format(-5) == "-0.05 CNY"
    assert BUILTIN_CURRENCIES["USDSC"].format(1_500_000) == "1.500000 USDSC"
    assert Currency("JPY", 0, "Yen").format(1200) == "1,200 JPY"


def test_balance_follows_the_normal_side() -> None:
    totals = Totals(debits_posted=100, credits_posted=30, debits_pending=5, credits_pending=0)
    assert totals.balance(AccountKind.ASSET) == 70
    assert totals.balance(AccountKind.LIABILITY) == -70
    assert totals.pending_balance(AccountKind.EXPENSE) == 5


def test_charts_per_role() -> None:
    bank = {a.purpose: a for a in chart_for("coop", "bank")}
    assert bank["cash"].id == "coop:cash:cny" and bank["cash"].debits_must_not_exceed_credits
    assert bank["loan_principal"].kind == AccountKind.ASSET
    assert bank["loan_principal"].credits_must_not_exceed_debits
    assert {a.currency for a in chart_for("li", "farmer")} == {"CNY", "ECNY"}
    assert chart_for("x", "regulator") == []


@pytest.mark.parametrize(
    ("kind", "amount", "released", "expected"),
    [
        (TransferKind.SINGLE, 10, 0, (10, 0)),
        (TransferKind.PENDING, 10, 0, (0, 10)),
        (TransferKind.POST, 4, 10, (4, -10)),
        (TransferKind.VOID, 10, 10, (0, -10)),
        (TransferKind.EXPIRE, 0, 10, (0, -10)),
    ],
)
def test_deltas(kind: TransferKind, amount: int, released: int, expected: tuple[int, int]) -> None:
    assert deltas(kind, amount, released) == expected


def test_rails_check_their_references() -> None:
    RAILS["stablecoin"].check_reference("0x" + "ab" * 32)
    RAILS["bank_transfer"].check_reference("CNAPS-2026-01")
    with pytest.raises(e.InvalidExternalReference):
        RAILS["stablecoin"].check_reference("0xABC")
    with pytest.raises(e.InvalidExternalReference):
        RAILS["ecny"].check_reference(None)
    with pytest.raises(e.InvalidExternalReference):
        RAILS["platform"].check_reference("anything")


NEW = TransferRequest("t1", debit="a:cash", credit="b:cash", amount=5)


@pytest.mark.parametrize(
    ("request_", "error"),
    [
        (TransferRequest("t1", debit="a:cash", credit="b:cash", amount=0), e.InvalidAmount),
        (TransferRequest("t1", debit="a:cash", credit="b:cash", amount=2**53), e.InvalidAmount),
        (TransferRequest("t1", debit="a:cash", credit="a:cash", amount=1), e.InvalidTransfer),
        (TransferRequest("t1", debit="a:cash", amount=1), e.InvalidTransfer),
        (TransferRequest("bad id!", debit="a:cash", credit="b:cash", amount=1), e.InvalidTransfer),
        (TransferRequest("t1", post="p", void="p"), e.InvalidTransfer),
        (TransferRequest("t1", post="p", debit="a:cash"), e.InvalidTransfer),
        (TransferRequest("t1", void="p", amount=3), e.InvalidTransfer),
        (TransferRequest("t1", post="p", amount=-1), e.InvalidAmount),
        (
            TransferRequest("t1", debit="a:c", credit="b:c", amount=1, payee="x"),
            e.InvalidTransfer,
        ),
        (
            TransferRequest("t1", debit="a:c", credit="b:c", amount=1, expires_on=TODAY),
            e.InvalidTransfer,
        ),
        (
            TransferRequest(
                "t1", debit="a:c", credit="b:c", amount=1, pending=True, expires_on=date(2026, 3, 1)
            ),
            e.InvalidTransfer,
        ),
        (
            TransferRequest("t1", debit="a:c", credit="b:c", amount=1, rail="swift"),
            e.InvalidTransfer,
        ),
        (
            TransferRequest("t1", debit="a:c", credit="b:c", amount=1, rail="ecny"),
            e.InvalidExternalReference,
        ),
    ],
)
def test_malformed_requests_are_refused_with_their_index(
    request_: TransferRequest, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        _check_shape(3, request_, TODAY)
    assert caught.value.extra == {"transfer_index": 3, "transfer_id": request_.id}  # type: ignore[attr-defined]


def test_well_formed_requests_pass() -> None:
    _check_shape(0, NEW, TODAY)
    _check_shape(0, TransferRequest("t2", post="t1", amount=2), TODAY)
    _check_shape(0, TransferRequest("t3", void="t1"), TODAY)
    external = TransferRequest(
        "t4", debit="a:c", credit="b:c", amount=1, rail="bank_transfer", external_ref="BANK-0001"
    )
    _check_shape(0, external, TODAY)


def test_public_api_is_pinned() -> None:
    assert puhui.accounts.__all__ == [
        "BUILTIN_CURRENCIES",
        "TRANSFERS_EVENT",
        "AccountKind",
        "AccountSpec",
        "Currency",
        "Totals",
        "TransferRequest",
        "open_account_events",
        "transfer_events",
    ]


@pytest.mark.parametrize("cursor", ["1:x", "1", "²:1", f"{2**63}:0", f"1:{10**20}"])
def test_a_statement_cursor_is_two_log_positions(cursor: str) -> None:
    """2**63 as a cursor reached the store: an overflow on SQLite, bigint out of range on
    PostgreSQL (a 500 either way)."""
    with pytest.raises(ValueError, match="cursor"):
        parse_cursor(cursor)
    assert parse_cursor(f"{2**53 - 1}:0") == (2**53 - 1, 0)
