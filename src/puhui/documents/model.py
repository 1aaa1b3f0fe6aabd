"""Document types and rules: kinds, purposes, normalisation, fingerprints and commitments.

Two hashes describe a document on the log:

* the **commitment** ``SHA-256(salt || content)`` hides the content (the salt is 32 random bytes
  the owner keeps with the document) and binds it: whoever holds the bytes and the salt can check
  them against the log, and nobody else learns anything from the hash;
* the **fingerprint** ``SHA-256(canonical {kind, key})`` identifies the thing the document is
  about — for a fapiao its code and number — after normalisation (Unicode NFKC, so full-width
  digits become ASCII; whitespace removed; upper case), so the same invoice written differently
  gets the same fingerprint. Liens and duplicate checks use it.

``content`` is the canonical JSON of ``{kind, body, file_sha256}`` with the body as validated
(normalised) by its kind's schema, so reformatting a document does not "alter" it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from enum import StrEnum
from typing import Any

from puhui.kernel.canonical import canonical_json

SALT_BYTES = 32
HASH_HEX = re.compile(r"^[0-9a-f]{64}$")
PACKAGE_FORMAT = "puhui-document/1"
_SPACES = re.compile(r"\s+")


class DocumentKind(StrEnum):
    CONTRACT = "contract"
    PURCHASE_ORDER = "purchase_order"
    DELIVERY_NOTE = "delivery_note"
    E_INVOICE = "e_invoice"
    WAREHOUSE_RECEIPT = "warehouse_receipt"
    TAX_FILING = "tax_filing"
    TAX_RATING = "tax_rating"
    IOT_BATCH = "iot_batch"
    SALES_RECORD = "sales_record"


FINANCEABLE_KINDS = frozenset(
    {
        DocumentKind.E_INVOICE,
        DocumentKind.PURCHASE_ORDER,
        DocumentKind.CONTRACT,
        DocumentKind.WAREHOUSE_RECEIPT,
    }
)


class Purpose(StrEnum):
    CREDIT_ASSESSMENT = "credit_assessment"
    LOAN_MONITORING = "loan_monitoring"
    SUPERVISION = "supervision"
    AUDIT = "audit"
    DUE_DILIGENCE = "due_diligence"
    RISK_MANAGEMENT = "risk_management"


class ReadBasis(StrEnum):
    """Why a read was allowed: a grant, the supervision powers of a regulator, or the reader is
    the document's own owner or counterparty."""

    GRANT = "grant"
    SUPERVISION = "supervision"
    OWNER = "owner"
    COUNTERPARTY = "counterparty"


class LienRelease(StrEnum):
    REPAID = "repaid"
    HOLDER = "holder_release"


def normalise_text(value: str) -> str:
    """NFKC, trimmed, inner whitespace runs collapsed to one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()


def normalise_identifier(value: str) -> str:
    """NFKC, every whitespace removed, upper case: ``" ９１３５ 0100m "`` → ``"91350100M"``."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value)).upper()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(kind: str, key: dict[str, Any]) -> str:
    return sha256_hex(canonical_json({"kind": kind, "key": key}))


def content_bytes(kind: str, body: dict[str, Any], file_sha256: str | None) -> bytes:
    return canonical_json({"kind": kind, "body": body, "file_sha256": file_sha256})


def commitment(salt: bytes, content: bytes) -> str:
    return sha256_hex(salt + content)


def parse_salt(value: str) -> bytes:
    """A salt is 32 bytes written as 64 lowercase hex digits."""
    if not isinstance(value, str) or not HASH_HEX.match(value):
        raise ValueError(f"salt must be {SALT_BYTES} bytes as {2 * SALT_BYTES} lowercase hex")
    return bytes.fromhex(value)
