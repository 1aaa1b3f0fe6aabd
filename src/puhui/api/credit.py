"""Routes of the credit context under /api/v1/credit: models (registered with their file),
assessments, decisions (re-checked before the log), explanations, stability, tax consents."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from puhui.api.auth import Caller
from puhui.api.routes import Authed, platform, writer
from puhui.credit import intake, monitoring, views
from puhui.credit.explain import explain
from puhui.credit.scorecard import Scorecard
from puhui.kernel import clock
from puhui.kernel.canonical import SAFE_INTEGER_MAX
from puhui.kernel.errors import InvalidCommand, NotFound, PermissionDenied
from puhui.kernel.service import Kernel, utc_now

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])
"""Repayment history: the loan engine's implementation replaces this when it lands."""


class ModelRegistration(BaseModel):
    command: dict[str, Any]
    content_b64: str = Field(max_length=90_000_000)


@router.post("/models", status_code=201)
def register_model(request: Request, response: Response, body: ModelRegistration) -> dict[str, Any]:
    """Register a model: the signed ``credit.register_model`` and the model file, which must
    match the hash and size in the command. The file is stored off-log."""
    try:
        content = base64.b64decode(body.content_b64, validate=True)
    except binascii.Error as exc:
        raise InvalidCommand("content_b64 is not base64") from exc
    p = platform(request)
    receipt = intake.register_model(
        p.engine, writer(request).submit, Kernel.parse(body.command), content, utc_now()
    )
    if receipt.repeat:
        response.status_code = 200
    return receipt.to_json()


@router.get("/models")
def list_models(request: Request, _who: Authed) -> dict[str, Any]:
    with platform(request).engine.connect() as conn:
        return {"models": [m.to_json() for m in views.list_models(conn)]}


@router.get("/models/{model_id}")
def get_model(request: Request, _who: Authed, model_id: str) -> dict[str, Any]:
    """The registration, and for a scorecard its bins and points (the model card's table)."""
    with platform(request).engine.connect() as conn:
        model = views.get_model(conn, model_id)
        card = None
        if model.kind == "scorecard":
            _m, card = intake.load_scorecard(conn, model_id)
    return model.to_json() | {"scorecard": None if card is None else _card_json(card)}


def _card_json(card: Scorecard) -> dict[str, Any]:
    return {"characteristics": card.doc["characteristics"], "calibration": card.doc["calibration"]}


@router.get("/models/{model_id}/stability")
def stability(request: Request, _who: Authed, model_id: str, since: date) -> dict[str, Any]:
    """PSI of scores and CSI of features, recent decisions vs training; alert above 0.25."""
    with platform(request).engine.connect() as conn:
        return monitoring.stability(conn, model_id, since).to_json()


class AssessmentRequest(BaseModel):
    decision_id: str = Field(max_length=64)
    applicant: str = Field(max_length=64)
    product_id: str = Field(max_length=64)
    model_id: str = Field(max_length=64)


@router.post("/assessments")
def assess(request: Request, who: Authed, body: AssessmentRequest) -> dict[str, Any]:
    """Compute the applicant's features under the caller's consents, as of today's business
    date, score them and store them; returns the ``credit.decide`` payload to sign."""
    p = platform(request)
    with p.engine.connect() as conn:
        today = clock.business_date(conn)
    if today is None:
        raise NotFound("the log has no genesis entry yet")
    result = intake.assess(
        p.engine,
        decision_id=body.decision_id,
        lender=who.party_id,
        applicant=body.applicant,
        product_id=body.product_id,
        model_id=body.model_id,
        as_of=today,
        sources=p.credit_sources,
        now=utc_now(),
    )
    return result.to_json() | {"as_of": today.isoformat()}


@router.post("/decisions", status_code=201)
def decide(request: Request, response: Response, body: dict[str, Any]) -> dict[str, Any]:
    """Submit a signed ``credit.decide``: recomputed from the stored inputs and the registered
    model first; refused (422 score-mismatch) unless it agrees exactly."""
    receipt = intake.submit_decision(
        platform(request).engine, writer(request).submit, Kernel.parse(body)
    )
    if receipt.repeat:
        response.status_code = 200
    return receipt.to_json()


@router.get("/decisions")
def list_decisions(
    request: Request,
    who: Authed,
    applicant: str | None = None,
    before_seq: int | None = Query(None, ge=0, le=SAFE_INTEGER_MAX),
    limit: int = Query(100, ge=1, le=views.PAGE_SIZE_MAX),
) -> dict[str, Any]:
    """Decisions the caller made or is the applicant of (all for supervisors), newest first;
    page back with ``before_seq``."""
    party = None if who.reads_full_log else who.party_id
    with platform(request).engine.connect() as conn:
        found = views.decisions_of(
            conn, party, applicant=applicant, before_seq=before_seq, limit=limit
        )
    return {
        "decisions": [d.to_json() for d in found],
        "next_before_seq": found[-1].decided_seq if len(found) == limit else None,
    }


def _decision_for(conn: Connection, who: Caller, decision_id: str) -> views.Decision:
    found = views.get_decision(conn, decision_id)
    if not (found.concerns(who.party_id) or who.reads_full_log):
        raise PermissionDenied("only the lender, the applicant and supervisors see a decision")
    return found


@router.get("/decisions/{decision_id}")
def get_decision(request: Request, who: Authed, decision_id: str) -> dict[str, Any]:
    with platform(request).engine.connect() as conn:
        return _decision_for(conn, who, decision_id).to_json()


@router.get("/decisions/{decision_id}/explain")
def explain_decision(request: Request, who: Authed, decision_id: str) -> dict[str, Any]:
    """Reproduce the decision bit for bit and show the points, reasons and rules behind it."""
    with platform(request).engine.connect() as conn:
        _decision_for(conn, who, decision_id)
        return explain(conn, decision_id).to_json()


@router.get("/tax-consents")
def tax_consents(
    request: Request, who: Authed, limit: int = Query(100, ge=1, le=500)
) -> dict[str, Any]:
    """The caller's tax-data consents (as the firm)."""
    with platform(request).engine.connect() as conn:
        found = views.tax_consents_of(conn, who.party_id, limit)
    return {"consents": [c.to_json() for c in found]}
