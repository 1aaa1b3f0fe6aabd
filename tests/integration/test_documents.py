"""Documents on both stores: registration with off-log bytes, confirmation, verification of
forged and altered copies, refusals that change nothing, IoT batches, replay and verify."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from sqlalchemy import select

from puhui.bootstrap import Platform, build_registry
from puhui.client import Identity
from puhui.client_documents import sign_registration
from puhui.documents import intake, views
from puhui.documents.content import Attachment, Package
from puhui.documents.errors import (
    ContentMismatch,
    DocumentInvalid,
    DuplicateDocument,
    PartyMismatch,
    UnknownKind,
)
from puhui.documents.tables import document_contents
from puhui.kernel.errors import PermissionDenied, PuhuiError, RuleViolation
from puhui.kernel.export import export
from puhui.kernel.replay import replay_in_place
from puhui.kernel.service import utc_now
from puhui.kernel.verify import verify_export
from puhui.parties import views as party_views
from tests.conftest import START
from tests.documents_support import (
    NOW,
    contract,
    invoice,
    register_document,
    snapshot,
    tax_filing,
    trade_parties,
)


@pytest.fixture
def people(platform: Platform, operator: Identity) -> dict[str, Identity]:
    return trade_parties(platform, operator)


def _verify(platform: Platform, package: Package) -> intake.Verification:
    with platform.engine.connect() as conn:
        return intake.verify(conn, package)


def test_register_confirm_and_verify(platform: Platform, people: dict[str, Identity]) -> None:
    pdf = Attachment("fapiao.pdf", "application/pdf", b"%PDF-1.7 fapiao")
    package, receipt = register_document(
        platform, people["seller"], "inv-1", "e_invoice", invoice(), counterparty="buyer", file=pdf
    )
    event = receipt.events[0]
    assert event.type == "document.registered"
    assert "amount_before_tax" not in str(receipt.to_json())  # content stays off the log
    assert event.data["file"] == {
        "name": "fapiao.pdf",
        "media_type": "application/pdf",
        "size_bytes": 15,
    }
    with pytest.raises(PermissionDenied, match="only the counterparty"):
        platform.kernel.submit(
            people["bank-a"].sign("document.confirm", {"document_id": "inv-1"}, START)
        )
    platform.kernel.submit(
        people["buyer"].sign("document.confirm", {"document_id": "inv-1"}, START)
    )
    result = _verify(platform, package)
    assert result.verified and result.verdict == "authentic"
    assert (
        "registered by seller" in result.reason
        and "confirmed by buyer on 2026-03-02" in result.reason
    )
    with platform.engine.connect() as conn:
        stored = intake.package_of(conn, views.get_document(conn, "inv-1"))
    assert stored.file == pdf and _verify(platform, stored).verified


def test_forged_and_altered_copies_fail_and_say_why(
    platform: Platform, people: dict[str, Identity]
) -> None:
    package, _ = register_document(
        platform, people["seller"], "inv-1", "e_invoice", invoice(), counterparty="buyer"
    )
    altered = Package("inv-1", "e_invoice", invoice(amount_before_tax=9_000_000), package.salt)
    result = _verify(platform, altered)
    assert (result.verified, result.verdict) == (False, "altered")
    assert "same e_invoice as inv-1" in result.reason
    renumbered = Package("inv-1", "e_invoice", invoice(number="99999999"), package.salt)
    assert "key fields (code, number) differ" in _verify(platform, renumbered).reason
    wrong_salt = Package("inv-1", "e_invoice", invoice(), "ab" * 32)
    assert _verify(platform, wrong_salt).verdict == "altered"
    forged = Package(None, "e_invoice", invoice(number="77777777"), package.salt)
    result = _verify(platform, forged)
    assert result.verdict == "forged" and "no e_invoice with this fingerprint" in result.reason
    assert _verify(platform, Package("inv-9", "e_invoice", invoice(), package.salt)).verdict == (
        "forged"
    )
    as_contract = Package("inv-1", "contract", contract(), package.salt)
    assert "is a e_invoice, not a contract" in _verify(platform, as_contract).reason
    garbage = Package(None, "e_invoice", invoice(tax=-1), package.salt)
    assert _verify(platform, garbage).verdict == "invalid"
    pdf = Attachment("x.pdf", "application/pdf", b"other bytes")
    with_file = Package("inv-1", "e_invoice", invoice(), package.salt, pdf)
    assert _verify(platform, with_file).verdict == "altered"


BAD_INPUTS = [
    ("e_invoice", invoice(seller_uscc="91350100MA2Y0000X9"), DocumentInvalid, "USCC"),
    ("e_invoice", invoice(amount_before_tax=-100), DocumentInvalid, "positive amount"),
    ("e_invoice", invoice(tax=1_000_001), DocumentInvalid, "above the amount before tax"),
    ("contract", contract(effective_until="2025-12-31"), DocumentInvalid, "dates out of order"),
    ("warranty", invoice(), UnknownKind, "unknown document kind 'warranty'"),
]


@pytest.mark.parametrize(("kind", "body", "error", "message"), BAD_INPUTS)
def test_bad_inputs_are_refused_and_change_nothing(
    platform: Platform,
    people: dict[str, Identity],
    kind: str,
    body: dict[str, object],
    error: type[PuhuiError],
    message: str,
) -> None:
    before = snapshot(platform)
    package = Package("bad-1", kind, body, "00" * 32)
    signed = people["seller"].sign(
        "document.register",
        {
            "document_id": "bad-1",
            "kind": "e_invoice",
            "commitment": "0" * 64,
            "fingerprint": "0" * 64,
            "counterparty": "buyer",
        },
        START,
    )
    with pytest.raises(error, match=message):
        intake.register(platform.engine, platform.kernel.submit, signed, package, NOW)
    assert snapshot(platform) == before


def test_content_must_match_its_command_and_parties(
    platform: Platform, people: dict[str, Identity]
) -> None:
    before = snapshot(platform)
    signed, package = sign_registration(people["seller"], "inv-1", "e_invoice", invoice(), START)
    other = Package("inv-1", "e_invoice", invoice(tax=1), package.salt)
    with pytest.raises(ContentMismatch, match="the commitment in the command"):
        intake.register(platform.engine, platform.kernel.submit, signed, other, NOW)
    signed, package = sign_registration(people["bank-a"], "inv-2", "e_invoice", invoice(), START)
    with pytest.raises(PartyMismatch, match=r"seller_uscc \S+ is not the registering party bank-a"):
        intake.register(platform.engine, platform.kernel.submit, signed, package, NOW)
    signed, package = sign_registration(
        people["seller"], "inv-3", "e_invoice", invoice(), START, counterparty="bank-a"
    )
    with pytest.raises(PartyMismatch, match="buyer_uscc"):
        intake.register(platform.engine, platform.kernel.submit, signed, package, NOW)
    signed, package = sign_registration(people["seller"], "tf-1", "tax_filing", tax_filing(), START)
    with pytest.raises(RuleViolation, match="must name its tax_authority"):
        intake.register(platform.engine, platform.kernel.submit, signed, package, NOW)
    assert snapshot(platform) == before


def test_the_same_invoice_written_differently_is_a_duplicate(
    platform: Platform, people: dict[str, Identity]
) -> None:
    register_document(platform, people["seller"], "inv-1", "e_invoice", invoice())
    before = snapshot(platform)
    fancy = invoice(
        code="３５００２２１１３０",
        number="0481 2345",
        seller_uscc=" " + invoice()["seller_uscc"].lower(),
    )
    with pytest.raises(DuplicateDocument, match="already registered as inv-1"):
        register_document(platform, people["seller"], "inv-1b", "e_invoice", fancy)
    assert snapshot(platform) == before


def test_iot_batches_belong_to_the_device_owner(
    platform: Platform, operator: Identity, people: dict[str, Identity]
) -> None:
    from tests.conftest import register

    farmer = register(platform, operator, "farmer-li", ["farmer"])
    platform.kernel.submit(
        farmer.sign("iot.register_device", {"device_id": "barn-1", "name": "Barn 1"}, START)
    )
    batch = {
        "device_id": "barn-1",
        "window_start_ms": 0,
        "window_end_ms": 60_000,
        "readings": [[t * 1000, "temp_mc", 23_000 + t] for t in range(60)],
    }
    package, receipt = register_document(platform, farmer, "barn-1:0", "iot_batch", batch)
    assert receipt.events[0].data["device_id"] == "barn-1"
    assert _verify(platform, package).verified
    with pytest.raises(PermissionDenied, match="belongs to farmer-li"):
        register_document(platform, people["seller"], "barn-1:x", "iot_batch", batch)
    with pytest.raises(DuplicateDocument):
        register_document(platform, farmer, "barn-1:again", "iot_batch", batch)


def test_replay_and_offline_verify_need_no_bytes(
    platform: Platform, operator: Identity, people: dict[str, Identity], tmp_path: Path
) -> None:
    register_document(
        platform, people["seller"], "inv-1", "e_invoice", invoice(), counterparty="buyer"
    )
    register_document(
        platform, people["seller"], "tf-1", "tax_filing", tax_filing(), counterparty="tax-bureau"
    )
    platform.kernel.submit(
        people["buyer"].sign("document.confirm", {"document_id": "inv-1"}, START)
    )
    grant = {
        "grant_id": "g-1",
        "grantee": "bank-a",
        "purpose": "credit_assessment",
        "valid_until": "2026-06-30",
        "kind": "tax_filing",
    }
    platform.kernel.submit(people["seller"].sign("consent.grant", grant, START))
    read = {"document_id": "tf-1", "purpose": "credit_assessment"}
    platform.kernel.submit(people["bank-a"].sign("document.read", read, START))
    platform.kernel.submit(people["bank-b"].sign("document.read", read, START))
    platform.kernel.submit(people["seller"].sign("consent.revoke", {"grant_id": "g-1"}, START))
    with platform.engine.connect() as conn:
        fp = views.get_document(conn, "inv-1").fingerprint
        live_contents = conn.execute(select(document_contents.c.document_id)).all()
    lien = {"lien_id": "l-1", "fingerprint": fp, "kind": "e_invoice", "grantor": "seller"}
    platform.kernel.submit(people["bank-a"].sign("lien.register", lien, START))
    platform.kernel.submit(people["bank-a"].sign("lien.release", {"lien_id": "l-1"}, START))
    export(platform.engine, platform.log_signer, tmp_path / "x", utc_now())
    offline = verify_export(
        tmp_path / "x",
        platform.log_signer.verifier_key(),
        build_registry(),
        lambda c: party_views.witness_keys(c, active_only=False),
    )
    assert replay_in_place(platform.engine, platform.registry).state_digest == offline.state_digest
    with platform.engine.connect() as conn:
        assert conn.execute(select(document_contents.c.document_id)).all() == live_contents
        assert len(live_contents) == 2


def test_owner_can_store_bytes_again_only_if_they_match(
    platform: Platform, people: dict[str, Identity]
) -> None:
    package, _ = register_document(platform, people["seller"], "inv-1", "e_invoice", invoice())
    with platform.engine.begin() as conn:
        conn.execute(document_contents.delete())
    assert intake.attach(platform.engine, "seller", package, NOW) is True
    assert intake.attach(platform.engine, "seller", package, NOW) is False
    with pytest.raises(PermissionDenied):
        intake.attach(platform.engine, "buyer", package, NOW)
    other = Package("inv-1", "e_invoice", invoice(tax=0), package.salt)
    with pytest.raises(ContentMismatch):
        intake.attach(platform.engine, "seller", other, NOW)
    pdf = base64.b64encode(b"x").decode()
    assert Attachment.from_json({"name": "a", "media_type": "a/b", "content_b64": pdf}).data == b"x"
