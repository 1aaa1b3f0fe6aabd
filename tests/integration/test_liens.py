"""The lien registry on both stores: one live lien per fingerprint, refusals that reveal only
the lien id and date, release, proofs of encumbrance, and ``claim`` inside a financing command."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from pydantic import BaseModel, ConfigDict

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.documents import evidence, liens
from puhui.documents.content import fingerprint_of
from puhui.documents.errors import LienExists, NotFinanceable
from puhui.kernel import log, merkle, signing
from puhui.kernel.commands import Event
from puhui.kernel.errors import Conflict, PermissionDenied, RuleViolation
from puhui.kernel.registry import CommandSpec, HandlerContext
from tests.conftest import START
from tests.documents_support import invoice, register_document, snapshot, trade_parties

FP = fingerprint_of("e_invoice", invoice())


@pytest.fixture
def people(platform: Platform, operator: Identity) -> dict[str, Identity]:
    found = trade_parties(platform, operator)
    register_document(platform, found["seller"], "inv-1", "e_invoice", invoice())
    return found


def _lien(platform: Platform, bank: Identity, lien_id: str, fp: str = FP, **more: str) -> object:
    payload = {"lien_id": lien_id, "fingerprint": fp, "kind": "e_invoice", "grantor": "seller"}
    return platform.kernel.submit(bank.sign("lien.register", payload | more, START))


def test_a_second_claim_is_refused_naming_only_lien_and_date(
    platform: Platform, people: dict[str, Identity]
) -> None:
    _lien(platform, people["bank-a"], "lien-a", document_id="inv-1", terms_sha256="ab" * 32)
    before = snapshot(platform)
    respelled = invoice(number="０４８１ ２３４５", code=" 3500221130 ")
    with pytest.raises(LienExists) as refused:
        _lien(platform, people["bank-b"], "lien-b", fingerprint_of("e_invoice", respelled))
    problem = refused.value.to_problem()
    assert problem["lien_id"] == "lien-a" and problem["registered_on"] == "2026-03-02"
    assert "bank-a" not in str(problem) and "abab" not in str(problem)
    assert snapshot(platform) == before


def test_release_by_the_holder_frees_the_fingerprint(
    platform: Platform, people: dict[str, Identity]
) -> None:
    _lien(platform, people["bank-a"], "lien-a")
    with pytest.raises(PermissionDenied, match="only the holder bank-a"):
        platform.kernel.submit(people["bank-b"].sign("lien.release", {"lien_id": "lien-a"}, START))
    platform.kernel.submit(
        people["bank-a"].sign("lien.release", {"lien_id": "lien-a", "reason": "repaid"}, START)
    )
    with pytest.raises(Conflict, match="already released"):
        platform.kernel.submit(people["bank-a"].sign("lien.release", {"lien_id": "lien-a"}, START))
    _lien(platform, people["bank-b"], "lien-b")
    with platform.engine.connect() as conn:
        live = liens.encumbrance(conn, FP)
        assert live is not None and live.holder == "bank-b"
        assert [x.lien_id for x in liens.liens_of(conn, "seller")] == ["lien-b", "lien-a"]


def _check_proof(platform: Platform, answer: dict[str, object]) -> None:
    proof = answer["evidence"]
    assert isinstance(proof, dict)
    with platform.engine.connect() as conn:
        root = log.root_at(conn, proof["tree_size"])
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        proof["seq"],
        proof["tree_size"],
        [signing.b64decode(h) for h in proof["inclusion_proof"]],
        root,
    )


def test_anyone_learns_yes_or_no_with_a_proof(
    platform: Platform, people: dict[str, Identity]
) -> None:
    with platform.engine.connect() as conn:
        never = evidence.encumbrance_answer(conn, FP)
    assert never["encumbered"] is False and never["evidence"] is None
    _lien(platform, people["bank-a"], "lien-a")
    with platform.engine.connect() as conn:
        yes = evidence.encumbrance_answer(conn, FP)
    assert yes["encumbered"] is True and yes["lien_id"] == "lien-a"
    _check_proof(platform, yes)
    platform.kernel.submit(people["bank-a"].sign("lien.release", {"lien_id": "lien-a"}, START))
    with platform.engine.connect() as conn:
        no = evidence.encumbrance_answer(conn, FP)
    assert no["encumbered"] is False and no["released_on"] == "2026-03-02"
    _check_proof(platform, no)


def test_only_financeable_documents_and_consistent_claims(
    platform: Platform, people: dict[str, Identity]
) -> None:
    with pytest.raises(NotFinanceable, match="a tax_filing cannot carry a lien"):
        platform.kernel.submit(
            people["bank-a"].sign(
                "lien.register",
                {"lien_id": "l-1", "fingerprint": FP, "kind": "tax_filing", "grantor": "seller"},
                START,
            )
        )
    with pytest.raises(RuleViolation, match="not a e_invoice of buyer"):
        _lien(platform, people["bank-a"], "l-2", document_id="inv-1", grantor="buyer")
    with pytest.raises(PermissionDenied, match="needs one of the roles"):
        _lien(platform, people["seller"], "l-3")


class Discount(BaseModel):
    """A stand-in for a finance context's command: discount an invoice, which needs a lien."""

    model_config = ConfigDict(extra="forbid")
    deal_id: str
    fingerprint: str
    amount: int


def discount(ctx: HandlerContext, p: Discount) -> Sequence[Event]:
    lien = liens.claim(
        ctx,
        lien_id=f"lien-{p.deal_id}",
        fingerprint=p.fingerprint,
        kind="e_invoice",
        grantor="seller",
    )
    if p.amount <= 0:
        raise RuleViolation("the discounted amount must be positive")
    return [Event("test.discounted", {"deal_id": p.deal_id, "amount": p.amount}), lien]


def test_claim_is_atomic_with_the_financing_command(
    platform: Platform, people: dict[str, Identity]
) -> None:
    platform.registry.command(CommandSpec("test.discount", Discount, discount))
    platform.registry.applier("test.discounted", lambda conn, e, ctx: None)
    bank_a, bank_b = people["bank-a"], people["bank-b"]
    before = snapshot(platform)
    bad = {"deal_id": "d-0", "fingerprint": FP, "amount": 0}
    with pytest.raises(RuleViolation):
        platform.kernel.submit(bank_a.sign("test.discount", bad, START))
    assert snapshot(platform) == before  # the financing failed, so no lien either
    good = {"deal_id": "d-1", "fingerprint": FP, "amount": 900_000}
    receipt = platform.kernel.submit(bank_a.sign("test.discount", good, START))
    assert [e.type for e in receipt.events] == ["test.discounted", "lien.registered"]
    with pytest.raises(LienExists, match="lien lien-d-1 registered on 2026-03-02"):
        platform.kernel.submit(bank_b.sign("test.discount", good | {"deal_id": "d-2"}, START))
