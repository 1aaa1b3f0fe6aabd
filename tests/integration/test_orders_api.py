"""Order financing through the HTTP API and the SDK, on both stores: the story signed on the
client, a refusal as problem+json, and the trail shown to the order's parties and the bank
asked to finance it — and to no one else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from puhui.api.app import create_app
from puhui.api.auth import new_token
from puhui.bootstrap import Platform
from puhui.client import ApiError, Client, Identity
from puhui.client_orders import plan_line
from tests.orders_support import (
    DELIVERY_DUE,
    ORDER_AMOUNT,
    PRODUCT,
    Trade,
    delivery_note,
    make_trade,
    order_invoice,
)


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        yield client


def _client(api: TestClient, trade: Trade, party: str) -> Client:
    token = new_token()
    trade.submit(party, "party.issue_token", token.payload)
    ident: Identity = trade.who(party)
    return Client("http://testserver", ident, token=token.token, transport=api._transport)


def test_orders_through_the_api_and_sdk(
    api: TestClient, platform: Platform, operator: Identity
) -> None:
    trade = make_trade(platform, operator)
    maker, core, bank, bank2, cai = (
        _client(api, trade, p) for p in ("maker", "core", "bank", "bank2", "cai")
    )
    regulator = _client(api, trade, "regulator")
    maker.orders.open("o-1", document_id="po-1", amount=ORDER_AMOUNT, delivery_due=DELIVERY_DUE)
    with pytest.raises(ApiError) as mismatch:
        core.orders.confirm("o-1", amount=ORDER_AMOUNT - 1, delivery_due=DELIVERY_DUE)
    assert mismatch.value.status == 422
    assert mismatch.value.problem["type"].endswith("/order-terms-mismatch")
    core.orders.confirm("o-1", amount=ORDER_AMOUNT, delivery_due=DELIVERY_DUE)
    plan = [plan_line("cai", 40_000_000), plan_line("parts", 30_000_000)]
    maker.orders.request_financing(
        "of-1",
        "o-1",
        bank="bank",
        product_id=str(PRODUCT["product_id"]),
        annual_rate_max="0.05",
        plan=plan,
    )
    seen = bank.orders.trail("o-1")
    assert seen["signatures"]["buyer"]["seq"] is not None
    assert seen["documents"][0]["confirmed_seq"] == seen["signatures"]["buyer"]["seq"]
    for outsider in (bank2, cai):
        with pytest.raises(ApiError) as hidden:
            outsider.orders.trail("o-1")
        assert hidden.value.status == 404
    bank.orders.finance("of-1", "0.0435")
    undrawn = core.orders.payment_quote("o-1")
    assert (undrawn["to_lender"], undrawn["to_seller"]) == (0, ORDER_AMOUNT)
    assert (undrawn["financing_status"], undrawn["lender"]) == ("undrawn", "bank")
    maker.orders.draw("o-1", "t-cai", supplier="cai", amount=40_000_000)
    with pytest.raises(ApiError) as not_in_plan:
        maker.orders.draw("o-1", "t-x", supplier="guarantor", amount=1)
    assert not_in_plan.value.problem["type"].endswith("/payee-not-in-plan")

    trade.register("maker", "core", "dn-po-1", "delivery_note", delivery_note("DN-PO-1"))
    trade.register("maker", "core", "inv-po-1", "e_invoice", order_invoice("00000009"))
    core.submit("document.confirm", {"document_id": "dn-po-1"})
    quoted = core.orders.payment_quote("o-1")
    owed = quoted["owed"]["total"]
    assert owed >= 40_000_000 and quoted["to_lender"] == min(owed, ORDER_AMOUNT)
    assert quoted["to_seller"] == ORDER_AMOUNT - quoted["to_lender"]
    assert quoted["paid_seq"] is None and maker.orders.payment_quote("o-1") == quoted
    for outsider in (bank2, cai):
        with pytest.raises(ApiError) as no_quote:
            outsider.orders.payment_quote("o-1")
        assert no_quote.value.status == 404
    receipt = core.orders.pay(
        "o-1", "pay-1", amount=ORDER_AMOUNT, delivery_ids=["dn-po-1"], invoice_ids=["inv-po-1"]
    )
    paid = next(e for e in receipt["events"] if e["type"] == "order.paid")["data"]
    assert paid["to_lender"] + paid["to_seller"] == ORDER_AMOUNT
    assert paid["financing_status"] == "settled"
    assert (paid["to_lender"], paid["to_seller"]) == (quoted["to_lender"], quoted["to_seller"])
    booked = bank.orders.payment_quote("o-1")
    assert (booked["to_lender"], booked["financing_status"]) == (paid["to_lender"], "settled")
    assert booked["paid_seq"] == receipt["seq"]

    assert [o["order_id"] for o in core.orders.list()["orders"]] == ["o-1"]
    assert cai.orders.list()["orders"] == []
    book = bank.orders.portfolio()
    assert [(f["financing_id"], f["status"]) for f in book["financings"]] == [("of-1", "settled")]
    with pytest.raises(ApiError) as other_book:
        maker.orders.portfolio("bank")
    assert other_book.value.status == 403
    trail = regulator.orders.trail("o-1")
    assert [d["role"] for d in trail["documents"]] == ["purchase_order", "delivery", "invoice"]
    assert trail["payment"]["to_lender"] == paid["to_lender"]
    assert maker.orders.get("o-1")["status"] == "paid"
    assert maker.orders.policy() == {"advance_bp_max": 7_000}
    assert trade.cash("bank2") == 0
