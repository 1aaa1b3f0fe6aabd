"""Order financing end to end against a served platform holding the demo, on both stores: the
demo's order as its bank and an outsider see it, then a new order told through the SDK over
HTTP — purchase order, both signatures, the bank reading the trail and funding, tranches to the
plan's suppliers, the delivery confirmed and the buyer's payment repaying the bank first — with
the ledger balanced, the CLI's trail, and `puhui verify` passing on the export."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from puhui.client import ApiError, Client, Identity
from puhui.client_orders import plan_line
from puhui.demo_orders import USCC
from tests.e2e.test_cli import env, run, server

__all__ = ["env", "server"]

AMOUNT = 5_000_000


def _clients(server: str, tmp_path: Path, *parties: str) -> list[Client]:
    keys = tmp_path / "demo" / "keys"
    tokens = json.loads((tmp_path / "demo" / "tokens.json").read_text())
    return [
        Client(server, Identity.from_key_file(p, keys / f"{p}.key"), token=tokens[p])
        for p in parties
    ]


def test_order_financed_and_repaid_lender_first_over_http(
    env: dict[str, str], server: str, tmp_path: Path
) -> None:
    maker, core, bank, cai, operator = _clients(
        server, tmp_path, "oven-maker", "bakery-core", "city-bank", "cai-shirong", "operator"
    )
    demo = bank.orders.trail("order-oven-0003")
    assert demo["payment"]["to_lender"] + demo["payment"]["to_seller"] == 40_000_000
    assert demo["financings"][0]["status"] == "settled"
    with pytest.raises(ApiError) as hidden:
        cai.orders.trail("order-oven-0003")
    assert hidden.value.status == 404

    today = maker.business_date()
    due = today + timedelta(days=30)
    body = {
        "order_no": "PO-E2E-1",
        "buyer_uscc": USCC["bakery-core"],
        "seller_uscc": USCC["oven-maker"],
        "goods": "one proving cabinet",
        "quantity": 1,
        "unit": "set",
        "amount": AMOUNT,
        "ordered_on": today.isoformat(),
        "delivery_due": due.isoformat(),
    }
    maker.documents.register("po-e2e-1", "purchase_order", body, counterparty="bakery-core")
    maker.orders.open("o-e2e-1", document_id="po-e2e-1", amount=AMOUNT, delivery_due=due)
    core.orders.confirm("o-e2e-1", amount=AMOUNT, delivery_due=due)
    plan = [plan_line("cai-shirong", 2_000_000), plan_line("parts-maker", 1_500_000)]
    maker.orders.request_financing(
        "of-e2e-1",
        "o-e2e-1",
        bank="city-bank",
        product_id="order-90d",
        annual_rate_max="0.05",
        plan=plan,
    )
    seen = bank.orders.trail("o-e2e-1")
    assert seen["documents"][0]["confirmed_seq"] == seen["signatures"]["buyer"]["seq"]
    bank.orders.finance("of-e2e-1", "0.045")
    with pytest.raises(ApiError) as twice:
        maker.orders.request_financing(
            "of-e2e-2",
            "o-e2e-1",
            bank="city-bank",
            product_id="order-90d",
            annual_rate_max="0.05",
            plan=plan,
        )
    assert twice.value.problem["type"].endswith("/order-already-financed")
    for line in plan:
        maker.orders.draw(
            "o-e2e-1", f"t-{line['supplier']}", supplier=line["supplier"], amount=line["amount"]
        )
    for _ in range(5):
        operator.submit("clock.close_day", {"date": operator.business_date().isoformat()})

    note = {
        "note_no": "DN-E2E-1",
        "supplier_uscc": USCC["oven-maker"],
        "buyer_uscc": USCC["bakery-core"],
        "order_no": "PO-E2E-1",
        "goods": "one proving cabinet",
        "quantity": 1,
        "unit": "set",
        "shipped_on": operator.business_date().isoformat(),
    }
    maker.documents.register("dn-e2e-1", "delivery_note", note, counterparty="bakery-core")
    core.documents.confirm("dn-e2e-1")
    quote = bank.settlement_quote("of-e2e-1")["total"]
    assert quote > 3_500_000
    bank_before = bank.account("city-bank:cash:cny")["balance"]
    receipt = core.orders.pay("o-e2e-1", "pay-e2e-1", amount=AMOUNT, delivery_ids=["dn-e2e-1"])
    paid = next(e for e in receipt["events"] if e["type"] == "order.paid")["data"]
    assert (paid["to_lender"], paid["to_seller"]) == (quote, AMOUNT - quote)
    bank_after = bank.account("city-bank:cash:cny")["balance"]
    assert bank_after - bank_before == quote
    assert operator.trial_balance()["balanced"] is True

    trail = json.loads(run(env, "orders", "trail", "o-e2e-1").stdout)
    assert trail["payment"]["to_lender"] == quote
    assert [f["status"] for f in trail["financings"]] == ["settled"]
    balanced = run(env, "accounts", "trial-balance").stdout
    assert "│ CNY" in balanced and "│ no" not in balanced
    refused = run(env, "orders", "show", "no-such-order", ok=False)
    assert refused.returncode == 1 and "no order 'no-such-order'" in refused.stderr
    log_key = run(env, "log", "key").stdout.strip()
    run(env, "export", str(tmp_path / "export"))
    verified = run(env, "verify", str(tmp_path / "export"), "--log-key", log_key)
    assert verified.stdout.startswith("OK puhui.local/log")
    for client in (maker, core, bank, cai, operator):
        client.close()
