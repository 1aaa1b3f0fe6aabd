"""Receivables core enterprises confirmed to a supplier become credit features under the
supplier's consent to its invoice and payment flows, as of the decision date: what fell due,
and whether the debtor paid it on time, is read as it stood on that date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.credit.receivable_facts import RECEIVABLE_FIELDS
from puhui.credit.units import Value
from puhui.finance.receivables import views as receivables
from tests.conftest import START
from tests.credit_support import credit_grant, features_as_of
from tests.receivables_support import FACE, Chain, issue_payload, make_chain

MATURITY = START + timedelta(days=30)


@pytest.fixture
def chain(platform: Platform, operator: Identity) -> Chain:
    chain = make_chain(platform, operator)
    chain.submit("core", "receivable.issue", issue_payload())
    chain.submit("maker", "receivable.accept", {"receivable_id": "rcv-1"})
    return chain


def _features(chain: Chain, day: date, party: str = "maker") -> dict[str, Value]:
    return features_as_of(chain.platform, party, "bank", day)


def _grant(chain: Chain, kind: str, party: str = "maker") -> None:
    until = START + timedelta(days=365)
    chain.submit(party, "consent.grant", credit_grant(f"grant-{party}-{kind}", "bank", kind, until))


def test_a_receivable_paid_at_maturity_counts_as_paid_on_time_from_that_day(chain: Chain) -> None:
    _grant(chain, "e_invoice")
    issued = _features(chain, START)
    assert issued["receivables_confirmed_12m_fen"] == FACE
    assert issued["receivables_paid_on_time_share_bp"] is None  # nothing has fallen due
    assert _features(chain, START - timedelta(days=1))["receivables_confirmed_12m_fen"] == 0
    chain.close_days(MATURITY)  # the core enterprise pays at the close of the maturity date
    assert _features(chain, MATURITY)["receivables_paid_on_time_share_bp"] == 10_000
    assert (
        _features(chain, MATURITY - timedelta(days=1))["receivables_paid_on_time_share_bp"] is None
    )


def test_an_unpaid_receivable_is_not_paid_on_time_even_once_paid_late(chain: Chain) -> None:
    _grant(chain, "e_invoice")
    chain.drain_core()
    chain.close_days(MATURITY)
    assert _features(chain, MATURITY)["receivables_paid_on_time_share_bp"] == 0
    chain.ledger.deposit("core", FACE, "core-again")
    chain.close_days(MATURITY + timedelta(days=3))  # paid at a later close
    with chain.platform.engine.connect() as conn:
        paid = receivables.get_receivable(conn, "rcv-1")
    assert paid.status == "settled" and paid.closed_on is not None and paid.closed_on > MATURITY
    late = _features(chain, chain.today())
    assert late["receivables_paid_on_time_share_bp"] == 0
    assert late["receivables_confirmed_12m_fen"] == FACE


def test_receivables_need_the_consent_to_invoice_flows(chain: Chain) -> None:
    _grant(chain, "sales_record")
    values = _features(chain, START)
    assert all(values[name] is None for name in RECEIVABLE_FIELDS)


def _held(chain: Chain, party: str, day: date) -> Value:
    return _features(chain, day, party)["receivables_held_fen"]


def test_pieces_held_are_read_as_of_the_date_through_splits_sales_and_payment(
    chain: Chain,
) -> None:
    for party in ("maker", "cai"):
        _grant(chain, "e_invoice", party)
    chain.close_days(START)
    chain.pass_to_cai()  # START + 1: Cai Shirong, a tier-2 supplier, holds part of it
    chain.close_days(START + timedelta(days=1))
    request = {"financing_id": "f-1", "piece_id": "p-cai", "bank": "bank", "recourse": True}
    chain.submit("cai", "receivable.request_financing", request)
    chain.submit("bank", "receivable.finance", {"financing_id": "f-1", "annual_rate": "0.0435"})
    sold_on = chain.today()  # START + 2: the bank bought her piece
    chain.close_days(MATURITY)  # the core enterprise pays every holder
    held = {
        (party, (day - START).days): _held(chain, party, day)
        for party in ("maker", "cai")
        for day in (START, START + timedelta(days=1), sold_on, MATURITY)
    }
    assert held == {
        ("maker", 0): FACE,
        ("maker", 1): FACE - 30_000_000,
        ("maker", 2): FACE - 30_000_000,
        ("maker", 30): 0,
        ("cai", 0): 0,
        ("cai", 1): 30_000_000,
        ("cai", 2): 0,
        ("cai", 30): 0,
    }
    assert _held(chain, "maker", MATURITY - timedelta(days=1)) == FACE - 30_000_000
