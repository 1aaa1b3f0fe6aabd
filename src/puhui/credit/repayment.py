"""Repayment history from the platform's loan book (the lending context's projections).

``LoanBook`` implements ``features.RepaymentHistory`` as of any business date up to the current
one: every instalment keeps its due date and the date it stopped being owed (``settled_on``:
paid in full, written off or rolled into a restructure), and every class change its date, so
the facts of a past date are read from the record without anything that happened after it.
A date after the current business date is refused: it has not happened yet.

As of a date D, an instalment is *unpaid* when it fell due before D and had not settled by D;
it was *late* when it fell due before D and did not settle by its due date.

* ``loans_count``: the party's loans first disbursed on or before D;
* ``current_dpd_days_max``: days since the oldest due date of its instalments unpaid on D (what
  the close of day before D recorded as the loan's days past due);
* ``worst_dpd_days_24m``: the most of the current figure and the days past due recorded at any
  class change in the 730 days up to D (a class change records the days past due on its day,
  so a spell that peaked between two changes counts at the later of them);
* ``late_instalments_24m``: its instalments due in the 730 days before D that were late,
  whether still unpaid or paid after their due date.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import BindParameter, Engine, Select, bindparam, func, or_, select

from puhui.credit.features import RepaymentFacts
from puhui.kernel import clock
from puhui.kernel.errors import InvalidCommand
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
            if today is None or as_of > today:
                raise InvalidCommand(
                    f"repayment history is known up to the business date {today}, not {as_of}"
                )
            row = conn.execute(  # one round trip
                _FACTS, {"party": party_id, "since": since, "as_of": as_of}
            ).one()
        disbursed_n, oldest, recorded_dpd, late_n = row
        current = 0 if oldest is None else (as_of - oldest).days
        return RepaymentFacts(
            int(disbursed_n), max(current, int(recorded_dpd)), int(late_n), current
        )


def _facts_statement() -> Select[Any]:
    """The four facts as scalar subqueries of one SELECT, built once (bound parameters
    ``party``, ``since``, ``as_of``)."""
    party: BindParameter[str] = bindparam("party")
    since: BindParameter[date] = bindparam("since", type_=loans.c.anchor_date.type)
    as_of: BindParameter[date] = bindparam("as_of", type_=loans.c.anchor_date.type)
    i = loan_instalments.c
    mine = select(loans.c.loan_id).where(loans.c.borrower_id == party)
    disbursed = select(func.count()).where(
        loans.c.borrower_id == party, loans.c.anchor_date <= as_of
    )
    oldest_unpaid = select(func.min(i.due_date)).where(
        i.loan_id.in_(mine),
        i.due_date < as_of,
        or_(i.settled_on.is_(None), i.settled_on > as_of),
    )
    recorded = select(func.coalesce(func.max(loan_classifications.c.days_past_due), 0)).where(
        loan_classifications.c.loan_id.in_(mine),
        loan_classifications.c.business_date > since,
        loan_classifications.c.business_date <= as_of,
    )
    late = select(func.count()).where(
        i.loan_id.in_(mine),
        i.due_date < as_of,
        i.due_date > since,
        or_(i.settled_on.is_(None), i.settled_on > i.due_date),
    )
    return select(*(q.scalar_subquery() for q in (disbursed, oldest_unpaid, recorded, late)))


_FACTS = _facts_statement()
