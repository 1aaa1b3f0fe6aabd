"""Receivables on both stores: the story of Cai Shirong's supply chain from issue to maturity,
the ledger balanced at every step, and each refusal leaving nothing behind."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, select

from puhui.accounts import reports
from puhui.bootstrap import Platform, build_registry
from puhui.client import Identity
from puhui.documents import liens
from puhui.finance.receivables import views
from puhui.finance.receivables.tables import receivable_holdings
from puhui.kernel.errors import PuhuiError
from puhui.kernel.export import export
from puhui.kernel.replay import replay_in_place
from puhui.kernel.service import utc_now
from puhui.kernel.verify import verify_export
from puhui.parties import views as party_views
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
                {
                    "piece_id": "p-cai",
                    "to": "cai",
                    "amount": 30_000_000,
                    "contract_id": "ct-maker-cai",
                }
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
                {
                    "piece_id": "p-parts",
                    "to": "parts",
                    "amount": 10_000_000,
                    "contract_id": "ct-cai-parts",
                }
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

    _guarantee_and_offer(chain, "rcv-1", 300_000)
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
        # a paid invoice stays locked: it can never back another financing
        assert liens.encumbrance(conn, _fingerprint(conn, "inv-1")) is not None
    _balanced(chain)


def _fingerprint(conn: object, document_id: str) -> str:
    from puhui.documents import views as documents

    return documents.get_document(conn, document_id).fingerprint  # type: ignore[arg-type]


def _guarantee_and_offer(chain: Chain, piece_id: str, fee: int) -> None:
    """The guarantor guarantees ``piece_id`` for the core enterprise; Cai Shirong offers the
    piece she kept to the bank, with recourse, the price to go to her parts supplier."""
    offer = {"guarantee_id": "g-1", "piece_id": piece_id, "fee": fee, "fee_payer": "core"}
    chain.submit("guarantor", "receivable.offer_guarantee", offer)
    chain.submit("core", "receivable.accept_guarantee", {"guarantee_id": "g-1"})
    request = {"financing_id": "f-1", "piece_id": "p-cai-kept", "bank": "bank", "recourse": True}
    chain.submit("cai", "receivable.request_financing", request | {"payee": "parts"})


def _refused(chain: Chain, party: str, ctype: str, payload: dict[str, object], code: str) -> str:
    """Submit, expect the typed error ``code``, and check nothing changed."""
    before = chain.snapshot()
    with pytest.raises(PuhuiError) as caught:
        chain.submit(party, ctype, payload)
    assert caught.value.code == code, caught.value.detail
    assert chain.snapshot() == before
    return caught.value.detail


def test_issue_refusals_change_nothing(chain: Chain) -> None:
    chain.document("maker", "core", "dn-2", "delivery_note", _delivery("DN-2"), confirm=False)
    detail = _refused(
        chain,
        "core",
        "receivable.issue",
        issue_payload(delivery_ids=["dn-2"]),
        "delivery-not-confirmed",
    )
    assert "core must confirm the delivery itself" in detail
    too_late = (date(2026, 9, 3)).isoformat()
    detail = _refused(
        chain,
        "core",
        "receivable.issue",
        issue_payload(maturity_date=too_late),
        "maturity-not-allowed",
    )
    assert "policy limit of 6 months (latest 2026-09-02)" in detail
    _refused(
        chain,
        "core",
        "receivable.issue",
        issue_payload(maturity_date=START.isoformat()),
        "maturity-not-allowed",
    )
    _refused(
        chain, "core", "receivable.issue", issue_payload(amount=FACE + 1), "amount-exceeds-invoices"
    )
    _refused(
        chain,
        "core",
        "receivable.issue",
        issue_payload(contract_id="ct-maker-cai"),
        "document-not-usable",
    )
    _refused(chain, "maker", "receivable.issue", issue_payload(), "permission-denied")
    # the operator allows twelve months: the same maturity is now accepted
    chain.submit("operator", "receivable.set_policy", {"maturity_months_max": 12})
    chain.submit("core", "receivable.issue", issue_payload(maturity_date=too_late))
    # the invoice is locked: a second receivable (or a bank's lien) on it is refused
    _refused(chain, "core", "receivable.issue", issue_payload(receivable_id="rcv-2"), "lien-exists")
    _refused(
        chain, "operator", "receivable.set_policy", {"maturity_months_max": 13}, "invalid-command"
    )


def _delivery(note_no: str) -> dict[str, object]:
    from tests.receivables_support import delivery

    return delivery(note_no)


def test_transfer_refusals_change_nothing(chain: Chain) -> None:
    _issue_and_split(chain)

    def part(**changes: object) -> dict[str, object]:
        return {"piece_id": "x-1", "to": "parts", "amount": 1, "contract_id": "ct-cai-parts"} | (
            changes
        )

    detail = _refused(
        chain,
        "cai",
        "receivable.transfer",
        {"piece_id": "p-cai-kept", "parts": [part(amount=20_000_001)]},
        "exceeds-held",
    )
    assert "add up to 20000001 fen but piece p-cai-kept holds 20000000" in detail
    _refused(
        chain,
        "cai",
        "receivable.transfer",
        {"piece_id": "p-cai-kept", "parts": [part(to="guarantor")], "remainder_piece_id": "x-2"},
        "no-supply-contract",
    )
    _refused(
        chain,
        "maker",
        "receivable.transfer",
        {"piece_id": "p-cai-kept", "parts": [part()], "remainder_piece_id": "x-2"},
        "not-holder",
    )
    _refused(
        chain,
        "cai",
        "receivable.transfer",
        {"piece_id": "p-cai", "parts": [part()], "remainder_piece_id": "x-2"},
        "wrong-state",
    )
    _refused(
        chain,
        "cai",
        "receivable.transfer",
        {"piece_id": "p-cai-kept", "parts": [part()], "remainder_piece_id": "p-maker"},
        "piece-exists",
    )
    # one fen passes; the pieces still sum to the original
    chain.submit(
        "cai",
        "receivable.transfer",
        {"piece_id": "p-cai-kept", "parts": [part()], "remainder_piece_id": "x-2"},
    )
    with chain.platform.engine.connect() as conn:
        assert views.get_piece(conn, "x-1").amount == 1
        assert sum(p.amount for p in views.held_pieces(conn, "rcv-1")) == FACE
        assert views.trace(conn, "x-1").holders == ["maker", "cai", "cai", "parts"]


def test_financing_refusals_change_nothing(chain: Chain) -> None:
    _issue_and_split(chain)
    request = {"financing_id": "f-1", "piece_id": "p-parts", "bank": "bank", "recourse": False}
    chain.submit("parts", "receivable.request_financing", request)
    _refused(
        chain,
        "parts",
        "receivable.transfer",
        {
            "piece_id": "p-parts",
            "parts": [{"piece_id": "y1", "to": "cai", "amount": 1, "contract_id": "ct-cai-parts"}],
            "remainder_piece_id": "y2",
        },
        "wrong-state",
    )
    _refused(
        chain,
        "guarantor",
        "receivable.finance",
        {"financing_id": "f-1", "annual_rate": "0.04"},
        "permission-denied",
    )
    _refused(
        chain,
        "bank",
        "receivable.finance",
        {"financing_id": "f-1", "annual_rate": "1.5"},
        "invalid-command",
    )
    chain.submit("bank", "receivable.finance", {"financing_id": "f-1", "annual_rate": "0.04"})
    detail = _refused(
        chain,
        "parts",
        "receivable.request_financing",
        request | {"financing_id": "f-2"},
        "piece-already-financed",
    )
    assert "financed once, ever" in detail
    _refused(
        chain,
        "bank",
        "receivable.request_financing",
        request | {"financing_id": "f-3"},
        "piece-already-financed",
    )
    # a request made before maturity cannot be funded on or after it
    chain.submit(
        "maker",
        "receivable.request_financing",
        {"financing_id": "f-4", "piece_id": "p-maker", "bank": "bank", "recourse": True},
    )
    chain.close_days(MATURITY - timedelta(days=1))
    detail = _refused(
        chain,
        "bank",
        "receivable.finance",
        {"financing_id": "f-4", "annual_rate": "0.04"},
        "receivable-matured",
    )
    assert f"matures on {MATURITY}" in detail
    _refused(
        chain,
        "cai",
        "receivable.request_financing",
        {"financing_id": "f-5", "piece_id": "p-cai-kept", "bank": "bank", "recourse": True},
        "receivable-matured",
    )
    chain.close_days(MATURITY)
    with chain.platform.engine.connect() as conn:
        assert views.get_financing(conn, "f-4").status == "expired"
        assert views.get_financing(conn, "f-1").status == "settled"


def test_default_calls_guarantor_then_recourse_then_late_payment(chain: Chain) -> None:
    _issue_and_split(chain)
    chain.ledger.deposit("parts", 100_000, "parts")
    chain.ledger.deposit("cai", 25_000_000, "cai")
    chain.submit(
        "guarantor",
        "receivable.offer_guarantee",
        {"guarantee_id": "g-1", "piece_id": "p-parts", "fee": 50_000, "fee_payer": "parts"},
    )
    chain.submit("parts", "receivable.accept_guarantee", {"guarantee_id": "g-1"})
    chain.submit(
        "cai",
        "receivable.request_financing",
        {"financing_id": "f-1", "piece_id": "p-cai-kept", "bank": "bank", "recourse": True},
    )
    chain.submit("bank", "receivable.finance", {"financing_id": "f-1", "annual_rate": "0.05"})
    chain.drain_core()
    before = {p: chain.cash(p) for p in ("guarantor", "parts", "cai", "bank", "maker")}
    chain.close_days(MATURITY)
    moved = {p: chain.cash(p) - before[p] for p in before}
    assert moved == {
        "guarantor": -10_000_000,
        "parts": 10_000_000,
        "cai": -20_000_000,
        "bank": 20_000_000,
        "maker": 0,
    }
    with chain.platform.engine.connect() as conn:
        r = views.get_receivable(conn, "rcv-1")
        assert (r.status, r.outstanding) == ("overdue", FACE)
        holders = {p.piece_id: p.holder for p in views.held_pieces(conn, "rcv-1")}
        assert holders == {"p-parts": "guarantor", "p-cai-kept": "cai", "p-maker": "maker"}
        assert _open_holdings(conn) == holders  # the history ends where the pieces stand
        assert _holders_over_time(conn, "p-cai-kept") == ["cai", "bank", "cai"]  # recourse
        assert _holders_over_time(conn, "p-parts") == ["parts", "guarantor"]  # subrogation
        assert views.get_guarantee(conn, "g-1").status == "called"
        assert views.get_financing(conn, "f-1").status == "recourse"
    _balanced(chain)
    # a later close pays the holders of the day once the core enterprise has the money
    chain.ledger.deposit("core", FACE, "core-late")
    chain.close_days(chain.today())
    assert chain.cash("guarantor") - before["guarantor"] == 0
    assert chain.cash("maker") - before["maker"] == 70_000_000
    assert chain.cash("cai") - before["cai"] == 0
    with chain.platform.engine.connect() as conn:
        assert views.get_receivable(conn, "rcv-1").status == "settled"
        assert _open_holdings(conn) == {}  # paid: nobody holds a piece any more
    _balanced(chain)


def _open_holdings(conn: Connection) -> dict[str, str]:
    h = receivable_holdings.c
    rows = conn.execute(select(h.piece_id, h.holder).where(h.held_until.is_(None)))
    return {r.piece_id: r.holder for r in rows}


def _holders_over_time(conn: Connection, piece_id: str) -> list[str]:
    h = receivable_holdings.c
    rows = conn.execute(select(h.holder).where(h.piece_id == piece_id).order_by(h.held_from_seq))
    return [r.holder for r in rows]


def test_without_recourse_the_bank_keeps_the_claim(chain: Chain) -> None:
    _issue_and_split(chain)
    chain.submit(
        "parts",
        "receivable.request_financing",
        {"financing_id": "f-1", "piece_id": "p-parts", "bank": "bank", "recourse": False},
    )
    chain.submit("bank", "receivable.finance", {"financing_id": "f-1", "annual_rate": "0.05"})
    chain.drain_core()
    chain.close_days(MATURITY)
    with chain.platform.engine.connect() as conn:
        assert views.get_financing(conn, "f-1").status == "defaulted"
        assert views.get_piece(conn, "p-parts").holder == "bank"
        assert views.payables(conn, "core")["total_outstanding"] == FACE


def test_unaccepted_receivable_lapses_and_releases_the_invoice(chain: Chain) -> None:
    chain.submit("core", "receivable.issue", issue_payload())
    chain.close_days(MATURITY)
    with chain.platform.engine.connect() as conn:
        assert views.get_receivable(conn, "rcv-1").status == "lapsed"
        assert liens.encumbrance(conn, _fingerprint(conn, "inv-1")) is None


def test_export_verifies_and_replay_reproduces_the_receivables(
    chain: Chain, tmp_path: Path
) -> None:
    _issue_and_split(chain)
    _guarantee_and_offer(chain, "p-cai", 10_000)
    chain.submit("bank", "receivable.finance", {"financing_id": "f-1", "annual_rate": "0.0435"})
    chain.drain_core()
    chain.close_days(MATURITY)
    chain.ledger.deposit("core", FACE, "late")
    chain.close_days(chain.today())
    digest = chain.snapshot()[1]
    out = tmp_path / "export"
    export(chain.platform.engine, chain.platform.log_signer, out, utc_now())
    summary = verify_export(
        out,
        chain.platform.log_signer.verifier_key(),
        build_registry(),
        lambda conn: party_views.witness_keys(conn, active_only=False),
    )
    assert summary.line().endswith(digest)
    assert replay_in_place(chain.platform.engine, chain.platform.registry).state_digest == digest
