"""Command payloads of the parties context."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from puhui.kernel.commands import ID_PATTERN
from puhui.kernel.payloads import Payload
from puhui.parties.model import NAME_CHARS_MAX, PartyKind, PartyStatus, Role

PartyId = Annotated[str, StringConstraints(pattern=ID_PATTERN.pattern)]
Hex16 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
ROLES_MAX = 8


class Genesis(Payload):
    """The first entry of a log: the operator registers itself and starts the clock."""

    party_id: PartyId
    name: str = Field(min_length=1, max_length=NAME_CHARS_MAX)
    uscc: str | None = None
    public_key: str


class RegisterParty(Payload):
    party_id: PartyId
    name: str = Field(min_length=1, max_length=NAME_CHARS_MAX)
    kind: PartyKind
    uscc: str | None = None
    region: str | None = Field(default=None, pattern=r"^\d{6}$")
    roles: list[Role] = Field(min_length=1, max_length=ROLES_MAX)
    public_key: str


class RotateKey(Payload):
    """Add ``new_public_key`` and retire ``retire_key_id`` (default: the signing key)."""

    party_id: PartyId
    new_public_key: str
    retire_key_id: Hex16 | None = None


class RevokeKey(Payload):
    party_id: PartyId
    key_id: Hex16
    reason: str = Field(min_length=1, max_length=200)


class ChangeRoles(Payload):
    party_id: PartyId
    add: list[Role] = Field(default_factory=list, max_length=ROLES_MAX)
    remove: list[Role] = Field(default_factory=list, max_length=ROLES_MAX)


class SetStatus(Payload):
    party_id: PartyId
    status: PartyStatus
    reason: str = Field(min_length=1, max_length=200)


class IssueToken(Payload):
    """Register an API token; only the SHA-256 of its secret goes on the log."""

    token_id: Hex16
    secret_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    label: str = Field(default="", max_length=100)


class RevokeToken(Payload):
    token_id: Hex16
