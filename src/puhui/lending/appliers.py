"""Appliers: write the lending context's events into its projections (bulk where it counts:
``lending.day_accrued`` is written with one executemany per table)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from puhui.kernel.canonical import canonical_json
from puhui.kernel.commands import Event
from puhui.kernel.errors import InvariantViolation
from puhui.kernel.registry import ApplyContext
from puhui.lending.model import InstalmentStatus, LoanStatus
from puhui.lending.rules import Category
from puhui.lending.tables import (
    calendar_days,
    credit_lines,
    holiday_calendars,
    loan_classifications,
    loan_instalments,
    loan_products,
    loan_transactions,
    loans,
)

_UPDATE_DAY = (
    update(loans)
    .where(loans.c.loan_id == bindparam("b_id"))
    .values(
        principal_overdue=bindparam("b_overdue"),
        interest_accrued=bindparam("b_accrued"),
        interest_carry=bindparam("b_icarry"),
        interest_prepaid=bindparam("b_prepaid"),
        penalty_unpaid=bindparam("b_penalty"),
        penalty_carry=bindparam("b_pcarry"),
        oldest_overdue_due=bindparam("b_oldest"),
        days_past_due=bindparam("b_dpd"),
        category=bindparam("b_category"),
    )
)


def _instalment_update(*columns: str) -> Any:
    """An executemany UPDATE of instalments by (loan, number): parameters ``b_<column>``, and
    ``b_settled_on`` (see ``_settled``), which keeps the first date an instalment settled."""
    return (
        update(loan_instalments)
        .where(
            loan_instalments.c.loan_id == bindparam("b_id"),
            loan_instalments.c.number == bindparam("b_number"),
        )
        .values(
            settled_on=func.coalesce(loan_instalments.c.settled_on, bindparam("b_settled_on")),
            **{c: bindparam(f"b_{c}") for c in columns},
        )
    )


SETTLED = frozenset(
    s.value
    for s in (InstalmentStatus.PAID, InstalmentStatus.WRITTEN_OFF, InstalmentStatus.RESTRUCTURED)
)


def _settled(status: str, day: date) -> date | None:
    """The settlement date an instalment taking ``status`` on ``day`` records, if any."""
    return day if status in SETTLED else None


_UPDATE_INSTALMENT_BILLING = _instalment_update("status", "interest", "paid_interest", "fee")
_UPDATE_INSTALMENT_PAID = _instalment_update(
    "paid_principal", "paid_interest", "paid_fee", "status"
)
_UPDATE_INSTALMENT_ROLLED = _instalment_update("principal", "interest", "fee", "status")


def _iso(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _update_loan(conn: Connection, loan_id: str, **values: Any) -> None:
    result = conn.execute(update(loans).where(loans.c.loan_id == loan_id).values(**values))
    if result.rowcount != 1:
        raise InvariantViolation(f"loan {loan_id} is not in the projection")


def _transaction(conn: Connection, ctx: ApplyContext, loan_id: str, **values: Any) -> None:
    row = {
        "loan_id": loan_id,
        "seq": ctx.seq,
        "line": 0,
        "business_date": ctx.business_date,
        "principal": 0,
        "interest": 0,
        "fee": 0,
        "penalty": 0,
        "party_id": None,
        "note": None,
    }
    conn.execute(insert(loan_transactions), row | values)


def product_defined(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    conn.execute(
        insert(loan_products).values(
            product_id=d["product_id"],
            lender_id=d["lender_id"],
            currency=d["currency"],
            definition=canonical_json(dict(d)).decode(),
            defined_seq=ctx.seq,
        )
    )


def calendar_loaded(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    name, years = d["name"], set(d["years"])
    existing = conn.execute(
        holiday_calendars.select().where(holiday_calendars.c.name == name)
    ).first()
    if existing is not None:
        years |= {int(y) for y in existing.years.split(",") if y}
        conn.execute(delete(holiday_calendars).where(holiday_calendars.c.name == name))
        for year in d["years"]:
            conn.execute(
                delete(calendar_days).where(
                    calendar_days.c.name == name,
                    calendar_days.c.day >= date(year, 1, 1),
                    calendar_days.c.day <= date(year, 12, 31),
                )
            )
    conn.execute(
        insert(holiday_calendars).values(
            name=name, years=",".join(str(y) for y in sorted(years)), loaded_seq=ctx.seq
        )
    )
    days = [{"name": name, "day": date.fromisoformat(x), "kind": "holiday"} for x in d["holidays"]]
    days += [{"name": name, "day": date.fromisoformat(x), "kind": "workday"} for x in d["workdays"]]
    if days:
        conn.execute(insert(calendar_days), days)


def applied(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    conn.execute(
        insert(loans).values(
            loan_id=d["loan_id"],
            product_id=d["product_id"],
            borrower_id=d["borrower_id"],
            lender_id=d["lender_id"],
            line_id=d.get("line_id"),
            currency=d["currency"],
            status=LoanStatus.APPLIED.value,
            amount_requested=d["amount"],
            amount_approved=0,
            term_periods=d["term_periods"],
            annual_rate="0",
            rate_e8=0,
            penalty_rate_e8=0,
            day_count=d["day_count"],
            flat=d["flat"],
            contract=canonical_json(d["contract"]).decode(),
            contract_digest="",
            decision_ref=None,
            apr=None,
            applied_seq=ctx.seq,
            disbursed=0,
            principal_outstanding=0,
            principal_overdue=0,
            interest_accrued=0,
            interest_carry=0,
            interest_prepaid=0,
            penalty_unpaid=0,
            penalty_carry=0,
            days_past_due=0,
            category=Category.NORMAL.value,
            restructured=False,
            written_off=0,
            recovered=0,
        )
    )


def approved(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    _update_loan(
        conn,
        d["loan_id"],
        status=LoanStatus.APPROVED.value,
        amount_approved=d["amount"],
        annual_rate=d["annual_rate"],
        rate_e8=d["rate_e8"],
        penalty_rate_e8=d["penalty_rate_e8"],
        decision_ref=d["credit_decision_id"],
        apr=d["apr"],
        contract_digest=d["contract_digest"],
        approved_seq=ctx.seq,
    )


def rejected(conn: Connection, ev: Event, _ctx: ApplyContext) -> None:
    _update_loan(conn, ev.data["loan_id"], status=LoanStatus.REJECTED.value)


def signed(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    _update_loan(conn, ev.data["loan_id"], **{f"{ev.data['side']}_signed_seq": ctx.seq})


def contracted(conn: Connection, ev: Event, _ctx: ApplyContext) -> None:
    _update_loan(conn, ev.data["loan_id"], status=LoanStatus.CONTRACTED.value)


def disbursed(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    values: dict[str, Any] = {
        "status": LoanStatus.ACTIVE.value,
        "disbursed": loans.c.disbursed + d["amount"],
        "principal_outstanding": loans.c.principal_outstanding + d["amount"],
    }
    if d["first"]:
        values["anchor_date"] = ctx.business_date
    _update_loan(conn, d["loan_id"], **values)
    _transaction(
        conn,
        ctx,
        d["loan_id"],
        object_id=d["tranche_id"],
        kind="disbursement",
        amount=d["amount"],
        principal=d["amount"],
        party_id=d["payee_id"],
    )


def schedule_set(conn: Connection, ev: Event, _ctx: ApplyContext) -> None:
    loan_id = ev.data["loan_id"]
    _delete_scheduled(conn, loan_id)
    rows = [
        {
            "loan_id": loan_id,
            "number": number,
            "due_date": date.fromisoformat(due),
            "status": (
                InstalmentStatus.DUE.value if number == 0 else InstalmentStatus.SCHEDULED.value
            ),
            "principal": principal,
            "interest": interest,
            "fee": fee,
            "paid_principal": 0,
            "paid_interest": 0,
            "paid_fee": 0,
        }
        for number, due, principal, interest, fee in ev.data["instalments"]
    ]
    if rows:
        conn.execute(insert(loan_instalments), rows)


def repaid(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    _update_loan(
        conn,
        d["loan_id"],
        principal_outstanding=loans.c.principal_outstanding - d["principal"],
        principal_overdue=d["principal_overdue"],
        penalty_unpaid=loans.c.penalty_unpaid - d["penalty"],
        interest_prepaid=loans.c.interest_prepaid + d["prepaid_interest"],
        oldest_overdue_due=_iso(d["oldest_overdue_due"]),
        days_past_due=d["days_past_due"],
    )
    if d["instalments"]:
        conn.execute(
            _UPDATE_INSTALMENT_PAID,
            [
                {
                    "b_id": d["loan_id"],
                    "b_number": n,
                    "b_paid_principal": p,
                    "b_paid_interest": i,
                    "b_paid_fee": f,
                    "b_status": s,
                    "b_settled_on": _settled(s, ctx.business_date),
                }
                for n, p, i, f, s in d["instalments"]
            ],
        )
    _transaction(
        conn,
        ctx,
        d["loan_id"],
        object_id=d["repayment_id"],
        kind="repayment",
        amount=d["amount"],
        principal=d["principal"],
        interest=d["interest"],
        fee=d["fee"],
        penalty=d["penalty"],
        party_id=d["payer_id"],
        note=f"prepaid interest {d['prepaid_interest']}, principal {d['prepaid_principal']}",
    )


def _finish_schedule(conn: Connection, loan_id: str, status: InstalmentStatus, day: date) -> None:
    """Unbilled instalments go; billed ones still unpaid take ``status``, settled on ``day``."""
    _delete_scheduled(conn, loan_id)
    billed = _numbers(conn, loan_id, {InstalmentStatus.DUE, InstalmentStatus.OVERDUE})
    if billed:
        conn.execute(
            update(loan_instalments)
            .where(loan_instalments.c.loan_id == loan_id, loan_instalments.c.number.in_(billed))
            .values(status=status.value, settled_on=_settled(status.value, day))
        )


def _numbers(conn: Connection, loan_id: str, statuses: set[InstalmentStatus]) -> list[int]:
    """Numbers of the loan's instalments in ``statuses``, read by primary key (filtering on
    status in SQL would let SQLite pick the status index and scan every loan's rows)."""
    wanted = {s.value for s in statuses}
    rows = conn.execute(
        select(loan_instalments.c.number, loan_instalments.c.status).where(
            loan_instalments.c.loan_id == loan_id
        )
    )
    return [r.number for r in rows if r.status in wanted]


def _delete_scheduled(conn: Connection, loan_id: str) -> None:
    numbers = _numbers(conn, loan_id, {InstalmentStatus.SCHEDULED})
    if numbers:
        conn.execute(
            delete(loan_instalments).where(
                loan_instalments.c.loan_id == loan_id, loan_instalments.c.number.in_(numbers)
            )
        )


def closed(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    loan_id = ev.data["loan_id"]
    _update_loan(
        conn,
        loan_id,
        status=LoanStatus.CLOSED.value,
        closed_seq=ctx.seq,
        interest_accrued=0,
        interest_prepaid=0,
        interest_carry=0,
        penalty_carry=0,
        days_past_due=0,
        oldest_overdue_due=None,
    )
    _finish_schedule(conn, loan_id, InstalmentStatus.PAID, ctx.business_date)


def written_off(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    _update_loan(
        conn,
        d["loan_id"],
        status=LoanStatus.WRITTEN_OFF.value,
        written_off=d["total"],
        principal_outstanding=0,
        principal_overdue=0,
        interest_accrued=0,
        interest_carry=0,
        interest_prepaid=0,
        penalty_unpaid=0,
        penalty_carry=0,
        closed_seq=ctx.seq,
    )
    _finish_schedule(conn, d["loan_id"], InstalmentStatus.WRITTEN_OFF, ctx.business_date)
    _transaction(
        conn,
        ctx,
        d["loan_id"],
        object_id=f"write-off-{ctx.seq}",
        kind="write_off",
        amount=d["total"],
        principal=d["principal"],
        interest=d["interest"],
        fee=d["fee"],
        penalty=d["penalty"],
        note=d["reason"],
    )


def recovered(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    _update_loan(conn, d["loan_id"], recovered=loans.c.recovered + d["amount"])
    _transaction(
        conn,
        ctx,
        d["loan_id"],
        object_id=d["recovery_id"],
        kind="recovery",
        amount=d["amount"],
        party_id=d["payer_id"],
    )


def restructured(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    capitalised = d["capitalised"]
    _update_loan(
        conn,
        d["loan_id"],
        annual_rate=d["annual_rate"],
        rate_e8=d["rate_e8"],
        principal_outstanding=d["principal"],
        principal_overdue=0,
        penalty_unpaid=loans.c.penalty_unpaid - capitalised["penalty"],
        oldest_overdue_due=_iso(d["oldest_overdue_due"]),
        days_past_due=d["days_past_due"],
        restructured=True,
    )
    if d["rolled"]:
        conn.execute(
            _UPDATE_INSTALMENT_ROLLED,
            [
                {
                    "b_id": d["loan_id"],
                    "b_number": n,
                    "b_principal": p,
                    "b_interest": i,
                    "b_fee": f,
                    "b_status": s,
                    "b_settled_on": _settled(s, ctx.business_date),
                }
                for n, p, i, f, s in d["rolled"]
            ],
        )
    _transaction(
        conn,
        ctx,
        d["loan_id"],
        object_id=f"restructure-{ctx.seq}",
        kind="restructure",
        amount=sum(capitalised.values()),
        interest=capitalised["interest"],
        fee=capitalised["fee"],
        penalty=capitalised["penalty"],
        note=f"{d['term_periods']} periods at {d['annual_rate']}",
    )


def day_accrued(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    day = date.fromisoformat(d["date"])
    if d["loans"]:
        conn.execute(
            _UPDATE_DAY,
            [
                {
                    "b_id": r[0],
                    "b_overdue": r[1],
                    "b_accrued": r[2],
                    "b_icarry": r[3],
                    "b_prepaid": r[4],
                    "b_penalty": r[5],
                    "b_pcarry": r[6],
                    "b_oldest": _iso(r[7]),
                    "b_dpd": r[8],
                    "b_category": r[9],
                }
                for r in d["loans"]
            ],
        )
    if d["instalments"]:
        conn.execute(
            _UPDATE_INSTALMENT_BILLING,
            [
                {
                    "b_id": r[0],
                    "b_number": r[1],
                    "b_status": r[2],
                    "b_interest": r[3],
                    "b_paid_interest": r[4],
                    "b_fee": r[5],
                    "b_settled_on": _settled(r[2], day),
                }
                for r in d["instalments"]
            ],
        )
    if d["reclassified"]:
        conn.execute(
            insert(loan_classifications),
            [
                {
                    "loan_id": loan_id,
                    "seq": ctx.seq,
                    "business_date": day,
                    "previous": previous,
                    "category": category,
                    "days_past_due": dpd,
                }
                for loan_id, previous, category, dpd in d["reclassified"]
            ],
        )


def line_opened(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    conn.execute(
        insert(credit_lines).values(
            line_id=d["line_id"],
            product_id=d["product_id"],
            borrower_id=d["borrower_id"],
            lender_id=d["lender_id"],
            currency=d["currency"],
            limit_amount=d["limit"],
            annual_rate=d["annual_rate"],
            term_periods=d["term_periods"],
            payees=json.dumps(d["payees"]),
            status="offered",
            draws=0,
            opened_seq=ctx.seq,
        )
    )


def line_status(conn: Connection, ev: Event, _ctx: ApplyContext) -> None:
    conn.execute(
        update(credit_lines)
        .where(credit_lines.c.line_id == ev.data["line_id"])
        .values(status=ev.data["status"])
    )
