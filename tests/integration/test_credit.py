"""Credit decisions end to end on both stores: consent, registered models only, exact
reproduction, tax-data credit by compute-to-data, replay."""

from __future__ import annotations

import pytest

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.credit import intake, monitoring, tax, views
from puhui.credit.errors import (
    ConsentMissing,
    InputsMissing,
    ModelCannotDecide,
    ModelInvalid,
    ScoreMismatch,
    UnknownModel,
)
from puhui.credit.explain import explain
from puhui.kernel.digest import state_digest
from puhui.kernel.replay import replay_in_place
from tests.conftest import START
from tests.credit_support import (
    MODEL_ID,
    PRODUCT,
    assess_and_decide,
    credit_world,
    grant_invoices,
    register_model,
    scorecard_doc,
)
from tests.documents_support import NOW, snapshot


@pytest.fixture
def world(platform: Platform, operator: Identity) -> dict[str, Identity]:
    return credit_world(platform, operator)


def _assess(platform: Platform, lender: str, decision_id: str = "d-1") -> intake.Assessment:
    return intake.assess(
        platform.engine,
        decision_id=decision_id,
        lender=lender,
        applicant="seller",
        product_id=PRODUCT,
        model_id=MODEL_ID,
        as_of=START,
        sources=platform.credit_sources,
        now=NOW,
    )


def test_a_decision_is_recorded_and_reproduced_bit_for_bit(
    platform: Platform, world: dict[str, Identity]
) -> None:
    grant_invoices(platform, world["seller"])
    receipt = assess_and_decide(platform, world["bank-a"], "d-1")
    event = receipt.events[0]
    assert event.type == "credit.decided"
    assert event.data["outcome"] in {"approve", "refer", "decline"}
    assert event.data["grants"] == ["g-inv-bank-a"]
    assert event.data["sources"] == ["e_invoice"]
    with platform.engine.connect() as conn:
        why = explain(conn, "d-1")
        decision = views.get_decision(conn, "d-1")
    assert why.reproduced and why.differences == ()
    assert decision.score == event.data["score"] == sum(r["points"] for r in why.characteristics)
    assert decision.pd == event.data["pd"]
    # invoices: 4 x ~RMB 33,900 = over RMB 100,000 → best volume band; one buyer → 20 points
    points = {r["feature"]: r["points"] for r in why.characteristics}
    assert points["invoice_volume_12m_fen"] == 70
    assert points["buyer_concentration_bp"] == 20
    assert points["tax_rating"] == 10  # no tax attestation: rating unknown
    texts = [r["feature"] for r in decision.to_json()["reasons"]]
    assert texts[0] == "tax_rating"  # 70 points below A: the biggest gap, stated first
    with platform.engine.begin() as conn:
        before = state_digest(conn)
    replay_in_place(platform.engine, platform.registry)
    with platform.engine.connect() as conn:
        assert state_digest(conn) == before
        assert explain(conn, "d-1").reproduced


def test_without_consent_the_decision_is_refused(
    platform: Platform, world: dict[str, Identity]
) -> None:
    with pytest.raises(ConsentMissing):
        _assess(platform, "bank-a")
    grant_invoices(platform, world["seller"])
    good = _assess(platform, "bank-a").payload
    revoke = {"grant_id": "g-inv-bank-a"}
    platform.kernel.submit(world["seller"].sign("consent.revoke", revoke, START, "rv"))
    before = snapshot(platform)
    with pytest.raises(ConsentMissing):  # the handler checks the grant on the log again
        platform.kernel.submit(world["bank-a"].sign("credit.decide", good, START, "x"))
    assert snapshot(platform) == before


def test_only_a_registered_scorecard_decides(
    platform: Platform, world: dict[str, Identity]
) -> None:
    grant_invoices(platform, world["seller"])
    bank = world["bank-a"]
    payload = _assess(platform, "bank-a").payload
    with pytest.raises(UnknownModel):
        platform.kernel.submit(bank.sign("credit.decide", payload | {"model_id": "nope"}, START))
    register_model(platform, bank, "gbm-1", kind="gbm")
    with pytest.raises(ModelCannotDecide):
        platform.kernel.submit(bank.sign("credit.decide", payload | {"model_id": "gbm-1"}, START))
    with pytest.raises(ModelInvalid):  # a file that does not match its signed hash
        other = scorecard_doc(calibration={"intercept": "1", "slope": "0"})
        from puhui.client_credit import sign_model_registration
        from puhui.credit.scorecard import model_bytes

        signed = sign_model_registration(
            bank,
            "m-2",
            "scorecard",
            model_bytes(scorecard_doc()),
            feature_version="puhui-sme/1",
            training_data_sha256="0" * 64,
            metrics={},
            business_date=START,
        )
        intake.register_model(
            platform.engine, platform.kernel.submit, signed, model_bytes(other), NOW
        )


def test_a_tampered_score_is_refused_before_the_log(
    platform: Platform, world: dict[str, Identity]
) -> None:
    grant_invoices(platform, world["seller"])
    bank = world["bank-a"]
    payload = _assess(platform, "bank-a").payload
    before = snapshot(platform)
    for change in ({"score": payload["score"] + 1}, {"pd": "0.000001"}, {"reasons": []}):
        signed = bank.sign("credit.decide", payload | change, START)
        with pytest.raises(ScoreMismatch):
            intake.submit_decision(platform.engine, platform.kernel.submit, signed)
    missing = bank.sign("credit.decide", payload | {"inputs_sha256": "a" * 64}, START)
    with pytest.raises(InputsMissing):
        intake.submit_decision(platform.engine, platform.kernel.submit, missing)
    assert snapshot(platform) == before


def test_tax_data_credit_by_compute_to_data(platform: Platform, world: dict[str, Identity]) -> None:
    seller, bank, bureau = world["seller"], world["bank-a"], world["tax-bureau"]
    fields = ["tax_rating", "tax_revenue_12m_fen"]
    consent = {
        "consent_id": "tc-1",
        "bank": "bank-a",
        "tax_authority": "tax-bureau",
        "fields": fields,
        "valid_until": "2026-12-31",
    }
    platform.kernel.submit(seller.sign("credit.authorize_tax_data", consent, START, "tc"))
    with platform.engine.connect() as conn:  # on the tax bureau's side
        filings, ratings = tax.held_records(conn, "tax-bureau", "seller")
        granted = views.get_tax_consent(conn, "tc-1")
        values = tax.attestation_values(granted, "tax-bureau", filings, ratings, START)
    assert values == {"tax_rating": "A", "tax_revenue_12m_fen": 50_000_000}
    extra = {
        "attestation_id": "at-0",
        "consent_id": "tc-1",
        "values": values | {"tax_paid_12m_fen": 1},
    }
    with pytest.raises(Exception, match="exactly the consented fields"):
        platform.kernel.submit(bureau.sign("credit.attest_tax", extra, START))
    attest = {"attestation_id": "at-1", "consent_id": "tc-1", "values": values}
    platform.kernel.submit(bureau.sign("credit.attest_tax", attest, START, "at"))
    receipt = assess_and_decide(platform, bank, "d-tax")  # no document grant: tax data only
    data = receipt.events[0].data
    assert data["attestation_id"] == "at-1" and data["tax_rating"] == "A"
    assert data["sources"] == [] and data["grants"] == []
    with platform.engine.connect() as conn:
        assert explain(conn, "d-tax").reproduced
    payload = _assess(platform, "bank-a", "d-tax-2").payload
    platform.kernel.submit(seller.sign("credit.revoke_tax_data", {"consent_id": "tc-1"}, START))
    with pytest.raises(ConsentMissing, match="revoked"):
        platform.kernel.submit(bank.sign("credit.decide", payload, START))
    with pytest.raises(ConsentMissing):
        platform.kernel.submit(
            bureau.sign("credit.attest_tax", attest | {"attestation_id": "at-2"}, START)
        )
    with pytest.raises(ConsentMissing):
        _assess(platform, "bank-a", "d-tax-3")


def test_stability_of_recent_decisions(platform: Platform, world: dict[str, Identity]) -> None:
    grant_invoices(platform, world["seller"])
    for i in range(monitoring.DECISIONS_MIN):
        assess_and_decide(platform, world["bank-a"], f"d-{i}")
        if i == 0:
            with platform.engine.connect() as conn:
                assert monitoring.stability(conn, MODEL_ID, START).alerts == []  # too few
    with platform.engine.connect() as conn:
        result = monitoring.stability(conn, MODEL_ID, START)
    assert result.decisions == monitoring.DECISIONS_MIN
    # every decision has the same score: all in one of four equal training bins → PSI high
    assert result.score_psi > monitoring.ALERT_PSI
    assert "score PSI" in result.alerts[0]
    assert set(result.characteristics) == {c["name"] for c in scorecard_doc()["characteristics"]}


def test_a_parsed_model_is_reused_by_its_file_hash(
    platform: Platform, world: dict[str, Identity]
) -> None:
    from sqlalchemy import event

    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    with platform.engine.connect() as conn:
        model, card = intake.load_scorecard(conn, MODEL_ID)
        assert card.sha256 == model.sha256
        event.listen(platform.engine, "before_cursor_execute", count)
        try:
            again = intake.load_scorecard(conn, MODEL_ID)[1]
        finally:
            event.remove(platform.engine, "before_cursor_execute", count)
    assert again is card  # parsed once
    assert len(statements) == 1 and "credit_model_files" not in statements[0]
