"""The close of day for flocks: every active flock compared with its template, set-based.

Per chunk of ``FLOCKS_PER_CHUNK`` active flocks (keyset by flock id) two queries: the flocks'
running figures, and the day's readings summed per flock (``GROUP BY`` over
``agri_readings`` for the chunk's id range). The rules (``monitoring``) run in memory; each
chunk with anything to say becomes one ``agri.flocks_monitored`` event with the alerts raised,
the flocks whose alert levels changed and the flocks a critical alert freezes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from puhui.finance.agri import views
from puhui.finance.agri.model import Template
from puhui.finance.agri.monitoring import CRITICAL, SEVERITY, FlockDay, assess, next_levels
from puhui.finance.agri.tables import agri_flocks, agri_readings
from puhui.kernel.commands import Event
from puhui.kernel.errors import InvariantViolation
from puhui.kernel.registry import HandlerContext
from puhui.kernel.store.keys import by_code_point

FLOCKS_PER_CHUNK = 5_000
CHUNKS_PER_DAY_MAX = 10_000
_FLOCK_COLUMNS = (
    agri_flocks.c.flock_id,
    agri_flocks.c.template_id,
    agri_flocks.c.animals,
    agri_flocks.c.placed_on,
    agri_flocks.c.deaths,
    agri_flocks.c.last_reading_on,
    agri_flocks.c.alert_levels,
    agri_flocks.c.frozen,
    agri_flocks.c.farm_id,
    agri_flocks.c.lender_id,
)
r = agri_readings.c
_DAY_SUMS = select(
    r.flock_id,
    func.sum(r.readings).label("readings"),
    func.sum(r.weight_g_avg * r.weight_samples).label("weight_sum"),
    func.sum(r.weight_samples).label("weight_samples"),
    func.min(r.temp_mc_min).label("temp_min"),
    func.max(r.temp_mc_max).label("temp_max"),
).group_by(r.flock_id)


def _chunk(conn: Connection, day: date, after: str | None) -> list[Any]:
    key = by_code_point(conn, agri_flocks.c.flock_id)
    query = (
        select(*_FLOCK_COLUMNS)
        .where(agri_flocks.c.status == "active", agri_flocks.c.placed_on < day)
        .order_by(key)
        .limit(FLOCKS_PER_CHUNK)
    )
    if after is not None:
        query = query.where(key > after)
    return list(conn.execute(query))


def _day_sums(conn: Connection, day: date, first: str, last: str) -> dict[str, Any]:
    key = by_code_point(conn, r.flock_id)
    query = _DAY_SUMS.where(r.day == day, key >= first, key <= last)
    return {row.flock_id: row for row in conn.execute(query)}


def _facts(flock: Any, day: date, sums: Any) -> FlockDay:
    samples = int(sums.weight_samples or 0) if sums is not None else 0
    return FlockDay(
        flock_id=flock.flock_id,
        day=day,
        age=(day - flock.placed_on).days,
        animals=flock.animals,
        deaths=flock.deaths,
        last_reading_on=flock.last_reading_on,
        placed_on=flock.placed_on,
        readings=int(sums.readings) if sums is not None else 0,
        weight_g_avg=int(sums.weight_sum) // samples if samples else None,
        temp_mc_min=None if sums is None else sums.temp_min,
        temp_mc_max=None if sums is None else sums.temp_max,
    )


def monitor_chunk(
    rows: Sequence[Any], sums: dict[str, Any], day: date, templates: dict[str, Template]
) -> dict[str, Any]:
    alerts: list[list[Any]] = []
    levels: list[list[Any]] = []
    frozen: list[str] = []
    for flock in rows:
        held = json.loads(flock.alert_levels)
        facts = _facts(flock, day, sums.get(flock.flock_id))
        new, raised = next_levels(held, assess(templates[flock.template_id], facts))
        if new != held:
            levels.append([flock.flock_id, new])
        for f in raised:
            alert_id = f"{flock.flock_id}:{day.isoformat()}:{f.kind}"
            alerts.append(
                [alert_id, flock.flock_id, f.kind, SEVERITY[f.level], f.reason, f.figures]
            )
        if not flock.frozen and any(f.level == CRITICAL for f in raised):
            frozen.append(flock.flock_id)
    return {"date": day.isoformat(), "alerts": alerts, "levels": levels, "frozen": frozen}


def close_day(ctx: HandlerContext, day: date) -> Sequence[Event]:
    events: list[Event] = []
    templates: dict[str, Template] = {}
    after: str | None = None
    for _ in range(CHUNKS_PER_DAY_MAX):
        rows = _chunk(ctx.conn, day, after)
        if not rows:
            return events
        for t in {row.template_id for row in rows} - templates.keys():
            templates[t] = views.get_template(ctx.conn, t)
        sums = _day_sums(ctx.conn, day, rows[0].flock_id, rows[-1].flock_id)
        data = monitor_chunk(rows, sums, day, templates)
        if data["alerts"] or data["levels"]:
            owners = {row.flock_id: row for row in rows}
            named = {
                p
                for a in data["alerts"]
                for p in (owners[a[1]].farm_id, owners[a[1]].lender_id)
                if p is not None
            }
            events.append(Event("agri.flocks_monitored", data, tuple(sorted(named))))
        after = rows[-1].flock_id
    raise InvariantViolation(f"more than {CHUNKS_PER_DAY_MAX * FLOCKS_PER_CHUNK} active flocks")
