"""Read functions of the agri context: the only way other contexts (and the API) read it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, case, func, select

from puhui.finance.agri.errors import (
    UnknownAgriLine,
    UnknownAlert,
    UnknownFeedOrder,
    UnknownFlock,
    UnknownTemplate,
)
from puhui.finance.agri.model import BatchFacts, BatchRecord, Stage, Template
from puhui.finance.agri.tables import (
    agri_alerts,
    agri_batches,
    agri_feed_orders,
    agri_flock_devices,
    agri_flocks,
    agri_lines,
    agri_readings,
    agri_sales,
    agri_templates,
)

PAGE_SIZE_MAX = 500
FARM_HISTORY_BATCHES_MAX = 5_000


def _page(limit: int) -> int:
    return max(1, min(limit, PAGE_SIZE_MAX))


def find_template(conn: Connection, template_id: str) -> Template | None:
    row = conn.execute(
        select(agri_templates.c.definition).where(agri_templates.c.template_id == template_id)
    ).first()
    return None if row is None else Template.from_json(json.loads(row.definition))


def get_template(conn: Connection, template_id: str) -> Template:
    found = find_template(conn, template_id)
    if found is None:
        raise UnknownTemplate(f"no production template {template_id!r}")
    return found


def list_templates(conn: Connection, species: str | None = None) -> list[Template]:
    query = select(agri_templates.c.definition).order_by(agri_templates.c.template_id)
    if species is not None:
        query = query.where(agri_templates.c.species == species)
    return [Template.from_json(json.loads(r.definition)) for r in conn.execute(query.limit(500))]


def _get(conn: Connection, table: Any, key: str, value: str, error: type[Exception]) -> Any:
    row = conn.execute(select(table).where(table.c[key] == value)).first()
    if row is None:
        raise error(f"no {key.removesuffix('_id').replace('_', ' ')} {value!r}")
    return row


def find_line(conn: Connection, line_id: str) -> Any:
    return conn.execute(select(agri_lines).where(agri_lines.c.line_id == line_id)).first()


def get_line(conn: Connection, line_id: str) -> Any:
    return _get(conn, agri_lines, "line_id", line_id, UnknownAgriLine)


def find_flock(conn: Connection, flock_id: str) -> Any:
    return conn.execute(select(agri_flocks).where(agri_flocks.c.flock_id == flock_id)).first()


def get_flock(conn: Connection, flock_id: str) -> Any:
    return _get(conn, agri_flocks, "flock_id", flock_id, UnknownFlock)


def get_order(conn: Connection, order_id: str) -> Any:
    return _get(conn, agri_feed_orders, "order_id", order_id, UnknownFeedOrder)


def get_alert(conn: Connection, alert_id: str) -> Any:
    return _get(conn, agri_alerts, "alert_id", alert_id, UnknownAlert)


def exists(conn: Connection, table: Any, key: str, value: str) -> bool:
    return conn.execute(select(table.c[key]).where(table.c[key] == value)).first() is not None


def plan(flock: Any) -> list[Stage]:
    return [
        Stage(s["stage"], s["first_day"], s["last_day"], s["feed_kg"], s["need"], s["allowance"])
        for s in json.loads(flock.plan)
    ]


def line_cycles(conn: Connection, line_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(agri_flocks)
            .where(agri_flocks.c.line_id == line_id)
            .order_by(agri_flocks.c.flock_id)
        )
    )


def flock_devices(conn: Connection, flock_ids: Sequence[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {f: set() for f in flock_ids}
    rows = conn.execute(
        select(agri_flock_devices.c.flock_id, agri_flock_devices.c.device_id).where(
            agri_flock_devices.c.flock_id.in_(list(flock_ids))
        )
    )
    for row in rows:
        found[row.flock_id].add(row.device_id)
    return found


def flocks_by_id(conn: Connection, flock_ids: Sequence[str]) -> dict[str, Any]:
    rows = conn.execute(select(agri_flocks).where(agri_flocks.c.flock_id.in_(list(flock_ids))))
    return {r.flock_id: r for r in rows}


def open_critical(conn: Connection, flock_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(agri_alerts).where(
                agri_alerts.c.flock_id == flock_id,
                agri_alerts.c.severity == "critical",
                agri_alerts.c.status == "open",
            )
        )
    )


def batch_facts(conn: Connection, farm_id: str, species: str) -> list[BatchFacts]:
    rows = conn.execute(
        select(agri_batches)
        .where(agri_batches.c.farm_id == farm_id, agri_batches.c.species == species)
        .order_by(agri_batches.c.batch_id)
    )
    return [_facts(r) for r in rows]


def _facts(r: Any) -> BatchFacts:
    return BatchFacts(
        r.batch_id, r.days, r.animals_placed, r.animals_sold, r.feed_kg, r.weight_g_avg, r.completed
    )


def farm_history(conn: Connection, farm_id: str) -> list[BatchRecord]:
    """The farm's finished batches, declared and monitored, oldest first (at most
    ``FARM_HISTORY_BATCHES_MAX``, the latest), with their templates' expected mortality."""
    b = agri_batches.c
    rows = conn.execute(
        select(agri_batches, agri_templates.c.definition)
        .outerjoin(agri_templates, agri_templates.c.template_id == b.template_id)
        .where(b.farm_id == farm_id)
        .order_by(b.placed_on.desc(), b.batch_id.desc())
        .limit(FARM_HISTORY_BATCHES_MAX)
    ).all()
    mortality: dict[str, int] = {}
    for r in rows:
        if r.definition is not None and r.template_id not in mortality:
            template = Template.from_json(json.loads(r.definition))
            mortality[r.template_id] = template.mortality_bp
    return [
        BatchRecord(_facts(r), r.placed_on, r.recorded_on, mortality.get(r.template_id), r.source)
        for r in reversed(rows)
    ]


def completion_counts(
    conn: Connection, species: str, *, farm_id: str, peers_region: str | None
) -> tuple[tuple[int, int], tuple[int, int]]:
    """((completed, batches) of the farm, (completed, batches) of other farms of the species,
    in ``peers_region`` when given)."""
    done = func.sum(case((agri_batches.c.completed, 1), else_=0))
    base = select(func.coalesce(done, 0), func.count()).where(agri_batches.c.species == species)
    own = conn.execute(base.where(agri_batches.c.farm_id == farm_id)).one()
    peer_q = base.where(agri_batches.c.farm_id != farm_id)
    if peers_region is not None:
        peer_q = peer_q.where(agri_batches.c.region == peers_region)
    peers = conn.execute(peer_q).one()
    return (int(own[0]), int(own[1])), (int(peers[0]), int(peers[1]))


# ---- JSON for the API and CLI ------------------------------------------------------------------


def _row_json(row: Any, *json_fields: str) -> dict[str, Any]:
    data = dict(row._mapping)
    for key, value in data.items():
        if hasattr(value, "isoformat"):
            data[key] = value.isoformat()
    for key in json_fields:
        data[key] = json.loads(data[key])
    return data


def line_json(conn: Connection, line_id: str) -> dict[str, Any]:
    line = get_line(conn, line_id)
    data = _row_json(line, "suppliers", "computation")
    data["cycles"] = [c.flock_id for c in line_cycles(conn, line_id)]
    return data


def flock_json(conn: Connection, flock_id: str) -> dict[str, Any]:
    flock = get_flock(conn, flock_id)
    data = _row_json(flock, "plan", "alert_levels")
    orders = conn.execute(
        select(agri_feed_orders)
        .where(agri_feed_orders.c.flock_id == flock_id)
        .order_by(agri_feed_orders.c.stage)
    )
    data["orders"] = [_row_json(o) for o in orders]
    data["alerts"] = list_alerts(conn, flock_id=flock_id)
    sales = conn.execute(select(agri_sales).where(agri_sales.c.flock_id == flock_id))
    data["sales"] = [_row_json(s) for s in sales]
    data["devices"] = sorted(flock_devices(conn, [flock_id])[flock_id])
    return data


def flock_days(conn: Connection, flock: Any) -> list[dict[str, Any]]:
    """The recorded days of ``flock`` (its row), oldest first: the devices' readings summed per
    day (weight averaged over all samples, as the close of day does) beside the template's
    expected weight at that age."""
    template = get_template(conn, flock.template_id)
    r = agri_readings.c
    rows = conn.execute(
        select(
            r.day,
            func.sum(r.readings).label("readings"),
            func.sum(r.weight_g_avg * r.weight_samples).label("weight_sum"),
            func.sum(r.weight_samples).label("weight_samples"),
            func.sum(r.deaths).label("deaths"),
            func.sum(r.feed_g).label("feed_g"),
        )
        .where(r.flock_id == flock.flock_id)
        .group_by(r.day)
        .order_by(r.day)
    )
    days = []
    for row in rows:
        age = (row.day - flock.placed_on).days
        samples = int(row.weight_samples or 0)
        days.append(
            {
                "day": row.day.isoformat(),
                "age": age,
                "readings": int(row.readings),
                "weight_g_avg": int(row.weight_sum) // samples if samples else None,
                "expected_g": template.weight_g_at(age),
                "deaths": int(row.deaths),
                "feed_g": int(row.feed_g),
            }
        )
    return days


def list_alerts(
    conn: Connection,
    *,
    flock_id: str | None = None,
    flock_ids: Sequence[str] | None = None,
    status: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    query = select(agri_alerts).order_by(agri_alerts.c.alert_id).limit(_page(limit))
    if flock_id is not None:
        query = query.where(agri_alerts.c.flock_id == flock_id)
    if flock_ids is not None:
        query = query.where(agri_alerts.c.flock_id.in_(list(flock_ids)))
    if status is not None:
        query = query.where(agri_alerts.c.status == status)
    if after is not None:
        query = query.where(agri_alerts.c.alert_id > after)
    return [_row_json(r, "figures") for r in conn.execute(query)]


def list_flocks(
    conn: Connection,
    *,
    party_id: str | None = None,
    status: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    query = select(agri_flocks).order_by(agri_flocks.c.flock_id).limit(_page(limit))
    if party_id is not None:
        query = query.where(
            (agri_flocks.c.farm_id == party_id)
            | (agri_flocks.c.lender_id == party_id)
            | (agri_flocks.c.supplier_id == party_id)
        )
    if status is not None:
        query = query.where(agri_flocks.c.status == status)
    if after is not None:
        query = query.where(agri_flocks.c.flock_id > after)
    return [_row_json(r, "plan", "alert_levels") for r in conn.execute(query)]


def list_batches(conn: Connection, farm_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(agri_batches)
        .where(agri_batches.c.farm_id == farm_id)
        .order_by(agri_batches.c.batch_id)
        .limit(PAGE_SIZE_MAX)
    )
    return [_row_json(r) for r in rows]
