"""Order financing on both stores: a purchase order signed by seller and buyer finances the
seller's production, the loan is paid only to the plan's suppliers, and the buyer's payment
repays the lender first; the ledger balances at every step, replay and offline verify agree,
and each refusal leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from puhui.accounts import reports
from puhui.bootstrap import Platform, build_registry
from puhui.client import Identity
from puhui.documents import liens
from puhui.documents import views as documents
from puhui.finance.orders import views
from puhui.finance.orders.trade import payment_split
from puhui.kernel.errors import PuhuiError
from puhui.kernel.export import export
from puhui.kernel.replay import replay_in_place
from puhui.kernel.service import utc_now
from puhui.kernel.verify import verify_export
from puhui.lending import views as lending
from puhui.parties import views as party_views
from tests.orders_support import (
    ORDER_AMOUNT,
    PLAN,
    Trade,
    confirm_payload,
    delivery_note,
    make_trade,
    open_payload,
    order_invoice,
    pay_payload,
    purchase_order,
    request_payload,
)


@pytest.fixture
def trade(platform: Platform, operator: Identity) -> Trade:
    return make_trade(platform, operator)


def _balanced(trade: Trade) -> None:
    with trade.platform.engine.connect() as conn:
        trials = reports.trial_balance(conn)
        rec = lending.reconcile(conn, "bank", "CNY")
    assert trials and all(t.balanced for t in trials)
    for part in ("principal", "interest", "fee", "penalty"):
        assert rec[f"{part}_loans"] == rec[f"{part}_ledger"], rec


def _refused(trade: Trade, party: str, ctype: str, payload: dict[str, object], code: str) -> str:
    """Submit, expect the typed error ``code``, and check nothing changed."""
    before = trade.snapshot()
    with pytest.raises(PuhuiError) as caught:
        trade.submit(party, ctype, payload)
    assert caught.value.code == code, caught.value.detail
    assert trade.snapshot() == before
    return caught.value.detail


def _delivered(trade: Trade) -> None:
    trade.register("maker", "core", "dn-po-1", "delivery_note", delivery_note("DN-PO-1"))
    trade.register("maker", "core", "inv-po-1", "e_invoice", order_invoice("00000009"))


def test_order_financed_and_paid_lender_first(trade: Trade, tmp_path: Path) -> None:
    trade.submit("maker", "order.open", open_payload())
    detail = _refused(
        trade, "maker", "order.request_financing", request_payload(), "order-not-confirmed"
    )
    assert "not countersigned by its buyer core" in detail
    _refused(
        trade,
        "core",
        "order.confirm",
        confirm_payload(amount=ORDER_AMOUNT + 1),
        "order-terms-mismatch",
    )
    _refused(trade, "cai", "order.confirm", confirm_payload(), "not-order-party")
    receipt = trade.submit("core", "order.confirm", confirm_payload())
    assert [e.type for e in receipt.events] == ["order.confirmed", "document.confirmed"]
    with trade.platform.engine.connect() as conn:
        assert documents.get_document(conn, "po-1").confirmed_seq == receipt.seq

    detail = _refused(
        trade,
        "maker",
        "order.request_financing",
        request_payload(amount=70_000_001),
        "exceeds-advance-rate",
    )
    assert "up to 70000000 fen (70% of its value)" in detail
    seller_paid = [{"supplier": "maker", "amount": 70_000_000}]
    _refused(
        trade,
        "maker",
        "order.request_financing",
        request_payload(plan=seller_paid),
        "invalid-order-plan",
    )
    _refused(trade, "maker", "order.request_financing", request_payload(bank="cai"), "not-a-lender")
    trade.submit("maker", "order.request_financing", request_payload())
    _refused(
        trade,
        "bank",
        "order.finance",
        {"financing_id": "of-1", "annual_rate": "0.06"},
        "rate-above-request",
    )
    _refused(
        trade,
        "bank2",
        "order.finance",
        {"financing_id": "of-1", "annual_rate": "0.04"},
        "not-order-party",
    )
    funded = trade.submit(
        "bank", "order.finance", {"financing_id": "of-1", "annual_rate": "0.0435"}
    )
    types = [e.type for e in funded.events]
    assert types[:2] == ["order.financed", "lien.registered"] and "lending.contracted" in types
    _refused(
        trade,
        "maker",
        "order.request_financing",
        request_payload(financing_id="of-2"),
        "order-already-financed",
    )
    _balanced(trade)

    bank_cash, core_cash, maker_cash = trade.cash("bank"), trade.cash("core"), trade.cash("maker")
    trade.submit(
        "maker",
        "order.draw",
        {"order_id": "o-1", "tranche_id": "t-cai", "supplier": "cai", "amount": 40_000_000},
    )
    trade.submit(
        "maker",
        "order.draw",
        {"order_id": "o-1", "tranche_id": "t-parts", "supplier": "parts", "amount": 20_000_000},
    )
    draw = {"order_id": "o-1", "tranche_id": "t-x", "supplier": "guarantor", "amount": 1}
    assert "names cai, parts" in _refused(trade, "maker", "order.draw", draw, "payee-not-in-plan")
    draw |= {"supplier": "parts", "amount": 10_000_001}
    _refused(trade, "maker", "order.draw", draw, "exceeds-plan")
    direct = {"loan_id": "of-1", "tranche_id": "t-y", "amount": 1, "payee_id": "parts"}
    _refused(trade, "bank", "lending.disburse", direct, "loan-controlled")
    assert trade.cash("bank") == bank_cash - 60_000_000 and trade.cash("maker") == maker_cash
    _balanced(trade)

    for _ in range(10):
        trade.submit("operator", "clock.close_day", {"date": trade.today().isoformat()})
    _balanced(trade)
    _delivered(trade)
    _refused(trade, "core", "order.pay", pay_payload(), "delivery-not-confirmed")
    trade.submit("core", "document.confirm", {"document_id": "dn-po-1"})
    _refused(
        trade, "core", "order.pay", pay_payload(amount=ORDER_AMOUNT - 1), "payment-not-order-amount"
    )
    _refused(
        trade, "core", "order.pay", pay_payload(amount=ORDER_AMOUNT + 1), "payment-not-order-amount"
    )
    _refused(trade, "maker", "order.pay", pay_payload(), "not-order-party")
    with trade.platform.engine.connect() as conn:
        quote = lending.settlement_quote(conn, "of-1", trade.today())["total"]
    assert quote > 60_000_000
    paid = trade.submit("core", "order.pay", pay_payload())
    assert "lending.closed" in [e.type for e in paid.events]
    order = trade.order()
    assert order.status == "paid"
    assert (order.to_lender, order.to_seller) == (quote, ORDER_AMOUNT - quote)
    assert trade.cash("bank") == bank_cash - 60_000_000 + quote
    assert trade.cash("maker") == maker_cash + ORDER_AMOUNT - quote
    assert trade.cash("core") == core_cash - ORDER_AMOUNT
    assert trade.financing().status == "settled"
    with trade.platform.engine.connect() as conn:
        assert lending.get_loan(conn, "of-1").status == "closed"
        assert liens.find_lien(conn, "of-1").release_reason == "repaid"  # type: ignore[union-attr]
    _refused(trade, "core", "order.pay", pay_payload(payment_id="pay-2"), "order-wrong-state")
    _balanced(trade)

    with trade.platform.engine.connect() as conn:
        trail = views.trail(conn, "o-1")
        order_row = views.get_order(conn, "o-1")
        assert views.visible_to(conn, order_row, "bank")
        assert not views.visible_to(conn, order_row, "bank2")
        assert not views.visible_to(conn, order_row, "cai")
    assert [d["role"] for d in trail["documents"]] == ["purchase_order", "delivery", "invoice"]
    assert trail["signatures"]["buyer"]["seq"] == receipt.seq
    (financing,) = trail["financings"]
    assert [d["supplier"] for d in financing["draws"]] == ["cai", "parts"]
    assert financing["lien"]["holder"] == "bank"
    payees = {p["party_id"]: p["received"] for p in financing["money"]["payees"]}
    assert payees["cai"] == 40_000_000 and payees["parts"] == 20_000_000
    assert trail["payment"]["to_lender"] == quote

    digest = trade.snapshot()[1]
    out = tmp_path / "export"
    export(trade.platform.engine, trade.platform.log_signer, out, utc_now())
    summary = verify_export(
        out,
        trade.platform.log_signer.verifier_key(),
        build_registry(),
        lambda conn: party_views.witness_keys(conn, active_only=False),
    )
    assert summary.line().endswith(digest)
    assert replay_in_place(trade.platform.engine, trade.platform.registry).state_digest == digest


def test_unfinanced_and_undrawn_orders_pay_the_seller(trade: Trade) -> None:
    trade.open_and_confirm()
    trade.register("maker", "core", "po-2", "purchase_order", purchase_order("PO-2"))
    trade.open_and_confirm("o-2", "po-2")
    trade.fund("o-2", "of-2")
    _delivered(trade)
    trade.submit("core", "document.confirm", {"document_id": "dn-po-1"})
    maker_cash = trade.cash("maker")
    trade.submit("core", "order.pay", pay_payload())
    assert trade.cash("maker") == maker_cash + ORDER_AMOUNT
    assert trade.order().to_lender == 0
    _refused(trade, "core", "order.pay", pay_payload("o-2"), "document-already-used")
    trade.register("maker", "core", "dn-po-2", "delivery_note", delivery_note("DN-PO-2", "PO-2"))
    trade.submit("core", "document.confirm", {"document_id": "dn-po-2"})
    trade.submit("core", "order.pay", pay_payload("o-2", delivery_ids=["dn-po-2"], invoice_ids=[]))
    assert trade.cash("maker") == maker_cash + 2 * ORDER_AMOUNT
    assert trade.financing("of-2").status == "undrawn"
    with trade.platform.engine.connect() as conn:
        assert liens.find_lien(conn, "of-2").release_reason == "repaid"  # type: ignore[union-attr]
    _balanced(trade)


def test_financing_refusals_change_nothing(trade: Trade) -> None:
    _refused(trade, "core", "order.open", open_payload(), "order-document-not-usable")
    trade.submit("maker", "order.open", open_payload())
    _refused(trade, "maker", "order.open", open_payload("o-2"), "document-already-used")
    trade.submit("core", "order.confirm", confirm_payload())
    _refused(trade, "core", "order.confirm", confirm_payload(), "order-wrong-state")
    twice = [{"supplier": "cai", "amount": 35_000_000}, {"supplier": "cai", "amount": 35_000_000}]
    _refused(
        trade, "maker", "order.request_financing", request_payload(plan=twice), "invalid-order-plan"
    )
    short = [{"supplier": "cai", "amount": 1}]
    _refused(
        trade, "maker", "order.request_financing", request_payload(plan=short), "invalid-order-plan"
    )
    _refused(
        trade,
        "maker",
        "order.request_financing",
        request_payload(bank="bank2"),
        "invalid-order-plan",
    )
    trade.submit("maker", "order.request_financing", request_payload())
    _refused(
        trade,
        "maker",
        "order.request_financing",
        request_payload(financing_id="of-2"),
        "order-wrong-state",
    )
    trade.submit("bank", "order.decline_financing", {"financing_id": "of-1", "reason": "no"})
    _refused(
        trade,
        "bank",
        "order.finance",
        {"financing_id": "of-1", "annual_rate": "0.04"},
        "order-wrong-state",
    )
    trade.submit("maker", "order.request_financing", request_payload(financing_id="of-2"))
    with trade.platform.engine.connect() as conn:
        fingerprint = documents.get_document(conn, "po-1").fingerprint
    trade.submit(
        "bank2",
        "lien.register",
        {
            "lien_id": "other",
            "fingerprint": fingerprint,
            "kind": "purchase_order",
            "grantor": "maker",
        },
    )
    detail = _refused(
        trade,
        "bank",
        "order.finance",
        {"financing_id": "of-2", "annual_rate": "0.04"},
        "lien-exists",
    )
    assert "lien other" in detail
    trade.submit("bank2", "lien.release", {"lien_id": "other", "reason": "holder_release"})
    trade.submit("bank", "order.finance", {"financing_id": "of-2", "annual_rate": "0.04"})
    assert trade.order().financing_id == "of-2"
    paid = trade.submit(
        "maker",
        "order.draw",
        {"order_id": "o-1", "tranche_id": "t-1", "supplier": "cai", "amount": PLAN[0]["amount"]},
    )
    assert paid.events[0].data["supplier"] == "cai"
    _refused(
        trade,
        "maker",
        "order.draw",
        {"order_id": "o-1", "tranche_id": "t-1", "supplier": "parts", "amount": 1},
        "duplicate-object-id",
    )
    _balanced(trade)


def test_policy_sets_the_advance_share(trade: Trade) -> None:
    trade.submit("operator", "order.set_policy", {"advance_bp_max": 5_000})
    _refused(trade, "maker", "order.set_policy", {"advance_bp_max": 9_000}, "permission-denied")
    trade.open_and_confirm()
    detail = _refused(
        trade, "maker", "order.request_financing", request_payload(), "exceeds-advance-rate"
    )
    assert "(50% of its value)" in detail


def test_payment_split_is_what_pay_books_when_the_payment_falls_short(trade: Trade) -> None:
    """A loan of the whole order with interest accrued: the quote gives the lender all of the
    payment and the financing ``short``; ``order.pay`` books exactly that."""
    trade.submit("operator", "order.set_policy", {"advance_bp_max": 10_000})
    trade.open_and_confirm()
    whole = [{"supplier": "cai", "amount": 60_000_000}, {"supplier": "parts", "amount": 40_000_000}]
    trade.ledger.deposit("bank", ORDER_AMOUNT, "bank-orders")
    trade.fund(plan=whole, amount=ORDER_AMOUNT)
    for line in whole:
        draw = {"order_id": "o-1", "tranche_id": f"t-{line['supplier']}"} | line
        trade.submit("maker", "order.draw", draw)
    for _ in range(3):
        trade.submit("operator", "clock.close_day", {"date": trade.today().isoformat()})
    _delivered(trade)
    trade.submit("core", "document.confirm", {"document_id": "dn-po-1"})
    with trade.platform.engine.connect() as conn:
        split = payment_split(conn, views.get_order(conn, "o-1"))
    assert split["owed"]["total"] > ORDER_AMOUNT
    assert (split["to_lender"], split["to_seller"]) == (ORDER_AMOUNT, 0)
    assert (split["financing_status"], split["lender"]) == ("short", "bank")
    trade.submit("core", "order.pay", pay_payload())
    paid = trade.order()
    assert (paid.to_lender, paid.to_seller) == (ORDER_AMOUNT, 0)
    assert trade.financing().status == "short"
    with trade.platform.engine.connect() as conn:
        assert lending.get_loan(conn, "of-1").status == "active"
        assert liens.find_lien(conn, "of-1").released_seq is None  # type: ignore[union-attr]
    _balanced(trade)
