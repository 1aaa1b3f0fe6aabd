"""The credit API and SDK: register a model with its file, decide, explain; refusals are
problem+json with clear messages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from puhui.api.app import create_app
from puhui.api.auth import new_token
from puhui.bootstrap import Platform
from puhui.client import ApiError, Client, Identity
from puhui.credit.features import FEATURE_VERSION
from puhui.credit.scorecard import model_bytes
from tests.conftest import START
from tests.credit_support import MODEL_ID, PRODUCT, credit_world, grant_invoices, scorecard_doc


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        yield client


def _sdk(platform: Platform, api: TestClient, ident: Identity) -> Client:
    token = new_token()
    platform.kernel.submit(ident.sign("party.issue_token", token.payload, START))
    return Client(str(api.base_url), ident, token=token.token, transport=api._transport)


def test_decide_and_explain_through_the_sdk(
    api: TestClient, platform: Platform, operator: Identity
) -> None:
    ids = credit_world(platform, operator)
    grant_invoices(platform, ids["seller"])
    bank = _sdk(platform, api, ids["bank-a"])
    content = model_bytes(scorecard_doc(calibration={"intercept": "3.5", "slope": "-0.02"}))
    receipt = bank.credit.register_model(
        "card-2",
        "scorecard",
        content,
        feature_version=FEATURE_VERSION,
        training_data_sha256="2" * 64,
        metrics={"auc": "0.80"},
    )
    assert receipt["events"][0]["data"]["sha256"] == model_bytes_sha(content)
    assert {m["model_id"] for m in bank.credit.models()} == {MODEL_ID, "card-2"}
    decided = bank.credit.decide("api-1", "seller", PRODUCT, "card-2")
    data = decided["events"][0]["data"]
    assert data["model_id"] == "card-2" and data["outcome"] in {"approve", "refer", "decline"}
    why = bank.credit.explain("api-1")
    assert why["reproduced"] is True and why["differences"] == []
    seller = _sdk(platform, api, ids["seller"])
    assert seller.credit.decision("api-1")["score"] == data["score"]
    with pytest.raises(ApiError) as denied:
        _sdk(platform, api, ids["bank-b"]).credit.decision("api-1")
    assert denied.value.status == 403
    listed = bank.get("/credit/decisions", applicant="seller")["decisions"]
    assert [(d["decision_id"], d["score"]) for d in listed] == [("api-1", data["score"])]
    assert listed[0]["reasons"] == data["reasons"]
    assert [d["decision_id"] for d in seller.get("/credit/decisions")["decisions"]] == ["api-1"]
    assert _sdk(platform, api, ids["bank-b"]).get("/credit/decisions")["decisions"] == []


def model_bytes_sha(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()


def test_refusals_are_clear_problems(
    api: TestClient, platform: Platform, operator: Identity
) -> None:
    ids = credit_world(platform, operator)
    bank = _sdk(platform, api, ids["bank-a"])
    with pytest.raises(ApiError) as no_consent:
        bank.credit.assess("x-1", "seller", PRODUCT, MODEL_ID)
    assert no_consent.value.status == 403
    assert no_consent.value.problem["type"].endswith("/consent-missing")
    grant_invoices(platform, ids["seller"])
    with pytest.raises(ApiError) as unknown:
        bank.credit.assess("x-1", "seller", PRODUCT, "never-registered")
    assert unknown.value.problem["type"].endswith("/unknown-model")
    payload = bank.credit.assess("x-1", "seller", PRODUCT, MODEL_ID)["payload"]
    with pytest.raises(ApiError) as bypass:  # decisions must pass the re-check route
        bank.submit("credit.decide", payload)
    assert "POST it to /api/v1/credit/decisions" in bypass.value.problem["detail"]
    response = api.post("/api/v1/credit/models", json={"command": {}, "content_b64": "%%"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
