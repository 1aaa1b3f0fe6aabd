"""A document's content as the holder keeps it: body, salt and optional attached file.

``prepare`` validates the body, computes fingerprint, content bytes and commitment; the
"package" is the JSON file an owner keeps or shares (`puhui doc verify FILE` reads it).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from puhui.documents import kinds
from puhui.documents.errors import DocumentInvalid
from puhui.documents.model import (
    PACKAGE_FORMAT,
    commitment,
    content_bytes,
    fingerprint,
    parse_salt,
    sha256_hex,
)

FILE_BYTES_MAX = 8 * 1024 * 1024
FILE_NAME_CHARS_MAX = 200


@dataclass(frozen=True)
class Attachment:
    name: str
    media_type: str
    data: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "media_type": self.media_type,
            "content_b64": base64.b64encode(self.data).decode("ascii"),
        }

    @property
    def metadata(self) -> dict[str, Any]:
        return {"name": self.name, "media_type": self.media_type, "size_bytes": len(self.data)}

    @classmethod
    def from_json(cls, data: object) -> Attachment:
        if not isinstance(data, dict) or set(data) != {"name", "media_type", "content_b64"}:
            raise DocumentInvalid("file must be {name, media_type, content_b64}")
        name, media_type = data["name"], data["media_type"]
        if not isinstance(name, str) or not 0 < len(name) <= FILE_NAME_CHARS_MAX:
            raise DocumentInvalid(f"file name must be 1-{FILE_NAME_CHARS_MAX} characters")
        if not isinstance(media_type, str) or "/" not in media_type or len(media_type) > 100:
            raise DocumentInvalid("file media_type must look like type/subtype")
        try:
            raw = base64.b64decode(str(data["content_b64"]), validate=True)
        except binascii.Error as exc:
            raise DocumentInvalid("file content_b64 is not base64") from exc
        if len(raw) > FILE_BYTES_MAX:
            raise DocumentInvalid(f"file is {len(raw)} bytes; the limit is {FILE_BYTES_MAX}")
        return cls(name, media_type, raw)


@dataclass(frozen=True)
class Prepared:
    """Everything derived from (kind, body, salt, file)."""

    kind: str
    body: dict[str, Any]
    """The body as normalised by the schema (what the commitment covers)."""
    key: dict[str, Any]
    fingerprint: str
    content: bytes
    commitment: str
    salt: bytes
    file: Attachment | None

    @property
    def file_metadata(self) -> dict[str, Any] | None:
        return None if self.file is None else self.file.metadata


def prepare(kind: str, body: object, salt: bytes, file: Attachment | None = None) -> Prepared:
    model = kinds.validate_body(kind, body)
    normalised = model.model_dump(mode="json")
    key = kinds.key_of(kind, model)
    file_sha = None if file is None else sha256_hex(file.data)
    content = content_bytes(kind, normalised, file_sha)
    return Prepared(
        kind,
        normalised,
        key,
        fingerprint(kind, key),
        content,
        commitment(salt, content),
        salt,
        file,
    )


def fingerprint_of(kind: str, body: object) -> str:
    """The normalised fingerprint of a document body (what liens are registered against)."""
    model = kinds.validate_body(kind, body)
    return fingerprint(kind, kinds.key_of(kind, model))


@dataclass(frozen=True)
class Package:
    """The holder's copy: what `puhui doc verify` and ``POST /documents/verify`` check."""

    document_id: str | None
    kind: str
    body: dict[str, Any]
    salt: str
    file: Attachment | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PACKAGE_FORMAT,
            "document_id": self.document_id,
            "kind": self.kind,
            "body": self.body,
            "salt": self.salt,
            "file": None if self.file is None else self.file.to_json(),
        }

    @classmethod
    def from_json(cls, data: object) -> Package:
        if not isinstance(data, dict):
            raise DocumentInvalid("a document package is a JSON object")
        if data.get("format") != PACKAGE_FORMAT:
            raise DocumentInvalid(f"a document package has format {PACKAGE_FORMAT!r}")
        body, kind, doc_id = data.get("body"), data.get("kind"), data.get("document_id")
        if not isinstance(body, dict) or not isinstance(kind, str):
            raise DocumentInvalid("a document package needs a kind and a JSON object body")
        if doc_id is not None and not isinstance(doc_id, str):
            raise DocumentInvalid("document_id must be a string")
        salt = str(data.get("salt"))
        try:
            parse_salt(salt)
        except ValueError as exc:
            raise DocumentInvalid(str(exc)) from exc
        raw_file = data.get("file")
        file = None if raw_file is None else Attachment.from_json(raw_file)
        return cls(doc_id, kind, body, salt, file)

    def prepare(self) -> Prepared:
        return prepare(self.kind, self.body, parse_salt(self.salt), self.file)
