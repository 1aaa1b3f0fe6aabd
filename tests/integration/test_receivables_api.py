"""The receivables API and SDK on both stores: the story signed on the clients, the invoice
totals checked against the stored invoices, views and their visibility, problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from puhui.api.app import create_app
from puhui.api.auth import new_token
from puhui.bootstrap import Platform
from puhui.client import ApiError, Client, Identity
from puhui.client_receivables import part
from tests.conftest import START
from tests.receivables_support import FACE, Chain, issue_payload, make_chain

MATURITY = START + timedelta(days=30)


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def sdk(platform: Platform, operator: Identity, api: TestClient) -> dict[str, Client]:
    chain = make_chain(platform, operator)
    clients = {}
    for party_id in ("core", "maker", "cai", "parts", "guarantor", "bank", "regulator"):
        ident = chain.who(party_id)
        token = new_token()
        platform.kernel.submit(ident.sign("party.issue_token", token.payload, START))
        clients[party_id] = Client(
            str(api.base_url), ident, token=token.token, transport=api._transport
        )
    clients["chain"] = chain  # type: ignore[assignment]
    return clients


def _issue(core: Client, **changes: object) -> dict[str, object]:
    p = issue_payload(**changes)
    return core.receivables.issue(
        str(p["receivable_id"]),
        supplier=str(p["supplier"]),
        amount=int(p["amount"]),
        contract_id=str(p["contract_id"]),
        delivery_ids=list(p["delivery_ids"]),
        invoices=list(p["invoices"]),
        maturity_date=MATURITY,
    )


def test_story_through_the_sdk(sdk: dict[str, Client]) -> None:
    chain: Chain = sdk["chain"]  # type: ignore[assignment]
    with pytest.raises(ApiError) as caught:
        _issue(sdk["core"], invoices=[{"document_id": "inv-1", "amount": FACE + 100}])
    assert caught.value.problem["type"].endswith("/amount-exceeds-invoices")
    assert f"totals {FACE} fen" in caught.value.problem["detail"]
    issued = _issue(sdk["core"])
    assert issued["receivable"]["status"] == "offered"
    with pytest.raises(ApiError) as caught:
        sdk["core"].submit("receivable.issue", issue_payload(receivable_id="rcv-9"))
    assert "POST it to /api/v1/receivables" in caught.value.problem["detail"]

    sdk["maker"].receivables.accept("rcv-1")
    sdk["maker"].receivables.transfer(
        "rcv-1", [part("p-cai", "cai", 30_000_000, "ct-maker-cai")], "p-maker"
    )
    sdk["cai"].receivables.transfer(
        "p-cai", [part("p-parts", "parts", 10_000_000, "ct-cai-parts")], "p-cai-kept"
    )
    sdk["guarantor"].receivables.offer_guarantee("g-1", "rcv-1", fee=300_000, fee_payer="core")
    sdk["core"].receivables.accept_guarantee("g-1")
    sdk["cai"].receivables.request_financing(
        "f-1", "p-cai-kept", bank="bank", recourse=True, payee="parts"
    )
    # the bank traces the piece it is asked to buy; an unrelated party cannot
    traced = sdk["bank"].receivables.trace("p-cai-kept")
    assert traced["holders"] == ["maker", "cai", "cai"]
    with pytest.raises(ApiError) as caught:
        sdk["parts"].receivables.trace("p-maker")
    assert caught.value.problem["status"] == 404
    sdk["bank"].receivables.finance("f-1", "0.0435", note="core enterprise rated AA")

    assert sdk["parts"].receivables.trace("p-parts")["holders"] == ["maker", "cai", "parts"]
    wallet = sdk["cai"].receivables.wallet()
    assert (wallet["total_held"], wallet["pieces_held"]) == (0, 0)
    assert sdk["parts"].receivables.wallet()["total_held"] == 10_000_000
    payables = sdk["core"].receivables.payables()
    assert payables["by_maturity"] == [{"maturity_date": MATURITY.isoformat(), "outstanding": FACE}]
    book = sdk["bank"].receivables.portfolio()
    assert book["financings"][0]["decision"]["note"] == "core enterprise rated AA"
    assert book["price_funded"] == 20_000_000 - 72_500
    graph = sdk["regulator"].receivables.graph("rcv-1")
    assert len(graph["nodes"]) == 5 and ["p-cai", "p-parts"] in graph["edges"]
    with pytest.raises(ApiError) as caught:
        sdk["cai"].receivables.graph("rcv-1")
    assert caught.value.problem["status"] == 403
    with pytest.raises(ApiError) as caught:
        sdk["cai"].receivables.wallet("maker")
    assert caught.value.problem["status"] == 403

    chain.close_days(MATURITY)
    assert sdk["core"].receivables.get("rcv-1")["status"] == "settled"
    assert sdk["parts"].receivables.wallet()["total_held"] == 0
    assert sdk["core"].receivables.payables()["total_outstanding"] == 0


def test_quote_wallet_offer_and_concentration(sdk: dict[str, Client]) -> None:
    """The console's reads: a financing's quote equals what funding it then pays; the wallet
    shows the bank a piece is offered to; concentration groups open receivables by core
    enterprise (and by its region: these parties have none)."""
    _issue(sdk["core"])
    sdk["maker"].receivables.accept("rcv-1")
    sdk["maker"].receivables.transfer(
        "rcv-1", [part("p-cai", "cai", 30_000_000, "ct-maker-cai")], "p-maker"
    )
    sdk["cai"].receivables.request_financing("f-1", "p-cai", bank="bank", recourse=False)
    held = sdk["cai"].receivables.wallet()["pieces"]
    assert [(p["piece_id"], p["offered_to"], p["offered_financing_id"]) for p in held] == [
        ("p-cai", "bank", "f-1")
    ]
    assert sdk["maker"].receivables.wallet()["pieces"][0]["offered_to"] is None

    quote = sdk["bank"].receivables.quote("f-1", "0.0435")
    assert quote["days"] == 30 and quote["core_enterprise"]["outstanding_payables"] == FACE
    assert quote["discount"] + quote["price"] == 30_000_000
    assert sdk["cai"].receivables.quote("f-1", "0.05", "ACT/365F")["day_count"] == "ACT/365F"
    for who, rate, status in (("parts", "0.0435", 404), ("bank", "1.5", 422)):
        with pytest.raises(ApiError) as caught:
            sdk[who].receivables.quote("f-1", rate)
        assert caught.value.problem["status"] == status
    sdk["bank"].receivables.finance("f-1", "0.0435")
    funded = sdk["bank"].receivables.portfolio()["financings"][0]
    assert (funded["discount"], funded["price"]) == (quote["discount"], quote["price"])

    by_issuer = sdk["regulator"].receivables.concentration("issuer")["groups"]
    assert by_issuer == [
        {
            "currency": "CNY",
            "key": "core",
            "receivables": 1,
            "outstanding": FACE,
            "overdue": 0,
            "financed": 30_000_000,
        }
    ]
    by_region = sdk["regulator"].receivables.concentration("region")["groups"]
    assert [(g["key"], g["outstanding"]) for g in by_region] == [(None, FACE)]
    with pytest.raises(ApiError) as caught:
        sdk["core"].receivables.concentration()
    assert caught.value.problem["status"] == 403

    sdk["chain"].close_days(MATURITY)  # type: ignore[attr-defined]
    with pytest.raises(ApiError) as caught:  # settled: there is nothing left to quote
        sdk["bank"].receivables.quote("f-1", "0.0435")
    assert caught.value.problem["status"] == 409 and "settled" in caught.value.problem["detail"]
