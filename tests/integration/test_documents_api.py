"""Documents, consent and liens through the HTTP API and the SDK, on both stores — including
50 concurrent attempts to finance one invoice, served by real threads through the group-commit
writer."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from puhui.api.app import create_app
from puhui.api.auth import new_token
from puhui.bootstrap import Platform
from puhui.client import ApiError, Client, Identity
from puhui.client_documents import sign_registration
from puhui.documents.content import fingerprint_of
from puhui.documents.tables import lien_encumbrances, liens
from tests.conftest import START, register
from tests.documents_support import invoice, snapshot, tax_filing, trade_parties

ATTEMPTS = 50


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def people(platform: Platform, operator: Identity) -> dict[str, Identity]:
    return trade_parties(platform, operator)


def _sdk(platform: Platform, api: TestClient, ident: Identity) -> Client:
    token = new_token()
    platform.kernel.submit(ident.sign("party.issue_token", token.payload, START))
    return Client(str(api.base_url), ident, token=token.token, transport=api._transport)


def test_fifty_concurrent_financings_of_one_invoice_make_one_lien(
    api: TestClient, platform: Platform, operator: Identity, people: dict[str, Identity]
) -> None:
    banks = [people["bank-a"], people["bank-b"]]
    banks += [register(platform, operator, f"bank-{i}", ["bank"]) for i in range(3)]
    fp = fingerprint_of("e_invoice", invoice())
    attempts = [
        banks[i % len(banks)].sign(
            "lien.register",
            {"lien_id": f"lien-{i}", "fingerprint": fp, "kind": "e_invoice", "grantor": "seller"},
            START,
        )
        for i in range(ATTEMPTS)
    ]

    def attempt(i: int) -> tuple[int, dict[str, object]]:
        response = api.post("/api/v1/commands", json=attempts[i].to_json())
        return response.status_code, response.json()

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        results = list(pool.map(attempt, range(ATTEMPTS)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (ATTEMPTS - 1)
    winner = next(body for status, body in results if status == 201)
    lien_id = winner["events"][0]["data"]["lien_id"]  # type: ignore[index]
    for status, body in results:
        if status == 409:
            assert body["type"].endswith("/lien-exists") and body["lien_id"] == lien_id
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(liens)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(lien_encumbrances)).scalar_one() == 1


def test_sdk_story_register_share_read_verify_finance(
    api: TestClient, platform: Platform, people: dict[str, Identity]
) -> None:
    seller = _sdk(platform, api, people["seller"])
    bank_a = _sdk(platform, api, people["bank-a"])
    bank_b = _sdk(platform, api, people["bank-b"])
    buyer = _sdk(platform, api, people["buyer"])
    package, receipt = seller.documents.register(
        "inv-1", "e_invoice", invoice(), counterparty="buyer"
    )
    assert receipt["events"][0]["type"] == "document.registered"
    buyer.documents.confirm("inv-1")
    assert buyer.documents.document("inv-1")["confirmed_on"] == "2026-03-02"
    with pytest.raises(ApiError) as hidden:
        bank_a.documents.document("inv-1")
    assert hidden.value.status == 404
    seller.documents.register("tf-1", "tax_filing", tax_filing(), counterparty="tax-bureau")
    with pytest.raises(ApiError) as refused:
        bank_a.documents.read("tf-1", "credit_assessment")
    assert refused.value.status == 403 and "access-denied" in refused.value.problem["type"]
    seller.documents.grant(
        "g-1", "bank-a", "credit_assessment", date(2026, 4, 1), kind="tax_filing"
    )
    shared = bank_a.documents.read("tf-1", "credit_assessment")
    assert bank_a.documents.verify(shared["package"])["verdict"] == "authentic"
    seller.documents.revoke("g-1")
    with pytest.raises(ApiError):
        bank_a.documents.read("tf-1", "credit_assessment")
    outcomes = [(r["reader"], r["outcome"]) for r in seller.documents.access_log("tf-1")]
    assert outcomes == [("bank-a", "refused"), ("bank-a", "granted"), ("bank-a", "refused")]
    forged = package.to_json() | {"body": invoice(amount_before_tax=5_000_000)}
    verdict = bank_b.documents.verify(forged)
    assert verdict["verified"] is False and verdict["verdict"] == "altered"
    fp = bank_a.documents.fingerprint("e_invoice", invoice(number="０４８１２３４５"))
    bank_a.documents.register_lien("lien-a", fp, "e_invoice", "seller", document_id="inv-1")
    with pytest.raises(ApiError) as taken:
        bank_b.documents.register_lien("lien-b", fp, "e_invoice", "seller")
    assert taken.value.status == 409 and taken.value.problem["lien_id"] == "lien-a"
    answer = bank_b.documents.encumbrance(fp)
    assert answer["encumbered"] is True and answer["lien_id"] == "lien-a"
    assert answer["checkpoint"]["size"] == answer["evidence"]["tree_size"]
    assert answer["evidence"]["checkpoint_signed"] is True
    assert [x["lien_id"] for x in seller.get("/liens")["liens"]] == ["lien-a"]
    assert seller.get("/consents")["grants"][0]["revoked_on"] == "2026-03-02"


def test_bad_documents_through_the_api_change_nothing(
    api: TestClient, platform: Platform, people: dict[str, Identity]
) -> None:
    before = snapshot(platform)
    signed, package = sign_registration(people["seller"], "inv-1", "e_invoice", invoice(), START)
    for body, code in [
        (invoice(buyer_uscc="91350101MA2Y0001XQ"), "document-invalid"),
        (invoice(amount_before_tax=-1), "document-invalid"),
        (invoice(tax=2_000_000), "document-invalid"),
        (invoice(issued_on="2026-02-30"), "document-invalid"),
    ]:
        response = api.post(
            "/api/v1/documents",
            json={"command": signed.to_json(), "package": package.to_json() | {"body": body}},
        )
        assert response.status_code == 422, response.text
        assert response.json()["type"].endswith(code)
    unknown = package.to_json() | {"kind": "receipt"}
    response = api.post("/api/v1/documents", json={"command": signed.to_json(), "package": unknown})
    assert response.json()["type"].endswith("unknown-document-kind")
    bare = api.post("/api/v1/commands", json=signed.to_json())
    assert bare.status_code == 422 and "POST it to /api/v1/documents" in bare.json()["detail"]
    assert snapshot(platform) == before
    good = api.post(
        "/api/v1/documents", json={"command": signed.to_json(), "package": package.to_json()}
    )
    assert good.status_code == 201
    again = api.post(
        "/api/v1/documents", json={"command": signed.to_json(), "package": package.to_json()}
    )
    assert again.status_code == 200 and again.json()["repeat"] is True
