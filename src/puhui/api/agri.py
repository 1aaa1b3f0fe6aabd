"""Routes of /api/v1/agri: production templates and the staged-vs-lump-sum interest they
imply, lines with the model's computation, flocks with their plan, orders, alerts and sales,
a farm's batches, and the readings summary of a raw IoT batch.

Reads only: every change is a signed ``agri.*`` command sent to ``POST /api/v1/commands``.
Lines and flocks are shown to their farm, lender and supplier, and to the operator, regulators
and auditors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from puhui.api.auth import Caller, caller
from puhui.bootstrap import Platform
from puhui.finance.agri import views
from puhui.finance.agri.model import interest_comparison, stage_plan
from puhui.finance.agri.readings import summarise
from puhui.finance.rates import rate_param
from puhui.kernel.errors import NotFound

router = APIRouter(prefix="/api/v1/agri", tags=["agri"])
Authed = Annotated[Caller, Depends(caller)]
READINGS_PER_SUMMARY_MAX = 100_000


def _platform(request: Request) -> Platform:
    value: Platform = request.app.state.platform
    return value


def _visible(who: Caller, *parties: str | None) -> bool:
    return who.reads_full_log or who.party_id in parties


@router.get("/templates")
def templates(request: Request, species: str | None = None) -> dict[str, Any]:
    with _platform(request).engine.connect() as conn:
        return {"templates": [t.to_json() for t in views.list_templates(conn, species)]}


@router.get("/templates/{template_id}")
def template(
    request: Request,
    template_id: str,
    animals: int = Query(10_000, ge=1, le=10**7),
    annual_rate: str = "0.087",
) -> dict[str, Any]:
    """The template, its stage plan for ``animals`` and the interest per animal of staged
    against lump-sum funding at ``annual_rate`` (computed from the feed curve)."""
    rate = rate_param(annual_rate)
    with _platform(request).engine.connect() as conn:
        t = views.get_template(conn, template_id)
    return {
        "template": t.to_json(),
        "plan": [s.to_json() for s in stage_plan(t, animals)],
        "interest_per_animal": interest_comparison(t, rate, animals).to_json(),
    }


@router.get("/lines/{line_id}")
def line(request: Request, line_id: str, who: Authed) -> dict[str, Any]:
    """The line with the approval's computation (inputs and figures)."""
    with _platform(request).engine.connect() as conn:
        data = views.line_json(conn, line_id)
    if not _visible(who, data["farm_id"], data["lender_id"], *data["suppliers"]):
        raise NotFound(f"line {line_id} does not exist or is not visible")
    return data


@router.get("/flocks")
def flocks(
    request: Request,
    who: Authed,
    status: str | None = None,
    party_id: str | None = None,
    after: str | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    party = party_id if who.reads_full_log else who.party_id
    with _platform(request).engine.connect() as conn:
        found = views.list_flocks(conn, party_id=party, status=status, after=after, limit=limit)
    return {"flocks": found, "next_after": found[-1]["flock_id"] if len(found) == limit else None}


@router.get("/flocks/{flock_id}")
def flock(request: Request, flock_id: str, who: Authed) -> dict[str, Any]:
    """The flock: plan, stages drawn, frozen or not, feed orders, alerts, sales, devices."""
    with _platform(request).engine.connect() as conn:
        data = views.flock_json(conn, flock_id)
    if not _visible(who, data["farm_id"], data["lender_id"], data["supplier_id"]):
        raise NotFound(f"flock {flock_id} does not exist or is not visible")
    return data


@router.get("/flocks/{flock_id}/days")
def flock_days(request: Request, flock_id: str, who: Authed) -> dict[str, Any]:
    """The flock's recorded days (readings summed per day) against the template's curve."""
    with _platform(request).engine.connect() as conn:
        flock = views.get_flock(conn, flock_id)
        if not _visible(who, flock.farm_id, flock.lender_id, flock.supplier_id):
            raise NotFound(f"flock {flock_id} does not exist or is not visible")
        return {"flock_id": flock_id, "days": views.flock_days(conn, flock)}


@router.get("/alerts")
def alerts(
    request: Request,
    who: Authed,
    status: str | None = None,
    after: str | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    """Alerts on the caller's flocks (as farm or lender; all for full-log readers)."""
    with _platform(request).engine.connect() as conn:
        ids = None
        if not who.reads_full_log:
            mine = views.list_flocks(conn, party_id=who.party_id, limit=500)
            ids = [f["flock_id"] for f in mine]
        found = views.list_alerts(conn, flock_ids=ids, status=status, after=after, limit=limit)
    return {"alerts": found, "next_after": found[-1]["alert_id"] if len(found) == limit else None}


@router.get("/farms/{farm_id}/batches")
def batches(request: Request, farm_id: str, who: Authed) -> dict[str, Any]:
    with _platform(request).engine.connect() as conn:
        lends = any(
            f["lender_id"] == who.party_id for f in views.list_flocks(conn, party_id=farm_id)
        )
        if not (_visible(who, farm_id) or lends):
            raise NotFound(f"the batches of {farm_id} are not visible to {who.party_id}")
        return {"farm_id": farm_id, "batches": views.list_batches(conn, farm_id)}


class SummaryRequest(BaseModel):
    flock_id: str
    device_id: str
    readings: list[tuple[int, str, int]] = Field(max_length=READINGS_PER_SUMMARY_MAX)
    batch_document_id: str | None = None


@router.post("/readings/summary")
def readings_summary(body: SummaryRequest) -> dict[str, Any]:
    """The row ``agri.record_readings`` carries for a device's raw readings of a day."""
    return summarise(body.flock_id, body.device_id, body.readings, body.batch_document_id)
