"""The other contexts' records as the credit engine's fact sources.

Credit and finance sit side by side (neither imports the other), so the adapters from the agri
context's production history and the receivables context's confirmed receivables to the
credit features' facts live here, outside both, and the composition root hands ``sources`` to
the credit engine.
"""

from __future__ import annotations

from sqlalchemy import Engine

from puhui.credit.features import Sources
from puhui.credit.production_facts import Cycle
from puhui.credit.receivable_facts import Holding, Receivable
from puhui.credit.repayment import LoanBook
from puhui.finance.agri import views as agri
from puhui.finance.receivables import holdings
from puhui.finance.receivables import views as receivables
from puhui.finance.receivables.model import ReceivableStatus

CLOSED = {ReceivableStatus.SETTLED, ReceivableStatus.REJECTED, ReceivableStatus.LAPSED}


class FarmBook:
    """``production_facts.ProductionHistory`` over the agri projections of ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def cycles(self, farm_id: str) -> tuple[Cycle, ...]:
        with self.engine.connect() as conn:
            batches = agri.farm_history(conn, farm_id)
        return tuple(
            Cycle(
                placed_on=b.placed_on,
                ended_on=b.ended_on,
                registered_on=b.recorded_on,
                completed=b.facts.completed,
                animals_placed=b.facts.animals_placed,
                animals_sold=b.facts.animals_sold,
                mortality_expected_bp=b.mortality_expected_bp,
                monitored=b.source == "platform",
            )
            for b in batches
        )


class ReceivablesBook:
    """``receivable_facts.ReceivableHistory`` over the receivables projections of ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def receivables(self, supplier_id: str) -> tuple[Receivable, ...]:
        with self.engine.connect() as conn:
            issued = receivables.issued_to(conn, supplier_id)
        return tuple(
            Receivable(
                issued_on=r.issued_on,
                maturity_date=r.maturity_date,
                amount_fen=r.amount,
                closed_on=r.closed_on,
                outcome=r.status if r.status in CLOSED else None,
            )
            for r in issued
        )

    def holdings(self, party_id: str) -> tuple[Holding, ...]:
        with self.engine.connect() as conn:
            held = holdings.held_by(conn, party_id)
        return tuple(Holding(start, until, amount) for start, until, amount in held)


def sources(engine: Engine) -> Sources:
    return Sources(
        repayment=LoanBook(engine),
        production=FarmBook(engine),
        receivables=ReceivablesBook(engine),
    )
