"""Document kinds: schemas refuse bad input with clear messages; fingerprints normalise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puhui.documents.content import fingerprint_of, prepare
from puhui.documents.errors import DocumentInvalid, UnknownKind
from puhui.documents.kinds import SPECS, validate_body
from puhui.documents.model import DocumentKind, normalise_identifier
from tests.documents_support import BUYER_USCC, SELLER_USCC, contract, invoice, tax_filing

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    ("kind", "body", "message"),
    [
        ("e_invoice", invoice(seller_uscc="91350100MA2Y0000X9"), "seller_uscc: USCC"),
        ("e_invoice", invoice(amount_before_tax=-5), "must be a positive amount"),
        ("e_invoice", invoice(tax=2_000_000), "tax 2000000 is above the amount before tax"),
        ("e_invoice", invoice(amount_before_tax=100.5), "valid integer"),
        ("e_invoice", invoice(amount_before_tax="100"), "valid integer"),
        ("e_invoice", invoice(extra="x"), "extra: Extra inputs are not permitted"),
        ("e_invoice", invoice(buyer_uscc=SELLER_USCC), "different parties"),
        ("contract", contract(effective_until="2026-01-01"), "dates out of order"),
        ("tax_filing", tax_filing(filed_on="2026-01-15"), "filed_on 2026-01-15 is before"),
    ],
)
def test_bad_bodies_are_refused_clearly(kind: str, body: dict[str, object], message: str) -> None:
    with pytest.raises(DocumentInvalid, match=message):
        validate_body(kind, body)


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(DocumentInvalid) as caught:
        validate_body("e_invoice", invoice(amount_before_tax=-1, check_code="12", number="x"))
    fields = {e["loc"][0] for e in caught.value.extra["errors"]}
    assert {"amount_before_tax", "check_code", "number"} <= fields


def test_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(UnknownKind, match="unknown document kind 'fapiao'; known kinds: contract"):
        validate_body("fapiao", {})


def test_equivalent_invoices_share_a_fingerprint() -> None:
    plain = invoice()
    written_differently = invoice(
        code=" 3500 2211 30 ".translate(FULL_WIDTH),
        number="0481\u30002345".translate(FULL_WIDTH),
        seller_uscc=SELLER_USCC.lower(),
        buyer_uscc=" " + BUYER_USCC.lower(),
    )
    assert fingerprint_of("e_invoice", plain) == fingerprint_of("e_invoice", written_differently)
    assert fingerprint_of("e_invoice", plain) != fingerprint_of(
        "e_invoice", invoice(number="04812346")
    )
    salt = bytes(32)
    assert (
        prepare("e_invoice", plain, salt).commitment
        == prepare("e_invoice", written_differently, salt).commitment
    )


def test_salt_hides_and_content_binds() -> None:
    a = prepare("e_invoice", invoice(), bytes(32))
    b = prepare("e_invoice", invoice(), b"\x01" * 32)
    c = prepare("e_invoice", invoice(tax=130_001), bytes(32))
    assert a.fingerprint == b.fingerprint == c.fingerprint
    assert len({a.commitment, b.commitment, c.commitment}) == 3


def test_every_kind_has_a_schema_and_key() -> None:
    assert set(SPECS) == set(DocumentKind)
    for spec in SPECS.values():
        assert set(spec.key_fields) <= set(spec.schema.model_fields)


def test_iot_readings_must_lie_in_their_window() -> None:
    batch = {
        "device_id": "barn-1",
        "window_start_ms": 1000,
        "window_end_ms": 2000,
        "readings": [[1000, "temp_mc", 23_500], [1500, "weight_g", 1200]],
    }
    validate_body("iot_batch", batch)
    with pytest.raises(DocumentInvalid, match="reading 1 at 2500 is outside"):
        validate_body("iot_batch", batch | {"readings": [[1000, "temp_mc", 1], [2500, "t", 1]]})
    with pytest.raises(DocumentInvalid, match="dates out of order"):
        validate_body("iot_batch", batch | {"window_end_ms": 10})


@given(st.text(alphabet="0123456789 \u3000", min_size=1, max_size=20))
def test_identifier_normalisation_is_idempotent_and_width_blind(raw: str) -> None:
    once = normalise_identifier(raw.translate(FULL_WIDTH))
    assert once == normalise_identifier(once) == normalise_identifier(raw)
    assert " " not in once
