"""The business clock. Time is data: the date moves only by a signed ``clock.close_day``.

Closing day D runs every context's close-of-day hook (accrual, ageing, maturities, ...) dated D,
in registration order, then moves the business date to D + 1. Handlers see only this date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, insert, select, update

from puhui.kernel.commands import Event
from puhui.kernel.errors import Conflict, InvariantViolation
from puhui.kernel.registry import ApplyContext, CommandSpec, HandlerContext, Registry
from puhui.kernel.store.tables import clock

CLOSE_DAY_ROLES = frozenset({"operator"})


class CloseDay(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    date: date


def started_event(start: date) -> Event:
    """The event a genesis handler emits to start the clock."""
    return Event("clock.started", {"date": start.isoformat()})


def close_day(ctx: HandlerContext, payload: CloseDay) -> Sequence[Event]:
    if payload.date != ctx.business_date:
        raise Conflict(
            f"cannot close {payload.date}: the business date is {ctx.business_date}",
            business_date=ctx.business_date.isoformat(),
        )
    events: list[Event] = []
    for _name, hook in ctx.registry.close_day_hooks:
        events.extend(hook(ctx, payload.date))
    following = payload.date + timedelta(days=1)
    events.append(
        Event("clock.day_closed", {"date": payload.date.isoformat(), "next": following.isoformat()})
    )
    return events


def _apply_started(conn: Connection, event: Event, _ctx: ApplyContext) -> None:
    start = date.fromisoformat(event.data["date"])
    conn.execute(insert(clock).values(id=1, business_date=start, started_on=start, days_closed=0))


def _apply_day_closed(conn: Connection, event: Event, _ctx: ApplyContext) -> None:
    closed = date.fromisoformat(event.data["date"])
    result = conn.execute(
        update(clock)
        .where(clock.c.id == 1, clock.c.business_date == closed)
        .values(
            business_date=date.fromisoformat(event.data["next"]),
            days_closed=clock.c.days_closed + 1,
        )
    )
    if result.rowcount != 1:
        raise InvariantViolation(f"clock was not at {closed} when closing it")


_BUSINESS_DATE = select(clock.c.business_date).where(clock.c.id == 1)


def business_date(conn: Connection) -> date | None:
    value: date | None = conn.execute(_BUSINESS_DATE).scalar()
    return value


def register(registry: Registry) -> None:
    registry.command(
        CommandSpec(
            "clock.close_day",
            CloseDay,
            close_day,
            CLOSE_DAY_ROLES,
            summary="Close the business day: run close-of-day work and move to the next date",
        )
    )
    registry.appliers_for({"clock.started": _apply_started, "clock.day_closed": _apply_day_closed})
