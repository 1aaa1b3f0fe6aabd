"""Tax-data credit (银税互动), compute-to-data: the tax authority's side.

The tax authority holds the firm's filings (on the platform it is the counterparty of every
``tax_filing`` and ``tax_rating`` document, so it can read their stored bytes; in production it
runs this on its own premises over its own database). With the firm's ``credit.authorize_tax_data``
consent it computes the consented fields as of the business date and signs them in a
``credit.attest_tax`` command. The bank receives the figures, never the filings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection

from puhui.credit.errors import ConsentMissing
from puhui.credit.units import BP, WINDOW_DAYS, Value
from puhui.credit.views import TaxConsent
from puhui.documents import views as documents

FILINGS_MAX = 10_000


@dataclass(frozen=True)
class Filing:
    period_start: date
    period_end: date
    filed_on: date
    revenue: int
    vat_paid: int
    income_tax_paid: int


@dataclass(frozen=True)
class Rating:
    year: int
    rating: str
    issued_on: date


def _months(f: Filing) -> int:
    return (
        (f.period_end.year - f.period_start.year) * 12
        + f.period_end.month
        - f.period_start.month
        + 1
    )


def compute(filings: Iterable[Filing], ratings: Iterable[Rating], as_of: date) -> dict[str, Value]:
    """Every tax field as of ``as_of``: only filings filed (and periods ended) by then count."""
    known = [f for f in filings if f.filed_on <= as_of and f.period_end <= as_of]
    year_ago, two_years_ago = (
        as_of - timedelta(days=WINDOW_DAYS),
        as_of - timedelta(days=2 * WINDOW_DAYS),
    )
    last = [f for f in known if f.period_end > year_ago]
    prior = [f for f in known if two_years_ago < f.period_end <= year_ago]
    revenue = sum(f.revenue for f in last)
    revenue_prior = sum(f.revenue for f in prior)
    issued = sorted(
        (r for r in ratings if r.issued_on <= as_of), key=lambda r: (r.year, r.issued_on)
    )
    return {
        "tax_revenue_12m_fen": revenue,
        "tax_revenue_growth_bp": None
        if revenue_prior <= 0
        else (revenue - revenue_prior) * BP // revenue_prior,
        "tax_paid_12m_fen": sum(f.vat_paid + f.income_tax_paid for f in last),
        "tax_filing_months_12m": min(12, sum(_months(f) for f in last)),
        "tax_rating": issued[-1].rating if issued else "none",
    }


def held_records(conn: Connection, authority: str, firm: str) -> tuple[list[Filing], list[Rating]]:
    """The firm's filings and ratings the authority holds (it is their counterparty)."""
    filings: list[Filing] = []
    ratings: list[Rating] = []
    for kind in ("tax_filing", "tax_rating"):
        for doc in documents.list_documents(conn, authority, kind=kind, limit=FILINGS_MAX):
            if doc.owner != firm or doc.counterparty != authority:
                continue
            stored = documents.stored_content(conn, doc.document_id)
            if stored is None:
                continue
            body = json.loads(stored.content)["body"]
            if kind == "tax_filing":
                filings.append(
                    Filing(
                        date.fromisoformat(body["period_start"]),
                        date.fromisoformat(body["period_end"]),
                        date.fromisoformat(body["filed_on"]),
                        body["revenue"],
                        body["vat_paid"],
                        body["income_tax_paid"],
                    )
                )
            else:
                ratings.append(
                    Rating(body["year"], body["rating"], date.fromisoformat(body["issued_on"]))
                )
    return filings, ratings


def attestation_values(
    consent: TaxConsent,
    authority: str,
    filings: Sequence[Filing],
    ratings: Sequence[Rating],
    as_of: date,
) -> dict[str, Value]:
    """The consented fields only (minimum necessary), computed on the authority's side."""
    if consent.tax_authority != authority:
        raise ConsentMissing(f"{consent.consent_id} does not name {authority}")
    if not consent.in_force(as_of):
        raise ConsentMissing(consent.why_not(as_of))
    values = compute(filings, ratings, as_of)
    return {name: values[name] for name in consent.field_names}
