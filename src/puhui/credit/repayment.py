"""Repayment history from the platform's loan book (the lending context's projections).

``LoanBook`` implements ``features.RepaymentHistory``. The lending projections hold each loan's
state as of the current business date plus the dated history of its class changes, so facts
are answered only as of the current business date — which is the date every live decision is
made on; asking for another date is refused rather than answered with data from after it (no
look-ahead) or with a guess.

* ``loans_count``: the party's loans that were disbursed (have a first disbursement date);
* ``current_dpd_days_max``: the most days past due of its active loans today;
* ``worst_dpd_days_24m``: the most days past due today or recorded at any class change in the
  last 730 days (a class change records the days past due on that day, so a spell that peaked
  between two changes counts at the later of them);
* ``late_instalments_24m``: its instalments due in the last 730 days that are overdue today.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import BindParameter, Engine, Select, and_, bindparam, func, select

from puhui.credit.features import RepaymentFacts
from puhui.kernel import clock
from puhui.kernel.errors import InvalidCommand
from puhui.lending.model import InstalmentStatus, LoanStatus
from puhui.lending.tables import loan_classifications, loan_instalments, loans

WINDOW_DAYS = 730


class LoanBook:
    """``RepaymentHistory`` over the lending projections of ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def facts(self, party_id: str, as_of: date) -> RepaymentFacts:
        since = as_of - timedelta(days=WINDOW_DAYS)
        with self.engine.connect() as conn:
            today = clock.business_date(conn)
            if as_of != today:
                raise InvalidCommand(
                    f"repayment history is known as of the business date {today}, not {as_of}"
                )
            row = conn.execute(  # one round trip
                _FACTS, {"party": party_id, "since": since, "as_of": as_of}
            ).one()
        disbursed_n, current_dpd, recorded_dpd, late_n = (int(v) for v in row)
        return RepaymentFacts(disbursed_n, max(current_dpd, recorded_dpd), late_n, current_dpd)


def _facts_statement() -> Select[Any]:
    """The four facts as scalar subqueries of one SELECT, built once (bound parameters
    ``party``, ``since``, ``as_of``)."""
    party: BindParameter[str] = bindparam("party")
    since: BindParameter[date] = bindparam("since")
    as_of: BindParameter[date] = bindparam("as_of")
    mine = select(loans.c.loan_id).where(loans.c.borrower_id == party)
    disbursed = (
        select(func.count())
        .where(loans.c.borrower_id == party, loans.c.anchor_date.is_not(None))
        .scalar_subquery()
    )
    current = (
        select(func.coalesce(func.max(loans.c.days_past_due), 0))
        .where(loans.c.borrower_id == party, loans.c.status == LoanStatus.ACTIVE.value)
        .scalar_subquery()
    )
    recorded = (
        select(func.coalesce(func.max(loan_classifications.c.days_past_due), 0))
        .where(
            loan_classifications.c.loan_id.in_(mine),
            loan_classifications.c.business_date > since,
        )
        .scalar_subquery()
    )
    late = (
        select(func.count())
        .where(
            and_(
                loan_instalments.c.loan_id.in_(mine),
                loan_instalments.c.status == InstalmentStatus.OVERDUE.value,
                loan_instalments.c.due_date > since,
                loan_instalments.c.due_date <= as_of,
            )
        )
        .scalar_subquery()
    )
    return select(disbursed, current, recorded, late)


_FACTS = _facts_statement()
