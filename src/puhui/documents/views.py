"""Read functions of the documents context (documents, devices, recorded reads, stored bytes).

Consent and liens have their own modules (`consent`, `liens`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from puhui.documents.errors import UnknownDevice, UnknownDocument
from puhui.documents.tables import devices, document_contents, document_reads, documents

PAGE_SIZE_MAX = 500


def as_json(obj: Any) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(obj).items()}


@dataclass(frozen=True)
class Document:
    document_id: str
    kind: str
    owner: str
    counterparty: str | None
    device_id: str | None
    commitment: str
    fingerprint: str
    file_name: str | None
    file_media_type: str | None
    file_size_bytes: int | None
    registered_seq: int
    registered_on: date
    confirmed_seq: int | None
    confirmed_on: date | None

    def to_json(self) -> dict[str, Any]:
        return as_json(self)

    def concerns(self, party_id: str) -> bool:
        return party_id in (self.owner, self.counterparty)


_BY_ID = select(documents).where(documents.c.document_id == bindparam("document_id"))
_BY_FINGERPRINT = select(documents).where(documents.c.fingerprint == bindparam("fingerprint"))


def find_document(conn: Connection, document_id: str) -> Document | None:
    row = conn.execute(_BY_ID, {"document_id": document_id}).first()
    return None if row is None else Document(**row._mapping)


def get_document(conn: Connection, document_id: str) -> Document:
    found = find_document(conn, document_id)
    if found is None:
        raise UnknownDocument(f"no document {document_id!r}")
    return found


def document_by_fingerprint(conn: Connection, fingerprint: str) -> Document | None:
    row = conn.execute(_BY_FINGERPRINT, {"fingerprint": fingerprint}).first()
    return None if row is None else Document(**row._mapping)


def list_documents(
    conn: Connection,
    party_id: str,
    *,
    kind: str | None = None,
    device_id: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[Document]:
    """Documents the party owns or is counterparty to, by id, keyset-paginated."""
    limit = max(1, min(limit, PAGE_SIZE_MAX))
    stmt = (
        select(documents)
        .where((documents.c.owner == party_id) | (documents.c.counterparty == party_id))
        .order_by(documents.c.document_id)
        .limit(limit)
    )
    if kind is not None:
        stmt = stmt.where(documents.c.kind == kind)
    if device_id is not None:
        stmt = stmt.where(documents.c.device_id == device_id)
    if after is not None:
        stmt = stmt.where(documents.c.document_id > after)
    return [Document(**r._mapping) for r in conn.execute(stmt)]


@dataclass(frozen=True)
class Device:
    device_id: str
    owner: str
    name: str
    registered_seq: int
    registered_on: date

    def to_json(self) -> dict[str, Any]:
        return as_json(self)


def find_device(conn: Connection, device_id: str) -> Device | None:
    row = conn.execute(select(devices).where(devices.c.device_id == device_id)).first()
    return None if row is None else Device(**row._mapping)


def get_device(conn: Connection, device_id: str) -> Device:
    found = find_device(conn, device_id)
    if found is None:
        raise UnknownDevice(f"no device {device_id!r}")
    return found


def devices_of(conn: Connection, owner: str, *, limit: int = 100) -> list[Device]:
    limit = max(1, min(limit, PAGE_SIZE_MAX))
    stmt = select(devices).where(devices.c.owner == owner).order_by(devices.c.device_id)
    return [Device(**r._mapping) for r in conn.execute(stmt.limit(limit))]


@dataclass(frozen=True)
class Read:
    """One recorded read attempt: who asked for what, when, why, and what they got."""

    seq: int
    document_id: str
    owner: str
    reader: str
    purpose: str
    outcome: str
    basis: str | None
    grant_id: str | None
    reason: str | None
    read_on: date

    def to_json(self) -> dict[str, Any]:
        return as_json(self)


def access_log(
    conn: Connection,
    owner: str,
    *,
    document_id: str | None = None,
    after: int = -1,
    limit: int = 100,
) -> list[Read]:
    """Reads of ``owner``'s documents by other parties, oldest first (keyset on ``seq``)."""
    limit = max(1, min(limit, PAGE_SIZE_MAX))
    stmt = (
        select(document_reads)
        .where(
            document_reads.c.owner == owner,
            document_reads.c.reader != owner,
            document_reads.c.seq > after,
        )
        .order_by(document_reads.c.seq)
        .limit(limit)
    )
    if document_id is not None:
        stmt = stmt.where(document_reads.c.document_id == document_id)
    return [Read(**r._mapping) for r in conn.execute(stmt)]


def read_at(conn: Connection, seq: int) -> Read | None:
    row = conn.execute(select(document_reads).where(document_reads.c.seq == seq)).first()
    return None if row is None else Read(**row._mapping)


# ---- off-log bytes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredContent:
    document_id: str
    salt: bytes
    content: bytes
    file: bytes | None


def stored_content(conn: Connection, document_id: str) -> StoredContent | None:
    row = conn.execute(
        select(
            document_contents.c.document_id,
            document_contents.c.salt,
            document_contents.c.content,
            document_contents.c.file,
        ).where(document_contents.c.document_id == document_id)
    ).first()
    return None if row is None else StoredContent(**row._mapping)


def stored_contents(conn: Connection, document_ids: list[str]) -> dict[str, StoredContent]:
    """``stored_content`` of many documents in one statement (absent ones are left out)."""
    if not document_ids:
        return {}
    rows = conn.execute(
        select(
            document_contents.c.document_id,
            document_contents.c.salt,
            document_contents.c.content,
            document_contents.c.file,
        ).where(document_contents.c.document_id.in_(document_ids))
    )
    return {r.document_id: StoredContent(**r._mapping) for r in rows}


def store_content(
    conn: Connection,
    document_id: str,
    salt: bytes,
    content: bytes,
    file: bytes | None,
    now: datetime,
) -> bool:
    """Keep the bytes of a document already on the log; False if they were stored before."""
    if stored_content(conn, document_id) is not None:
        return False
    conn.execute(
        insert(document_contents).values(
            document_id=document_id, salt=salt, content=content, file=file, stored_at=now
        )
    )
    return True
