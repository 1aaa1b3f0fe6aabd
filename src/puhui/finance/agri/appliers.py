"""Appliers: the agri context's events into its projections (bulk where it counts: a day's
readings and a day's monitoring are written with one executemany per table)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update

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
from puhui.kernel.canonical import canonical_json
from puhui.kernel.commands import Event
from puhui.kernel.errors import InvariantViolation
from puhui.kernel.registry import ApplyContext


def _json(value: Any) -> str:
    return canonical_json(value).decode()


def _update_one(conn: Connection, table: Any, key: str, value: str, **values: Any) -> None:
    if conn.execute(update(table).where(table.c[key] == value).values(**values)).rowcount != 1:
        raise InvariantViolation(f"{table.name} has no row {value}")


def template_registered(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    t = ev.data["template"]
    conn.execute(
        insert(agri_templates).values(
            template_id=t["template_id"],
            species=t["species"],
            definition=_json(t),
            registered_by=ev.data["registered_by"],
            registered_seq=ctx.seq,
        )
    )


def _batch_row(d: dict[str, Any], ctx: ApplyContext) -> dict[str, Any]:
    return {
        "batch_id": d["batch_id"],
        "farm_id": d["farm_id"],
        "region": d.get("region"),
        "species": d["species"],
        "template_id": d.get("template_id"),
        "placed_on": date.fromisoformat(d["placed_on"]),
        "days": d["days"],
        "animals_placed": d["animals_placed"],
        "animals_sold": d["animals_sold"],
        "feed_kg": d["feed_kg"],
        "weight_g_avg": d["weight_g_avg"],
        "completed": d["completed"],
        "source": d["source"],
        "evidence_document_id": d.get("evidence_document_id"),
        "recorded_seq": ctx.seq,
        "recorded_on": ctx.business_date,
    }


def batch_recorded(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    conn.execute(insert(agri_batches).values(**_batch_row(dict(ev.data), ctx)))


def line_opened(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    conn.execute(
        insert(agri_lines).values(
            line_id=d["line_id"],
            lender_id=d["lender_id"],
            farm_id=d["farm_id"],
            template_id=d["template_id"],
            product_id=d["product_id"],
            annual_rate=d["annual_rate"],
            animals_max=d["animals_max"],
            suppliers=_json(d["suppliers"]),
            completion_bp=d["completion_bp"],
            limit_amount=d["limit"],
            computation=_json(d["computation"]),
            status="offered",
            cycles=0,
            opened_seq=ctx.seq,
        )
    )


def line_status(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    _update_one(conn, agri_lines, "line_id", ev.data["line_id"], status=ev.data["status"])


def cycle_started(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    conn.execute(
        insert(agri_flocks).values(
            flock_id=d["flock_id"],
            farm_id=d["farm_id"],
            template_id=d["template_id"],
            line_id=d["line_id"],
            loan_id=d["loan_id"],
            lender_id=d["lender_id"],
            supplier_id=d["supplier_id"],
            animals=d["animals"],
            placed_on=date.fromisoformat(d["placed_on"]),
            plan=_json(d["plan"]),
            stages_drawn=0,
            drawn=0,
            status="active",
            frozen=False,
            deaths=0,
            feed_g=0,
            last_reading_on=None,
            last_weight_g=None,
            alert_levels="{}",
            started_seq=ctx.seq,
            sold_on=None,
        )
    )
    conn.execute(
        insert(agri_flock_devices),
        [
            {"flock_id": d["flock_id"], "device_id": x, "farm_id": d["farm_id"]}
            for x in d["devices"]
        ],
    )
    if d["line_id"] is not None:
        _update_one(conn, agri_lines, "line_id", d["line_id"], cycles=agri_lines.c.cycles + 1)


def feed_ordered(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    conn.execute(
        insert(agri_feed_orders).values(
            order_id=d["order_id"],
            flock_id=d["flock_id"],
            stage=d["stage"],
            supplier_id=d["supplier_id"],
            amount=d["amount"],
            feed_kg=d["feed_kg"],
            status="placed",
            placed_seq=ctx.seq,
            confirmed_seq=None,
        )
    )


def feed_order_confirmed(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    _update_one(
        conn, agri_feed_orders, "order_id", d["order_id"], status="confirmed", confirmed_seq=ctx.seq
    )
    _update_one(
        conn,
        agri_flocks,
        "flock_id",
        d["flock_id"],
        stages_drawn=d["stage"],
        drawn=agri_flocks.c.drawn + d["amount"],
    )


_FLOCK_READINGS = (
    update(agri_flocks)
    .where(agri_flocks.c.flock_id == bindparam("b_id"))
    .values(
        deaths=agri_flocks.c.deaths + bindparam("b_deaths"),
        feed_g=agri_flocks.c.feed_g + bindparam("b_feed"),
        last_reading_on=bindparam("b_day"),
        last_weight_g=bindparam("b_weight"),
    )
)


def readings_recorded(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    day = date.fromisoformat(ev.data["day"])
    rows = ev.data["rows"]
    conn.execute(
        insert(agri_readings),
        [
            {
                "flock_id": f,
                "day": day,
                "device_id": dev,
                "readings": n,
                "weight_g_avg": w,
                "weight_samples": ws,
                "deaths": deaths,
                "feed_g": feed,
                "temp_mc_min": tmin,
                "temp_mc_max": tmax,
                "batch_document_id": doc,
                "recorded_seq": ctx.seq,
            }
            for f, dev, n, w, ws, deaths, feed, tmin, tmax, doc in rows
        ],
    )
    per_flock: dict[str, list[int]] = {}
    for f, _dev, _n, w, _ws, deaths, feed, *_ in rows:
        sums = per_flock.setdefault(f, [0, 0, 0])
        sums[0] += deaths
        sums[1] += feed
        sums[2] = w if w is not None else sums[2]
    flocks = sorted(per_flock)
    current = {
        row.flock_id: row.last_reading_on
        for row in conn.execute(agri_flocks.select().where(agri_flocks.c.flock_id.in_(flocks)))
    }
    conn.execute(
        _FLOCK_READINGS,
        [
            {
                "b_id": f,
                "b_deaths": per_flock[f][0],
                "b_feed": per_flock[f][1],
                "b_day": max(day, current[f]) if current[f] is not None else day,
                "b_weight": per_flock[f][2] or None,
            }
            for f in flocks
        ],
    )


_SET_LEVELS = (
    update(agri_flocks)
    .where(agri_flocks.c.flock_id == bindparam("b_id"))
    .values(alert_levels=bindparam("b_levels"))
)
_FREEZE = update(agri_flocks).where(agri_flocks.c.flock_id == bindparam("b_id")).values(frozen=True)


def flocks_monitored(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    day = date.fromisoformat(d["date"])
    if d["alerts"]:
        conn.execute(
            insert(agri_alerts),
            [
                {
                    "alert_id": alert_id,
                    "flock_id": flock_id,
                    "day": day,
                    "kind": kind,
                    "severity": severity,
                    "reason": reason,
                    "figures": _json(figures),
                    "status": "open",
                    "raised_seq": ctx.seq,
                }
                for alert_id, flock_id, kind, severity, reason, figures in d["alerts"]
            ],
        )
    if d["levels"]:
        conn.execute(_SET_LEVELS, [{"b_id": f, "b_levels": _json(lv)} for f, lv in d["levels"]])
    if d["frozen"]:
        conn.execute(_FREEZE, [{"b_id": f} for f in d["frozen"]])


def alert_reviewed(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    release = d["decision"] == "release"
    _update_one(
        conn,
        agri_alerts,
        "alert_id",
        d["alert_id"],
        status="reviewed" if release else "open",
        reviewed_by=d["by"],
        decision=d["decision"],
        note=d["note"],
        reviewed_seq=ctx.seq,
    )
    if release and d["unfreeze"]:
        _update_one(conn, agri_flocks, "flock_id", d["flock_id"], frozen=False)


def sale_recorded(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    conn.execute(
        insert(agri_sales).values(
            sale_id=d["sale_id"],
            flock_id=d["flock_id"],
            buyer_id=d["buyer_id"],
            animals=d["animals"],
            units_milli=d["units_milli"],
            amount=d["amount"],
            to_lender=d["to_lender"],
            to_farm=d["to_farm"],
            final=d["final"],
            seq=ctx.seq,
        )
    )
    if not d["final"]:
        return
    _update_one(
        conn, agri_flocks, "flock_id", d["flock_id"], status="sold", sold_on=ctx.business_date
    )
    conn.execute(insert(agri_batches).values(**_batch_row(dict(d["batch"]), ctx)))
