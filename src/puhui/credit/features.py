"""Feature definitions, versioned, computed AS OF a business date from facts of the record.

Every fact carries two dates: when it happened (invoice issued, sale made, filing's period) and
when it reached the log (``registered_on``). ``visible`` drops every fact with either date after
the as-of date, in one place, so no feature can look ahead: a decision dated D sees exactly what
the record knew on D, and recomputing it years later gives the same values.

Values are integers in named units (fen, basis points, days, counts) or category strings, or
None when unknown; never floats, so scoring is exact (see ``scorecard``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol, TypeVar

from puhui.credit.production_facts import (
    Cycle,
    ProductionHistory,
    production_features,
)
from puhui.credit.receivable_facts import (
    Holding,
    Receivable,
    ReceivableHistory,
    receivable_features,
)
from puhui.credit.units import BP, HALF_WINDOW_DAYS, WINDOW_DAYS, Value

FEATURE_VERSION = "puhui-sme/2"
Fact = TypeVar("Fact", "Invoice", "Sale", Cycle, Receivable, Holding)


@dataclass(frozen=True)
class Invoice:
    """An e-invoice the applicant issued (it is the seller)."""

    issued_on: date
    registered_on: date
    buyer: str
    amount_fen: int
    confirmed_on: date | None = None

    @property
    def happened_on(self) -> date:
        return self.issued_on


@dataclass(frozen=True)
class Sale:
    sold_on: date
    registered_on: date
    amount_fen: int

    @property
    def happened_on(self) -> date:
        return self.sold_on


@dataclass(frozen=True)
class TaxFacts:
    """The tax features a tax authority attested (compute-to-data), keyed by ``TAX_FIELDS``."""

    values: Mapping[str, Value]
    as_of: date


@dataclass(frozen=True)
class RepaymentFacts:
    """Repayment history on the platform's loan book as of a date."""

    loans_count: int
    worst_dpd_days_24m: int
    late_instalments_24m: int
    current_dpd_days_max: int


class RepaymentHistory(Protocol):
    """The read interface the lending context implements: repayment facts of a party as of D,
    over every loan on the platform (no look-ahead: only instalments due on or before D)."""

    def facts(self, party_id: str, as_of: date) -> RepaymentFacts: ...


@dataclass(frozen=True)
class Sources:
    """The other contexts' records the features read, wired by the composition root."""

    repayment: RepaymentHistory
    production: ProductionHistory
    receivables: ReceivableHistory


@dataclass(frozen=True)
class Record:
    """What the platform knows of one applicant, before the as-of cut."""

    applicant: str
    invoices: tuple[Invoice, ...] = ()
    sales: tuple[Sale, ...] = ()
    cycles: tuple[Cycle, ...] | None = None
    """None when the farm has not shared its production record with the lender."""
    receivables: tuple[Receivable, ...] | None = None
    """None when the applicant has not shared its invoice and payment flows."""
    holdings: tuple[Holding, ...] | None = None
    """Receivable pieces held; None when the flows were not shared."""
    tax: TaxFacts | None = None
    repayment: RepaymentFacts | None = None
    sources: tuple[str, ...] = field(default=())
    """Document kinds (and grants) the facts came from, recorded with the decision."""


def visible(facts: Iterable[Fact], as_of: date) -> list[Fact]:
    """The facts known on ``as_of``: happened and registered on or before it."""
    return [f for f in facts if f.happened_on <= as_of and f.registered_on <= as_of]


def _window(facts: Iterable[Invoice | Sale], as_of: date, days: int, skip: int = 0) -> list[int]:
    start, end = as_of - timedelta(days=skip + days), as_of - timedelta(days=skip)
    return [f.amount_fen for f in facts if start < f.happened_on <= end]


def _growth_bp(recent: int, prior: int) -> int | None:
    return None if prior <= 0 else (recent - prior) * BP // prior


def _month_totals(invoices: Iterable[Invoice], as_of: date) -> list[int]:
    totals = [0] * 12
    for inv in invoices:
        months_back = (as_of.year - inv.issued_on.year) * 12 + as_of.month - inv.issued_on.month
        if 0 <= months_back < 12:
            totals[months_back] += inv.amount_fen
    return totals


def invoice_features(invoices: list[Invoice], as_of: date) -> dict[str, Value]:
    last = [i for i in invoices if as_of - timedelta(days=WINDOW_DAYS) < i.issued_on <= as_of]
    total = sum(i.amount_fen for i in last)
    recent = sum(_window(invoices, as_of, HALF_WINDOW_DAYS))
    prior = sum(_window(invoices, as_of, HALF_WINDOW_DAYS, skip=HALF_WINDOW_DAYS))
    by_buyer: dict[str, int] = defaultdict(int)
    for inv in last:
        by_buyer[inv.buyer] += inv.amount_fen
    months = _month_totals(last, as_of)
    confirmed = [i for i in last if i.confirmed_on is not None and i.confirmed_on <= as_of]
    first = min((i.issued_on for i in invoices), default=None)
    return {
        "invoice_volume_12m_fen": total,
        "invoice_count_12m": len(last),
        "invoice_growth_bp": _growth_bp(recent, prior),
        "invoice_seasonality_bp": None if total == 0 else max(months) * 12 * BP // total,
        "buyer_concentration_bp": None
        if total == 0
        else sum(v * v for v in by_buyer.values()) * BP // (total * total),
        "invoice_confirmed_share_bp": None
        if not last
        else sum(i.amount_fen for i in confirmed) * BP // max(total, 1),
        "months_trading": None if first is None else _months_between(first, as_of),
    }


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def sales_features(sales: list[Sale], as_of: date) -> dict[str, Value]:
    last = [s for s in sales if as_of - timedelta(days=WINDOW_DAYS) < s.sold_on <= as_of]
    months = {(s.sold_on.year, s.sold_on.month) for s in last}
    return {
        "sales_volume_12m_fen": sum(s.amount_fen for s in last),
        "sales_months_12m": len(months),
    }


TAX_FIELDS = (
    "tax_revenue_12m_fen",
    "tax_revenue_growth_bp",
    "tax_paid_12m_fen",
    "tax_filing_months_12m",
    "tax_rating",
)
REPAYMENT_FIELDS = (
    "loans_count",
    "worst_dpd_days_24m",
    "late_instalments_24m",
    "current_dpd_days_max",
)


def tax_features(tax: TaxFacts | None, as_of: date) -> dict[str, Value]:
    if tax is None or tax.as_of > as_of:
        unknown: dict[str, Value] = dict.fromkeys(TAX_FIELDS)
        return unknown | {"tax_rating": "none"}
    return {name: tax.values.get(name) for name in TAX_FIELDS}


def repayment_features(facts: RepaymentFacts | None) -> dict[str, Value]:
    if facts is None:
        return dict.fromkeys(REPAYMENT_FIELDS)
    return {name: getattr(facts, name) for name in REPAYMENT_FIELDS}


@dataclass(frozen=True)
class FeatureDef:
    name: str
    unit: str
    label: str
    """Plain-language name used in reason codes."""
    source: str


_DEFS: tuple[tuple[str, str, str, str], ...] = (
    ("invoice_volume_12m_fen", "fen", "Invoiced sales in the last 12 months", "e_invoice"),
    ("invoice_count_12m", "count", "Number of invoices in the last 12 months", "e_invoice"),
    (
        "invoice_growth_bp",
        "bp",
        "Growth of invoiced sales, last 6 months vs the 6 before",
        "e_invoice",
    ),
    ("invoice_seasonality_bp", "bp", "Peak month vs average month of invoiced sales", "e_invoice"),
    ("buyer_concentration_bp", "bp", "Concentration of sales on few buyers (HHI)", "e_invoice"),
    ("invoice_confirmed_share_bp", "bp", "Share of invoices confirmed by the buyer", "e_invoice"),
    ("months_trading", "months", "Months since the first invoice on the platform", "e_invoice"),
    (
        "receivables_held_fen",
        "fen",
        "Receivables held today, confirmed by core enterprises",
        "receivable",
    ),
    (
        "receivables_confirmed_12m_fen",
        "fen",
        "Receivables confirmed by core enterprises in the last 12 months",
        "receivable",
    ),
    (
        "receivables_paid_on_time_share_bp",
        "bp",
        "Share of receivables due in the last 12 months paid on time by the debtor",
        "receivable",
    ),
    ("sales_volume_12m_fen", "fen", "Recorded sales in the last 12 months", "sales_record"),
    ("sales_months_12m", "months", "Months with recorded sales in the last 12", "sales_record"),
    ("tax_revenue_12m_fen", "fen", "Revenue filed with the tax authority, last 12 months", "tax"),
    ("tax_revenue_growth_bp", "bp", "Growth of filed revenue vs the year before", "tax"),
    ("tax_paid_12m_fen", "fen", "Taxes paid in the last 12 months", "tax"),
    ("tax_filing_months_12m", "months", "Months covered by tax filings in the last 12", "tax"),
    ("tax_rating", "grade", "Tax credit rating (A/B/M/C/D)", "tax"),
    (
        "farm_cycles_completed_36m",
        "count",
        "Production cycles completed in the last 3 years",
        "production",
    ),
    ("farm_cycles_failed_36m", "count", "Production cycles lost in the last 3 years", "production"),
    (
        "farm_cycles_monitored_36m",
        "count",
        "Cycles of the last 3 years monitored by devices on the platform",
        "production",
    ),
    (
        "farm_mortality_vs_template_bp",
        "bp",
        "Deaths vs the growth template's expectation (10,000 = as expected)",
        "production",
    ),
    ("loans_count", "count", "Loans on the platform", "repayment"),
    ("worst_dpd_days_24m", "days", "Worst days past due in the last 24 months", "repayment"),
    ("late_instalments_24m", "count", "Late instalments in the last 24 months", "repayment"),
    ("current_dpd_days_max", "days", "Days past due today on any platform loan", "repayment"),
)
FEATURES: dict[str, FeatureDef] = {d[0]: FeatureDef(*d) for d in _DEFS}


def compute(record: Record, as_of: date) -> dict[str, Value]:
    """All features of ``FEATURE_VERSION`` for one applicant as of ``as_of``."""
    invoices = visible(record.invoices, as_of)
    sales = visible(record.sales, as_of)
    values: dict[str, Value] = {}
    values |= invoice_features(invoices, as_of)
    values |= sales_features(sales, as_of)
    owed = None if record.receivables is None else visible(record.receivables, as_of)
    held = None if record.holdings is None else visible(record.holdings, as_of)
    values |= receivable_features(owed, held, as_of)
    cycles = None if record.cycles is None else visible(record.cycles, as_of)
    values |= production_features(cycles, as_of)
    values |= tax_features(record.tax, as_of)
    values |= repayment_features(record.repayment)
    return {name: values[name] for name in FEATURES}


def compute_many(
    records: Iterable[Record], as_of: date, progress: Callable[[int], None] | None = None
) -> dict[str, dict[str, Value]]:
    """Batch computation; ``progress`` is told after each applicant (a Rich bar in the CLI)."""
    out: dict[str, dict[str, Value]] = {}
    for record in records:
        out[record.applicant] = compute(record, as_of)
        if progress is not None:
            progress(1)
    return out


def label_of(name: str) -> str:
    found = FEATURES.get(name)
    return found.label if found is not None else name.replace("_", " ").capitalize()
