"""Lending through the HTTP API and the Python SDK, on both stores: products, offers with their
APR (and the cap's refusal as problem+json), the lifecycle by signed commands, statements,
schedules, settlement quotes and the portfolio, each shown only to those it concerns."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from puhui.api.app import create_app
from puhui.api.auth import new_token
from puhui.bootstrap import Platform
from puhui.client import ApiError, Client, Identity
from puhui.kernel import signing
from tests.conftest import register
from tests.loans import PRODUCT, Book, make_book


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        yield client


def _client(api: TestClient, book: Book, ident: Identity) -> Client:
    token = new_token()
    book.submit(ident, "party.issue_token", token.payload)
    return Client("http://testserver", ident, token=token.token, transport=api._transport)


def test_loan_through_the_api_and_sdk(
    api: TestClient, platform: Platform, operator: Identity
) -> None:
    book = make_book(platform, operator)
    farmer = _client(api, book, book.farmer())
    bank = _client(api, book, book.bank())
    vet = _client(api, book, book.parties["vet"])
    feed = _client(api, book, book.parties["feed"])

    (product,) = farmer.loan_products()
    assert product["product_id"] == "farm-12m" and product["rate_cap"] == "0.24"
    offer = farmer.loan_offer("farm-12m", 1_000_000, 12, "0.0435")
    assert offer["apr"] > "0.0435" and len(offer["schedule"]) == 12
    assert offer["total_cost"] == offer["total_interest"] + 12 * PRODUCT["fee_per_instalment"]
    with pytest.raises(ApiError) as refused:
        farmer.loan_offer("farm-12m", 1_000_000, 12, "0.25")
    assert refused.value.status == 422
    assert refused.value.problem["type"].endswith("/amount-out-of-range")

    farmer.apply_for_loan("l1", "farm-12m", 1_000_000, 12, ["vet"], "vaccines")
    assert [a["loan_id"] for a in bank.get("/lending/applications")["applications"]] == ["l1"]
    bank.submit("lending.approve", {"loan_id": "l1", "annual_rate": "0.0435"})
    farmer.sign_contract("l1")
    bank.sign_contract("l1")
    bank.submit(
        "lending.disburse",
        {"loan_id": "l1", "tranche_id": "t1", "amount": 1_000_000, "payee_id": "vet"},
    )
    with pytest.raises(ApiError) as wrong_payee:
        bank.submit(
            "lending.disburse",
            {"loan_id": "l1", "tranche_id": "t2", "amount": 1, "payee_id": "feed"},
        )
    assert wrong_payee.value.problem["type"].endswith("/payee-not-in-contract")

    statement = vet.loan_statement("l1")  # the payee named in the contract sees it
    assert statement["loan"]["status"] == "active"
    assert statement["transactions"][0]["party_id"] == "vet"
    assert len(farmer.loan_schedule("l1")) == 12
    quote = farmer.settlement_quote("l1")
    assert quote["total"] == 1_000_000
    with pytest.raises(ApiError) as hidden:
        feed.loan_statement("l1")
    assert hidden.value.status == 404
    farmer.repay("l1", "r1", 100_000)
    assert farmer.loan_statement("l1")["loan"]["principal_outstanding"] == 900_000
    assert bank.portfolio() == [
        {
            "currency": "CNY",
            "category": "normal",
            "loans": 1,
            "principal_outstanding": 900_000,
            "principal_overdue": 0,
        }
    ]
    assert [ln["loan_id"] for ln in farmer.loans()] == ["l1"]
    assert feed.loans() == []
    book.check_books()


def test_concentration_by_lender_borrower_and_region_for_supervisors(
    api: TestClient, platform: Platform, operator: Identity
) -> None:
    book = make_book(platform, operator)
    region = {"party_id": "farmer2", "name": "Farmer Two", "kind": "person", "roles": ["farmer"]}
    second = Identity("farmer2", signing.generate())
    book.submit(
        operator,
        "party.register",
        region | {"public_key": second.public_key_b64, "region": "350124"},
    )

    def disburse(loan_id: str, amount: int, payee: str) -> None:
        tranche = {"loan_id": loan_id, "tranche_id": "t1", "amount": amount, "payee_id": payee}
        book.submit(book.bank(), "lending.disburse", tranche)

    book.take_loan("l1", amount=1_000_000)
    disburse("l1", 700_000, "feed")
    book.submit(
        second,
        "lending.apply",
        {
            "loan_id": "l2",
            "product_id": "farm-12m",
            "amount": 300_000,
            "term_periods": 6,
            "payees": [{"party_id": "vet"}],
        },
    )
    approved = book.submit(book.bank(), "lending.approve", {"loan_id": "l2", "annual_rate": "0.05"})
    digest = approved.events[0].data["contract_digest"]
    for who in (second, book.bank()):
        book.submit(who, "lending.sign_contract", {"loan_id": "l2", "contract_digest": digest})
    disburse("l2", 300_000, "vet")
    supervisor = _client(api, book, register(platform, operator, "pboc", ["regulator"]))

    def groups(by: str) -> list[tuple[str | None, int, int]]:
        found = supervisor.get("/lending/concentration", by=by)["groups"]
        return [(g["key"], g["loans"], g["principal_outstanding"]) for g in found]

    assert groups("lender") == [("bank", 2, 1_000_000)]
    assert groups("borrower") == [("farmer", 1, 700_000), ("farmer2", 1, 300_000)]
    assert groups("region") == [(None, 1, 700_000), ("350124", 1, 300_000)]
    with pytest.raises(ApiError) as denied:
        _client(api, book, book.farmer()).get("/lending/concentration", by="lender")
    assert denied.value.status == 403
    with pytest.raises(ApiError) as wrong:
        supervisor.get("/lending/concentration", by="colour")
    assert wrong.value.status == 422
