"""Command payloads of the documents context. None carries document content: only commitments,
fingerprints and metadata go on the log."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from puhui.documents.model import DocumentKind, LienRelease, Purpose
from puhui.kernel.payloads import Id, Payload

Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
REASON_CHARS_MAX = 200


class FileMetadata(Payload):
    name: str = Field(min_length=1, max_length=200)
    media_type: str = Field(min_length=3, max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+$")
    size_bytes: int = Field(ge=0)


class RegisterDocument(Payload):
    """``document.register``: the owner (the signer) commits to a document held off-log."""

    document_id: Id
    kind: DocumentKind
    commitment: Hash
    fingerprint: Hash
    counterparty: Id | None = None
    device_id: Id | None = None
    file: FileMetadata | None = None

    @model_validator(mode="after")
    def _device(self) -> RegisterDocument:
        if (self.kind == DocumentKind.IOT_BATCH) != (self.device_id is not None):
            raise ValueError("device_id is given for, and only for, an iot_batch")
        return self


class ConfirmDocument(Payload):
    """``document.confirm``: the named counterparty confirms (buyer, warehouse, tax authority)."""

    document_id: Id


class ReadDocument(Payload):
    """``document.read``: the reader asks for a document's bytes for a stated purpose."""

    document_id: Id
    purpose: Purpose


class GrantAccess(Payload):
    """``consent.grant``: the owner lets ``grantee`` read one document or a class of them."""

    grant_id: Id
    grantee: Id
    purpose: Purpose
    valid_until: date
    document_id: Id | None = None
    kind: DocumentKind | None = None

    @model_validator(mode="after")
    def _scope(self) -> GrantAccess:
        if (self.document_id is None) == (self.kind is None):
            raise ValueError("give exactly one of document_id (one document) or kind (a class)")
        return self


class RevokeAccess(Payload):
    grant_id: Id
    reason: str = Field(default="revoked by owner", min_length=1, max_length=REASON_CHARS_MAX)


class RegisterDevice(Payload):
    """``iot.register_device``: the signer owns the device."""

    device_id: Id
    name: str = Field(min_length=1, max_length=200)


class RegisterLien(Payload):
    """``lien.register``: a lender records its financing claim on a document's fingerprint.

    The deal itself stays private: ``terms_sha256`` may commit to it."""

    lien_id: Id
    fingerprint: Hash
    kind: DocumentKind
    grantor: Id
    document_id: Id | None = None
    terms_sha256: Hash | None = None


class ReleaseLien(Payload):
    lien_id: Id
    reason: LienRelease = LienRelease.HOLDER
