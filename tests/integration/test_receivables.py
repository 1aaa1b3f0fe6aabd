"""Receivables on both stores: the story of Cai Shirong's supply chain from issue to maturity,
the ledger balanced at every step, and each refusal leaving nothing behind."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from puhui.accounts import reports
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.documents import liens
from puhui.finance.receivables import views
from puhui.kernel.errors import PuhuiError
from tests.conftest import START
from tests.receivables_support import FACE, Chain, issue_payload, make_chain

MATURITY = START + timedelta(days=30)


@pytest.fixture
def chain(platform: Platform, operator: Identity) -> Chain:
    return make_chain(platform, operator)


def _balanced(chain: Chain) -> None:
    """The trial balance is zero, from running totals and independently from the postings."""
    size = chain.snapshot()[0]
    with chain.platform.engine.connect() as conn:
        now = reports.trial_balance(conn)
        replayed = reports.trial_balance(conn, at_seq=size - 1)
    assert now and all(c.balanced for c in now)
    moved = {c.currency: c.totals for c in now if c.totals.debits_posted}
    assert {c.currency: c.totals for c in replayed if c.totals.debits_posted} == moved
    assert all(c.balanced for c in replayed)


def _issue_and_split(chain: Chain) -> None:
    chain.submit("core", "receivable.issue", issue_payload())
    chain.submit("maker", "receivable.accept", {"receivable_id": "rcv-1"})
    chain.submit(
        "maker",
        "receivable.transfer",
        {
            "piece_id": "rcv-1",
            "parts": [
                {"piece_id": "p-cai", "to": "cai", "amount": 30_000_000,
                 "contract_id": "ct-maker-cai"}
            ],
            "remainder_piece_id": "p-maker",
        },
    )
    chain.submit(
        "cai",
        "receivable.transfer",
        {
            "piece_id": "p-cai",
            "parts": [
                {"piece_id": "p-parts", "to": "parts", "amount": 10_000_000,
                 "contract_id": "ct-cai-parts"}
            ],
            "remainder_piece_id": "p-cai-kept",
        },
    )


def test_story_issue_split_guarantee_discount_and_maturity(chain: Chain) -> None:
    _issue_and_split(chain)
    _balanced(chain)
    with chain.platform.engine.connect() as conn:
        held = views.held_pieces(conn, "rcv-1")
        assert sorted((p.piece_id, p.holder, p.amount) for p in held) == [
            ("p-cai-kept", "cai", 20_000_000),
            ("p-maker", "maker", 70_000_000),
            ("p-parts", "parts", 10_000_000),
        ]
        assert sum(p.amount for p in held) == FACE
        found = views.trace(conn, "p-parts")
        assert found.holders == ["maker", "cai", "parts"]
        assert [p.piece_id for p in found.path] == ["rcv-1", "p-cai", "p-parts"]
        assert liens.encumbrance(conn, _fingerprint(conn, "inv-1")) is not None

    chain.submit(
        "guarantor",
        "receivable.offer_guarantee",
        {"guarantee_id": "g-1", "piece_id": "rcv-1", "fee": 300_000, "fee_payer": "core"},
    )
    chain.submit("core", "receivable.accept_guarantee", {"guarantee_id": "g-1"})
    chain.submit(
        "cai",
        "receivable.request_financing",
        {"financing_id": "f-1", "piece_id": "p-cai-kept", "bank": "bank", "recourse": True,
         "payee": "parts"},
    )
    parts_before = chain.cash("parts")
    receipt = chain.submit(
        "bank", "receivable.finance", {"financing_id": "f-1", "annual_rate": "0.0435"}
    )
    # 20,000,000 × 4.35% × 30/360 = 72,500 fen
    financed = next(e for e in receipt.events if e.type == "receivable.financed")
    assert (financed.data["days"], financed.data["discount"]) == (30, 72_500)
    assert financed.data["decision"]["guarantees"][0]["guarantor"] == "guarantor"
    assert financed.data["decision"]["core_enterprise"]["outstanding_payables"] == FACE
    assert chain.cash("parts") - parts_before == 20_000_000 - 72_500
    with chain.platform.engine.connect() as conn:
        assert views.get_piece(conn, "p-cai-kept").holder == "bank"
        assert views.portfolio(conn, "bank")["face_funded"] == 20_000_000
    _balanced(chain)

    before = {p: chain.cash(p) for p in ("core", "maker", "parts", "bank")}
    chain.close_days(MATURITY - timedelta(days=1))
    with chain.platform.engine.connect() as conn:
        assert views.get_receivable(conn, "rcv-1").status == "active"
    chain.close_days(MATURITY)
    after = {p: chain.cash(p) for p in before}
    assert after["core"] - before["core"] == -FACE
    assert after["maker"] - before["maker"] == 70_000_000
    assert after["parts"] - before["parts"] == 10_000_000
    assert after["bank"] - before["bank"] == 20_000_000
    with chain.platform.engine.connect() as conn:
        r = views.get_receivable(conn, "rcv-1")
        assert (r.status, r.outstanding, r.closed_on) == ("settled", 0, MATURITY)
        assert views.held_pieces(conn, "rcv-1") == []
        assert views.get_guarantee(conn, "g-1").status == "released"
        assert views.get_financing(conn, "f-1").status == "settled"
        assert liens.encumbrance(conn, _fingerprint(conn, "inv-1")) is None
    _balanced(chain)


def _fingerprint(conn: object, document_id: str) -> str:
    from puhui.documents import views as documents

    return documents.get_document(conn, document_id).fingerprint  # type: ignore[arg-type]
