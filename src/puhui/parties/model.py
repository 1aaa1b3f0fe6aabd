"""Party types and rules: kinds, roles, USCC validation (GB 32100-2015)."""

from __future__ import annotations

from enum import StrEnum

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

from puhui.kernel import signing
from puhui.parties.errors import InvalidPublicKey, InvalidUSCC

USCC_LENGTH = 18
NAME_CHARS_MAX = 200


class PartyKind(StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"


class Role(StrEnum):
    FARMER = "farmer"
    SME = "sme"
    CORE_ENTERPRISE = "core_enterprise"
    SUPPLIER = "supplier"
    BANK = "bank"
    COOPERATIVE = "cooperative"
    """A rural credit or farmers' cooperative that lends to its members."""
    GUARANTOR = "guarantor"
    INSURER = "insurer"
    WAREHOUSE = "warehouse"
    LOGISTICS = "logistics"
    TAX_AUTHORITY = "tax_authority"
    REGULATOR = "regulator"
    INVESTOR = "investor"
    ORACLE = "oracle"
    WITNESS = "witness"
    OPERATOR = "operator"
    AUDITOR = "auditor"


class PartyStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


FULL_LOG_READERS = frozenset({Role.OPERATOR, Role.REGULATOR, Role.AUDITOR})


def check_uscc(value: str) -> str:
    """Return the normalised USCC or raise InvalidUSCC saying what is wrong."""
    code = value.strip().upper()
    if len(code) != USCC_LENGTH:
        raise InvalidUSCC(f"USCC {value!r} must be {USCC_LENGTH} characters, got {len(code)}")
    try:
        return str(stdnum_uscc.validate(code))
    except ValidationError as exc:
        raise InvalidUSCC(f"USCC {value!r} is not valid: {exc}") from exc


def decode_public_key(value: str) -> bytes:
    try:
        return signing.b64decode(value, length=signing.PUBLIC_KEY_BYTES, what="public_key")
    except ValueError as exc:
        raise InvalidPublicKey(str(exc)) from exc
