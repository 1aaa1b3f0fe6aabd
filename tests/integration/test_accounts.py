"""The ledger through the kernel, on SQLite and PostgreSQL: transfers, two-phase, rails,
idempotent ids, typed errors that change nothing, balances at a log position, statements,
trial balance, expiry at close of day and the trace of payee-bound funds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from puhui.accounts import errors as e
from puhui.accounts import reports, views
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.kernel.errors import IdempotencyConflict, PuhuiError
from tests.ledger import Ledger, make_ledger

BANK_CASH = "bank:cash:cny"
FARMER_CASH = "farmer:cash:cny"
SUPPLIER_CASH = "supplier:cash:cny"


@pytest.fixture
def ledger(platform: Platform, operator: Identity) -> Ledger:
    ledger = make_ledger(platform, operator)
    ledger.deposit("bank", 1_000_000, "b1")
    return ledger


def _balance(ledger: Ledger, account_id: str, at_seq: int | None = None) -> int:
    with ledger.conn() as conn:
        account = views.get_account(conn, account_id)
        return views.balance(conn, account_id, at_seq).balance(account.kind)


def test_charts_deposit_and_transfer(ledger: Ledger) -> None:
    with ledger.conn() as conn:
        bank = views.get_account(conn, BANK_CASH)
        assert bank.balance == 1_000_000 and bank.available == 1_000_000
        assert {a.purpose for a in views.list_accounts(conn, party_id="bank")} == {
            "cash",
            "loan_principal",
            "interest_receivable",
            "interest_income",
            "fee_expense",
        }
        clearing = views.get_account(conn, "operator:bank_clearing:cny")
        assert clearing.balance == 1_000_000  # the operator's asset: money at the bank
    receipt = ledger.transfer(
        ledger.parties["bank"],
        {"id": "t1", "debit": BANK_CASH, "credit": FARMER_CASH, "amount": 250_00, "code": 7},
    )
    (event,) = receipt.events
    assert event.type == "accounts.transfers"
    assert set(event.parties) == {"bank", "farmer"}
    assert _balance(ledger, BANK_CASH) == 1_000_000 - 250_00
    assert _balance(ledger, FARMER_CASH) == 250_00
    with ledger.conn() as conn:
        (cny,) = [t for t in reports.trial_balance(conn) if t.currency == "CNY"]
        assert cny.balanced and cny.totals.debits_posted == 1_000_000 + 250_00


def _refused(ledger: Ledger, error: type[PuhuiError], fn: Callable[[], Any]) -> PuhuiError:
    before = ledger.digest()
    with pytest.raises(error) as caught:
        fn()
    assert ledger.digest() == before, "a refused command changed the state"
    return caught.value


def test_typed_errors_change_nothing(ledger: Ledger) -> None:
    bank = ledger.parties["bank"]

    def send(*items: dict[str, Any]) -> Callable[[], Any]:
        return lambda: ledger.transfer(bank, *items)

    ok = {"id": "ok-1", "debit": BANK_CASH, "credit": FARMER_CASH, "amount": 1}
    err = _refused(ledger, e.UnknownAccount, send(ok, ok | {"id": "x", "credit": "nope:cash"}))
    assert err.extra == {"transfer_index": 1, "transfer_id": "x"}
    _refused(ledger, e.CurrencyMismatch, send(ok | {"credit": "farmer:ecny_wallet:ecny"}))
    _refused(ledger, e.InsufficientFunds, send(ok | {"amount": 1_000_001}))
    _refused(ledger, e.InvalidAmount, send(ok | {"amount": 0}))
    _refused(ledger, e.InvalidAmount, send(ok | {"amount": -5}))
    _refused(ledger, e.DuplicateTransferId, send(ok, ok))
    _refused(ledger, e.InvalidTransfer, send(ok | {"credit": BANK_CASH}))
    _refused(ledger, e.NotAccountHolder, lambda: ledger.transfer(ledger.parties["farmer"], ok))
    _refused(
        ledger,
        e.InvalidExternalReference,
        send(ok | {"rail": "bank_transfer", "external_ref": "x"}),
    )
    _refused(
        ledger,
        e.RailNotAvailable,
        send(ok | {"rail": "stablecoin", "external_ref": "0x" + "a" * 64}),
    )
    # a linked batch: the second fails on funds, so the first is not made either
    _refused(ledger, e.InsufficientFunds, send(ok, ok | {"id": "ok-2", "amount": 1_000_000}))
    ledger.submit(
        ledger.parties["farmer"], "accounts.close", {"account_id": "farmer:ecny_wallet:ecny"}
    )
    _refused(
        ledger,
        e.AccountClosed,
        lambda: ledger.transfer(
            ledger.operator,
            {
                "id": "c",
                "debit": "operator:ecny_clearing:ecny",
                "credit": "farmer:ecny_wallet:ecny",
                "amount": 5,
            },
        ),
    )
    _refused(
        ledger,
        e.AccountNotEmpty,
        lambda: ledger.submit(bank, "accounts.close", {"account_id": BANK_CASH}),
    )


def test_idempotent_transfer_ids(ledger: Ledger) -> None:
    bank = ledger.parties["bank"]
    item = {"id": "pay-1", "debit": BANK_CASH, "credit": FARMER_CASH, "amount": 300}
    first = ledger.transfer(bank, item, key="k1")
    assert ledger.transfer(bank, item, key="k1").repeat  # the kernel's command idempotency
    retry = ledger.transfer(bank, item, key="k2")  # same transfer, new command: a no-op
    assert retry.events == () and not retry.repeat
    assert _balance(ledger, FARMER_CASH) == 300
    with ledger.conn() as conn:
        assert views.get_transfer(conn, "pay-1")["seq"] == first.seq
    _refused(ledger, e.TransferExists, lambda: ledger.transfer(bank, item | {"amount": 301}))
    changed = item | {"code": 1}
    _refused(ledger, IdempotencyConflict, lambda: ledger.transfer(bank, changed, key="k1"))
    # a retried batch with one new transfer makes only the new one
    more = {"id": "pay-2", "debit": BANK_CASH, "credit": FARMER_CASH, "amount": 5}
    (event,) = ledger.transfer(bank, item, more).events
    assert [t["id"] for t in event.data["transfers"]] == ["pay-2"]


def test_two_phase_post_partial_void_and_expiry(ledger: Ledger) -> None:
    bank = ledger.parties["bank"]
    today = ledger.today()
    hold = {"debit": BANK_CASH, "credit": SUPPLIER_CASH, "pending": True}
    ledger.transfer(bank, hold | {"id": "p1", "amount": 600_000})
    with ledger.conn() as conn:
        account = views.get_account(conn, BANK_CASH)
        assert account.available == 400_000 and account.balance == 1_000_000
    _refused(
        ledger,
        e.InsufficientFunds,
        lambda: ledger.transfer(bank, hold | {"id": "p2", "amount": 400_001}),
    )
    _refused(
        ledger,
        e.ExceedsPendingAmount,
        lambda: ledger.transfer(bank, {"id": "x", "post": "p1", "amount": 600_001}),
    )
    ledger.transfer(bank, {"id": "p1-post", "post": "p1", "amount": 250_000})
    assert _balance(ledger, SUPPLIER_CASH) == 250_000
    with ledger.conn() as conn:
        assert views.get_account(conn, BANK_CASH).available == 750_000  # the rest released
        assert views.get_transfer(conn, "p1")["status"] == "posted"
    _refused(ledger, e.PendingPosted, lambda: ledger.transfer(bank, {"id": "again", "post": "p1"}))
    ledger.transfer(bank, hold | {"id": "p3", "amount": 10})
    ledger.transfer(ledger.parties["supplier"], {"id": "p3-void", "void": "p3"})  # payee declines
    _refused(ledger, e.PendingVoided, lambda: ledger.transfer(bank, {"id": "late", "post": "p3"}))
    ledger.transfer(bank, hold | {"id": "p4", "amount": 20, "expires_on": today.isoformat()})
    ledger.transfer(
        bank,
        hold | {"id": "p5", "amount": 30, "expires_on": (today + timedelta(days=1)).isoformat()},
    )
    close = ledger.submit(ledger.operator, "clock.close_day", {"date": today.isoformat()})
    expired = [
        t for ev in close.events if ev.type == "accounts.transfers" for t in ev.data["transfers"]
    ]
    assert [t["id"] for t in expired] == ["p4"]
    _refused(ledger, e.PendingExpired, lambda: ledger.transfer(bank, {"id": "late4", "post": "p4"}))
    ledger.transfer(bank, {"id": "p5-post", "post": "p5"})
    with ledger.conn() as conn:
        bank_account = views.get_account(conn, BANK_CASH)
        assert bank_account.totals.debits_pending == 0
        assert bank_account.balance == 1_000_000 - 250_000 - 30
        assert all(t.balanced for t in reports.trial_balance(conn))


def test_external_rail_settles_only_on_confirmation(ledger: Ledger) -> None:
    farmer = ledger.parties["farmer"]
    ledger.transfer(
        ledger.parties["bank"],
        {"id": "f", "debit": BANK_CASH, "credit": FARMER_CASH, "amount": 900},
    )
    ledger.transfer(
        farmer,
        {
            "id": "wd",
            "debit": FARMER_CASH,
            "credit": "operator:bank_clearing:cny",
            "amount": 800,
            "rail": "bank_transfer",
            "external_ref": "WD-000123",
        },
    )
    with ledger.conn() as conn:
        assert views.get_transfer(conn, "wd")["kind"] == "pending"
        assert views.get_account(conn, FARMER_CASH).available == 100
    _refused(
        ledger, e.NotAccountHolder, lambda: ledger.transfer(farmer, {"id": "self-ok", "post": "wd"})
    )
    ledger.transfer(ledger.operator, {"id": "wd-failed", "void": "wd"})  # the bank bounced it
    assert _balance(ledger, FARMER_CASH) == 900


def test_balance_history_and_statement(ledger: Ledger) -> None:
    bank = ledger.parties["bank"]
    seqs = []
    for i in range(5):
        seqs.append(
            ledger.transfer(
                bank,
                {"id": f"s{i}", "debit": BANK_CASH, "credit": FARMER_CASH, "amount": 100 * (i + 1)},
            ).seq
        )
    assert [_balance(ledger, FARMER_CASH, s) for s in seqs] == [100, 300, 600, 1000, 1500]
    assert _balance(ledger, FARMER_CASH, seqs[0] - 1) == 0
    with ledger.conn() as conn:
        page1 = views.statement(conn, FARMER_CASH, limit=2)
        page2 = views.statement(conn, FARMER_CASH, after=page1[-1].cursor, limit=10)
        history = reports.trial_balance(conn, at_seq=seqs[2])
        now = reports.trial_balance(conn)
    lines = page1 + page2
    assert [ln.balance for ln in lines] == [100, 300, 600, 1000, 1500]
    assert [ln.posted_change for ln in lines] == [100, 200, 300, 400, 500]
    assert {ln.counterparty for ln in lines} == {BANK_CASH}
    assert all(t.balanced for t in history + now)
    (cny_then,) = [t for t in history if t.currency == "CNY"]
    assert cny_then.totals.debits_posted == 1_000_000 + 600


def test_payee_bound_funds_are_traced(ledger: Ledger) -> None:
    bank = ledger.parties["bank"]
    loan = {"debit": BANK_CASH, "reference": "loan:l1", "payee": "supplier"}
    _refused(
        ledger,
        e.PayeeMismatch,
        lambda: ledger.transfer(bank, loan | {"id": "d0", "credit": FARMER_CASH, "amount": 5}),
    )
    ledger.transfer(bank, loan | {"id": "d1", "credit": SUPPLIER_CASH, "amount": 40_000})
    ledger.transfer(
        bank, loan | {"id": "d2", "credit": SUPPLIER_CASH, "amount": 60_000, "pending": True}
    )
    ledger.transfer(bank, {"id": "d2-post", "post": "d2", "amount": 50_000})
    ledger.transfer(
        bank, loan | {"id": "d3", "credit": SUPPLIER_CASH, "amount": 7, "pending": True}
    )
    with ledger.conn() as conn:
        traced = reports.trace(conn, "loan:l1")
    assert [t["id"] for t in traced["transfers"]] == ["d1", "d2", "d2-post", "d3"]
    assert all(t["origin"] == "loan:l1" for t in traced["transfers"])
    assert traced["payees"] == [
        {"party_id": "supplier", "currency": "CNY", "received": 90_000, "reserved": 7}
    ]
