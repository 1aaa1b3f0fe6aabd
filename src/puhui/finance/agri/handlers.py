"""Handlers of templates, past batches and lines of credit from the production model.

The line is the lender's approval: its event carries the whole computation (inputs and
figures), so the decision can be explained from the log alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from puhui.documents import views as documents
from puhui.finance.agri import commands as c
from puhui.finance.agri import views
from puhui.finance.agri.errors import (
    AgriObjectExists,
    CompletionTooLow,
    NotAgriParty,
    NotInState,
    SupplierNotInPlan,
)
from puhui.finance.agri.model import (
    BP,
    PRIOR_STRENGTH_BATCHES,
    Template,
    completion_bp,
    fit,
    stage_plan,
)
from puhui.finance.agri.tables import agri_batches
from puhui.kernel.commands import Event
from puhui.kernel.registry import HandlerContext
from puhui.lending import views as lending
from puhui.lending.offers import check_amount_and_term, check_rate
from puhui.parties import views as parties

MODEL_VERSION = "puhui-agri/1"
PEER_BATCHES_MIN = 5
"""Fewer peer batches than this in the farm's region: peers are taken from every region."""
LENDER_ROLES = frozenset({"bank", "cooperative"})
OFFERED, ACTIVE, CLOSED = "offered", "active", "closed"


def _template_event(ctx: HandlerContext, template: Template) -> Event:
    if views.find_template(ctx.conn, template.template_id) is not None:
        raise AgriObjectExists(f"template {template.template_id!r} already exists")
    data = {"template": template.to_json(), "registered_by": ctx.command.actor}
    return Event("agri.template_registered", data)


def register_template(ctx: HandlerContext, p: c.RegisterTemplate) -> Sequence[Event]:
    return [_template_event(ctx, Template.from_json(p.template))]


def fit_template(ctx: HandlerContext, p: c.FitTemplate) -> Sequence[Event]:
    if ctx.command.actor != p.farm_id and not ctx.actor_roles & LENDER_ROLES:
        raise NotAgriParty("a template is fitted by the farm itself or by a lender")
    base = views.get_template(ctx.conn, p.base_template_id)
    fitted = fit(base, p.template_id, views.batch_facts(ctx.conn, p.farm_id, base.species))
    return [_template_event(ctx, fitted)]


def record_batch(ctx: HandlerContext, p: c.RecordBatch) -> Sequence[Event]:
    farm = parties.get_party(ctx.conn, ctx.command.actor)
    template = views.get_template(ctx.conn, p.template_id)
    if views.exists(ctx.conn, agri_batches, "batch_id", p.batch_id) or views.find_flock(
        ctx.conn, p.batch_id
    ):
        raise AgriObjectExists(f"batch {p.batch_id!r} is already recorded")
    if p.animals_sold > p.animals_placed:
        raise NotInState("a batch cannot sell more animals than were placed")
    if p.evidence_document_id is not None:
        doc = documents.get_document(ctx.conn, p.evidence_document_id)
        if doc.owner != farm.party_id:
            raise NotAgriParty(f"document {doc.document_id} is not the farm's own")
    data = p.model_dump(mode="json") | {
        "farm_id": farm.party_id,
        "region": farm.region,
        "species": template.species,
        "source": "declared",
    }
    return [Event("agri.batch_recorded", data, (farm.party_id,))]


def credit_computation(
    ctx: HandlerContext, template: Template, farm: Any, animals: int
) -> dict[str, Any]:
    """The model's inputs and figures: completion probability from the farm's own and its
    peers' batches, the cycle's feed cost from the template, the line = cost × probability."""
    own, peers = views.completion_counts(
        ctx.conn, template.species, farm_id=farm.party_id, peers_region=farm.region
    )
    scope = f"region {farm.region}"
    if peers[1] < PEER_BATCHES_MIN:
        own, peers = views.completion_counts(
            ctx.conn, template.species, farm_id=farm.party_id, peers_region=None
        )
        scope = "all regions"
    probability = completion_bp(own, peers, template.completion_prior_bp)
    cost = sum(s.need for s in stage_plan(template, animals))
    return {
        "model": MODEL_VERSION,
        "template_id": template.template_id,
        "animals": animals,
        "feed_g_per_animal": template.feed_g_total(),
        "feed_price_fen_per_kg": template.feed_price_fen_per_kg,
        "cycle_feed_cost": cost,
        "own_batches": own[1],
        "own_completed": own[0],
        "peer_batches": peers[1],
        "peer_completed": peers[0],
        "peers_scope": scope,
        "template_prior_bp": template.completion_prior_bp,
        "prior_strength_batches": PRIOR_STRENGTH_BATCHES,
        "completion_bp": probability,
        "limit": cost * probability // BP,
        "formula": "peer = (peer_completed + m*prior)/(peer_batches + m); "
        "completion = (own_completed + m*peer)/(own_batches + m); "
        "limit = cycle_feed_cost * completion; each stage may draw its need * completion",
    }


def open_line(ctx: HandlerContext, p: c.OpenLine) -> Sequence[Event]:
    lender = ctx.command.actor
    if views.find_line(ctx.conn, p.line_id) is not None:
        raise AgriObjectExists(f"line {p.line_id!r} already exists")
    product = lending.get_product(ctx.conn, p.product_id)
    if product.lender_id != lender:
        raise NotAgriParty(f"loan product {p.product_id} belongs to {product.lender_id}")
    farm = parties.get_party(ctx.conn, p.farm_id)
    if "farmer" not in farm.roles:
        raise NotAgriParty(f"{p.farm_id} is not a farmer")
    for supplier in p.suppliers:
        if "supplier" not in parties.get_party(ctx.conn, supplier).roles:
            raise SupplierNotInPlan(f"{supplier} is not a supplier")
    template = views.get_template(ctx.conn, p.template_id)
    rate = check_rate(product, p.annual_rate)
    computation = credit_computation(ctx, template, farm, p.animals)
    computation["completion_bp_min"] = p.completion_bp_min
    if computation["completion_bp"] < p.completion_bp_min:
        raise CompletionTooLow(
            f"{p.farm_id} completes a cycle with probability {computation['completion_bp']} bp, "
            f"below the {p.completion_bp_min} bp the policy needs",
            computation=computation,
        )
    check_amount_and_term(product, computation["limit"], 1)
    data = {
        "line_id": p.line_id,
        "lender_id": lender,
        "farm_id": p.farm_id,
        "template_id": p.template_id,
        "product_id": p.product_id,
        "annual_rate": str(rate),
        "animals_max": p.animals,
        "suppliers": sorted(set(p.suppliers)),
        "completion_bp": computation["completion_bp"],
        "limit": computation["limit"],
        "computation": computation,
    }
    return [Event("agri.line_opened", data, (p.farm_id, lender, *sorted(set(p.suppliers))))]


def _line_status(
    ctx: HandlerContext, line_id: str, frm: set[str], to: str, *, farm_only: bool
) -> Event:
    line = views.get_line(ctx.conn, line_id)
    allowed = {line.farm_id} if farm_only else {line.farm_id, line.lender_id}
    if ctx.command.actor not in allowed:
        raise NotAgriParty(f"only {' or '.join(sorted(allowed))} may do this to {line_id}")
    if line.status not in frm:
        raise NotInState(f"line {line_id} is {line.status}; this needs {sorted(frm)}")
    data = {"line_id": line_id, "status": to}
    return Event("agri.line_status", data, (line.farm_id, line.lender_id))


def accept_line(ctx: HandlerContext, p: c.LineRef) -> Sequence[Event]:
    return [_line_status(ctx, p.line_id, {OFFERED}, ACTIVE, farm_only=True)]


def close_line(ctx: HandlerContext, p: c.LineRef) -> Sequence[Event]:
    return [_line_status(ctx, p.line_id, {OFFERED, ACTIVE}, CLOSED, farm_only=False)]


def line_available(ctx: HandlerContext, line: Any) -> int:
    """The limit less what the line's cycles whose loans are not closed were approved for:
    a cycle repaid in full (its loan closed) gives its amount back — the line revolves."""
    used = 0
    for flock in views.line_cycles(ctx.conn, line.line_id):
        loan = lending.get_loan(ctx.conn, flock.loan_id)
        if loan.status != "closed":
            used += loan.amount_approved
    return int(line.limit_amount) - used
