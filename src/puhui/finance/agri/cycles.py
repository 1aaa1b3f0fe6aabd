"""Handlers of a production cycle: the flock is placed (and, on a line, its loan contracted with
agri as the controller of its tranches), each stage's feed is ordered by the farm and paid to
the supplier when the supplier confirms, devices' daily readings are recorded, the lender
reviews alerts, and the buyer's payment repays the lender first and pays the farm the rest."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, tuple_

from puhui.accounts import TransferRequest, transfer_events
from puhui.documents import views as documents
from puhui.finance.agri import commands as c
from puhui.finance.agri import views
from puhui.finance.agri.errors import (
    AgriObjectExists,
    DeviceNotOfFarm,
    ExceedsLine,
    FlockFrozen,
    NotAgriParty,
    NotInState,
    ReadingsExist,
    StageExceedsPlan,
    StageNotDue,
    SupplierNotInPlan,
)
from puhui.finance.agri.handlers import ACTIVE, line_available
from puhui.finance.agri.model import stage_plan
from puhui.finance.agri.tables import (
    agri_batches,
    agri_feed_orders,
    agri_flock_devices,
    agri_flocks,
    agri_readings,
    agri_sales,
)
from puhui.kernel.commands import Event
from puhui.kernel.registry import HandlerContext
from puhui.lending import views as lending
from puhui.lending.books import cash_account
from puhui.lending.handlers import disbursement_events
from puhui.lending.lines import contract_events
from puhui.lending.servicing import repayment_events
from puhui.parties import views as parties

CONTROLLER = "agri"
FLOCK_ACTIVE, FLOCK_SOLD = "active", "sold"
READINGS_LATE_DAYS_MAX = 7


def _check_devices(ctx: HandlerContext, farm_id: str, device_ids: Sequence[str]) -> None:
    for device_id in device_ids:
        device = documents.get_device(ctx.conn, device_id)
        if device.owner != farm_id:
            raise DeviceNotOfFarm(f"device {device_id} belongs to {device.owner}, not {farm_id}")
    busy = ctx.conn.execute(
        select(agri_flock_devices.c.device_id, agri_flock_devices.c.flock_id)
        .join(agri_flocks, agri_flocks.c.flock_id == agri_flock_devices.c.flock_id)
        .where(
            agri_flock_devices.c.device_id.in_(list(device_ids)),
            agri_flocks.c.status == FLOCK_ACTIVE,
        )
    ).first()
    if busy is not None:
        raise DeviceNotOfFarm(f"device {busy.device_id} already monitors flock {busy.flock_id}")


def start_cycle(ctx: HandlerContext, p: c.StartCycle) -> Sequence[Event]:
    farm_id = ctx.command.actor
    if views.find_flock(ctx.conn, p.flock_id) is not None or views.exists(
        ctx.conn, agri_batches, "batch_id", p.flock_id
    ):
        raise AgriObjectExists(f"flock or batch {p.flock_id!r} already exists")
    if len(set(p.devices)) != len(p.devices):
        raise DeviceNotOfFarm("a device is named twice")
    _check_devices(ctx, farm_id, p.devices)
    data: dict[str, Any] = {
        "flock_id": p.flock_id,
        "farm_id": farm_id,
        "animals": p.animals,
        "devices": sorted(p.devices),
        "placed_on": ctx.business_date.isoformat(),
        "line_id": p.line_id,
        "loan_id": None,
        "lender_id": None,
        "supplier_id": None,
    }
    if p.line_id is None:
        if p.template_id is None:
            raise NotInState("name the template to monitor the flock against (or a line)")
        template = views.get_template(ctx.conn, p.template_id)
        plan = stage_plan(template, p.animals, 0)
        data |= {"template_id": template.template_id, "plan": [s.to_json() for s in plan]}
        return [Event("agri.cycle_started", data, (farm_id,))]
    line = views.get_line(ctx.conn, p.line_id)
    if line.farm_id != farm_id:
        raise NotAgriParty(f"line {p.line_id} is {line.farm_id}'s")
    if line.status != ACTIVE:
        raise NotInState(f"line {p.line_id} is {line.status}: accept it first", status=line.status)
    if p.animals > line.animals_max:
        raise ExceedsLine(f"the line finances flocks of up to {line.animals_max} animals")
    suppliers = json.loads(line.suppliers)
    if p.supplier_id is None or p.supplier_id not in suppliers:
        raise SupplierNotInPlan(
            f"{p.supplier_id} is not a supplier of line {p.line_id}; it names {suppliers}",
            suppliers=suppliers,
        )
    if lending.find_loan(ctx.conn, p.flock_id) is not None:
        raise AgriObjectExists(f"a loan {p.flock_id!r} already exists")
    template = views.get_template(ctx.conn, line.template_id)
    plan = stage_plan(template, p.animals, line.completion_bp)
    amount = sum(s.allowance for s in plan)
    available = line_available(ctx, line)
    if amount > available:
        raise ExceedsLine(
            f"the cycle needs {amount}; line {p.line_id} has {available} available",
            available=available,
        )
    product = lending.get_product(ctx.conn, line.product_id)
    _, loan_events = contract_events(
        product,
        loan_id=p.flock_id,
        borrower_id=farm_id,
        amount=amount,
        annual_rate=Decimal(line.annual_rate),
        term_periods=1,
        payees=[p.supplier_id],
        purpose=f"feed for flock {p.flock_id} ({p.animals} animals), paid to the supplier by stage",
        controller=CONTROLLER,
    )
    data |= {
        "template_id": template.template_id,
        "plan": [s.to_json() for s in plan],
        "loan_id": p.flock_id,
        "lender_id": line.lender_id,
        "supplier_id": p.supplier_id,
    }
    named = (farm_id, line.lender_id, p.supplier_id)
    return [Event("agri.cycle_started", data, named), *loan_events]


def _flock_for_stage(ctx: HandlerContext, flock_id: str) -> Any:
    flock = views.get_flock(ctx.conn, flock_id)
    if flock.status != FLOCK_ACTIVE or flock.loan_id is None:
        raise NotInState(f"flock {flock_id} is {flock.status} and financed: {bool(flock.loan_id)}")
    if flock.frozen:
        raise FlockFrozen(
            f"flock {flock_id} is frozen by a critical alert until {flock.lender_id} reviews it",
            alerts=[a.alert_id for a in views.open_critical(ctx.conn, flock_id)],
        )
    return flock


def order_feed(ctx: HandlerContext, p: c.OrderFeed) -> Sequence[Event]:
    flock = views.get_flock(ctx.conn, p.flock_id)
    if ctx.command.actor != flock.farm_id:
        raise NotAgriParty(f"only {flock.farm_id} orders feed for flock {p.flock_id}")
    flock = _flock_for_stage(ctx, p.flock_id)
    if views.exists(ctx.conn, agri_feed_orders, "order_id", p.order_id):
        raise AgriObjectExists(f"feed order {p.order_id!r} already exists")
    if p.supplier_id != flock.supplier_id:
        raise SupplierNotInPlan(
            f"the plan of flock {p.flock_id} pays its feed to {flock.supplier_id}, "
            f"not {p.supplier_id}",
            supplier_id=flock.supplier_id,
        )
    plan = views.plan(flock)
    if p.stage != flock.stages_drawn + 1 or p.stage > len(plan):
        raise StageNotDue(
            f"flock {p.flock_id} has drawn {flock.stages_drawn} of {len(plan)} stages; "
            f"stage {p.stage} cannot be ordered now"
        )
    pending = ctx.conn.execute(
        select(agri_feed_orders.c.order_id).where(
            agri_feed_orders.c.flock_id == p.flock_id, agri_feed_orders.c.status == "placed"
        )
    ).first()
    if pending is not None:
        raise NotInState(f"feed order {pending.order_id} of this flock awaits its supplier")
    stage = plan[p.stage - 1]
    template = views.get_template(ctx.conn, flock.template_id)
    age = (ctx.business_date - flock.placed_on).days
    opens = stage.draw_age - template.order_lead_days
    if age < opens:
        raise StageNotDue(
            f"stage {p.stage} (days {stage.first_day}-{stage.last_day}) can be ordered from "
            f"day {max(opens, 0)}; the flock is on day {age}"
        )
    if p.amount > stage.allowance or p.feed_kg > stage.feed_kg:
        raise StageExceedsPlan(
            f"stage {p.stage} of flock {p.flock_id} allows {stage.allowance} fen for "
            f"{stage.feed_kg} kg of feed (the template's need for {flock.animals} animals, "
            f"financed share applied); the order asks {p.amount} fen for {p.feed_kg} kg",
            allowance=stage.allowance,
            feed_kg=stage.feed_kg,
        )
    data = p.model_dump() | {"farm_id": flock.farm_id}
    return [Event("agri.feed_ordered", data, (flock.farm_id, p.supplier_id))]


def confirm_order(ctx: HandlerContext, p: c.ConfirmOrder) -> Sequence[Event]:
    order = views.get_order(ctx.conn, p.order_id)
    if ctx.command.actor != order.supplier_id:
        raise NotAgriParty(f"only {order.supplier_id} confirms feed order {p.order_id}")
    if order.status != "placed":
        raise NotInState(f"feed order {p.order_id} is {order.status}")
    flock = _flock_for_stage(ctx, order.flock_id)
    loan = lending.get_loan(ctx.conn, flock.loan_id)
    product = lending.get_product(ctx.conn, loan.product_id)
    money = disbursement_events(
        ctx,
        loan,
        product,
        f"stage-{order.stage}",
        order.amount,
        order.supplier_id,
        controller=CONTROLLER,
    )
    data = {
        "order_id": p.order_id,
        "flock_id": flock.flock_id,
        "stage": order.stage,
        "amount": order.amount,
    }
    named = (flock.farm_id, flock.lender_id, order.supplier_id)
    return [Event("agri.feed_order_confirmed", data, named), *money]


def record_readings(ctx: HandlerContext, p: c.RecordReadings) -> Sequence[Event]:
    """Daily per-device summaries of a farm's flocks, checked in bulk (three queries)."""
    farm_id = ctx.command.actor
    today = ctx.business_date
    if not today - timedelta(days=READINGS_LATE_DAYS_MAX) <= p.day <= today:
        raise NotInState(f"readings are for a day up to {READINGS_LATE_DAYS_MAX} days back")
    keys = [(r.flock_id, r.device_id) for r in p.rows]
    if len(set(keys)) != len(keys):
        raise ReadingsExist("a flock and device appear twice in the command")
    flock_ids = sorted({r.flock_id for r in p.rows})
    flocks = views.flocks_by_id(ctx.conn, flock_ids)
    devices = views.flock_devices(ctx.conn, flock_ids)
    for row in p.rows:
        flock = flocks.get(row.flock_id)
        if flock is None or flock.farm_id != farm_id:
            raise DeviceNotOfFarm(f"flock {row.flock_id} is not a flock of {farm_id}")
        if row.device_id not in devices[row.flock_id]:
            raise DeviceNotOfFarm(
                f"device {row.device_id} is not one of flock {row.flock_id}'s devices"
            )
        if flock.status != FLOCK_ACTIVE or p.day < flock.placed_on:
            raise NotInState(f"flock {row.flock_id} is not active on {p.day}")
        if row.batch_document_id is not None:
            doc = documents.get_document(ctx.conn, row.batch_document_id)
            if doc.device_id != row.device_id or doc.owner != farm_id:
                raise DeviceNotOfFarm(
                    f"document {doc.document_id} is not a batch of device {row.device_id}"
                )
    seen = ctx.conn.execute(
        select(agri_readings.c.flock_id, agri_readings.c.device_id).where(
            agri_readings.c.day == p.day,
            tuple_(agri_readings.c.flock_id, agri_readings.c.device_id).in_(keys),
        )
    ).first()
    if seen is not None:
        raise ReadingsExist(
            f"readings of device {seen.device_id} for flock {seen.flock_id} on {p.day} "
            "are already recorded"
        )
    rows = [
        [
            r.flock_id,
            r.device_id,
            r.readings,
            r.weight_g_avg,
            r.weight_samples,
            r.deaths,
            r.feed_g,
            r.temp_mc_min,
            r.temp_mc_max,
            r.batch_document_id,
        ]
        for r in p.rows
    ]
    return [Event("agri.readings_recorded", {"day": p.day.isoformat(), "rows": rows}, (farm_id,))]


def review_alert(ctx: HandlerContext, p: c.ReviewAlert) -> Sequence[Event]:
    alert = views.get_alert(ctx.conn, p.alert_id)
    flock = views.get_flock(ctx.conn, alert.flock_id)
    reviewer = flock.lender_id or flock.farm_id
    if ctx.command.actor != reviewer:
        raise NotAgriParty(f"alerts of flock {flock.flock_id} are reviewed by {reviewer}")
    if alert.status != "open":
        raise NotInState(f"alert {p.alert_id} was reviewed already")
    release = p.decision is c.Decision.RELEASE
    others = [a for a in views.open_critical(ctx.conn, flock.flock_id) if a.alert_id != p.alert_id]
    data = {
        "alert_id": p.alert_id,
        "flock_id": flock.flock_id,
        "kind": alert.kind,
        "decision": p.decision.value,
        "note": p.note,
        "by": ctx.command.actor,
        "unfreeze": bool(release and flock.frozen and not others),
    }
    return [Event("agri.alert_reviewed", data, (flock.farm_id, ctx.command.actor))]


def record_sale(ctx: HandlerContext, p: c.RecordSale) -> Sequence[Event]:
    """The buyer pays: the lender first (up to the loan's settlement quote), the rest to the
    farm; a final sale ends the cycle and records it as a completed batch of the farm."""
    flock = views.get_flock(ctx.conn, p.flock_id)
    buyer = ctx.command.actor
    if buyer == flock.farm_id:
        raise NotAgriParty("the buyer pays for the flock, not the farm itself")
    if flock.status != FLOCK_ACTIVE:
        raise NotInState(f"flock {p.flock_id} is {flock.status}")
    if views.exists(ctx.conn, agri_sales, "sale_id", p.sale_id):
        raise AgriObjectExists(f"sale {p.sale_id!r} is already recorded")
    loan = None if flock.loan_id is None else lending.get_loan(ctx.conn, flock.loan_id)
    if loan is not None and loan.status == "active":
        money = repayment_events(ctx, loan.loan_id, p.sale_id, p.amount, remainder_to=flock.farm_id)
        repaid = next(e for e in money if e.type == "lending.repaid").data
        to_lender, to_farm = repaid["amount"], repaid.get("remainder", 0)
    else:
        cash = cash_account(ctx.conn, buyer, "CNY")
        request = TransferRequest(
            f"agri-{ctx.seq}-0",
            cash,
            cash_account(ctx.conn, flock.farm_id, "CNY"),
            p.amount,
            reference=f"agri-sale:{p.flock_id}",
            payee=flock.farm_id,
        )
        money = transfer_events(ctx.conn, [request], business_date=ctx.business_date)
        to_lender, to_farm = 0, p.amount
    data: dict[str, Any] = p.model_dump() | {
        "buyer_id": buyer,
        "farm_id": flock.farm_id,
        "to_lender": to_lender,
        "to_farm": to_farm,
    }
    if p.final:
        data["batch"] = _completed_batch(ctx, flock, p)
    named = tuple(sorted({buyer, flock.farm_id, *([flock.lender_id] if flock.lender_id else [])}))
    return [Event("agri.sale_recorded", data, named), *money]


def _completed_batch(ctx: HandlerContext, flock: Any, p: c.RecordSale) -> dict[str, Any]:
    earlier = ctx.conn.execute(
        select(agri_sales.c.animals, agri_sales.c.units_milli).where(
            agri_sales.c.flock_id == flock.flock_id
        )
    ).all()
    animals = p.animals + sum(r.animals for r in earlier)
    units_milli = p.units_milli + sum(r.units_milli for r in earlier)
    return {
        "batch_id": flock.flock_id,
        "farm_id": flock.farm_id,
        "region": parties.get_party(ctx.conn, flock.farm_id).region,
        "species": views.get_template(ctx.conn, flock.template_id).species,
        "template_id": flock.template_id,
        "placed_on": flock.placed_on.isoformat(),
        "source": "platform",
        "days": max(1, (ctx.business_date - flock.placed_on).days),
        "animals_placed": flock.animals,
        "animals_sold": min(animals, flock.animals),
        "feed_kg": flock.feed_g // 1000,
        "weight_g_avg": units_milli // animals if animals else 0,
        "completed": True,
    }
