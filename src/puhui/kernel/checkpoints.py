"""Signed checkpoints of the log and the witnesses' cosignatures on them.

A checkpoint is a C2SP signed note (origin, size, root) signed by the log key, whose name is the
log's origin. A checkpoint is made when someone asks for the latest one and the log has grown,
at close of day and at export. Witnesses (parties with the ``witness`` role) cosign a
checkpoint after checking it is consistent with the last one they saw; the server stores a
cosignature only if it verifies against one of that witness's active keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select

from puhui.kernel import signing
from puhui.kernel.errors import AuthenticationFailed, InvalidCommand, NotFound
from puhui.kernel.log import tree_head
from puhui.kernel.note import (
    Checkpoint,
    CosignatureVerifier,
    NoteError,
    NoteSignature,
    NoteSigner,
    SignedNote,
    add_signature,
    sign_checkpoint,
)
from puhui.kernel.store.tables import checkpoints, cosignatures


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: str
    """The signed note with the log's signature and every stored cosignature."""
    cosigners: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "size": self.size,
            "root": signing.b64encode(self.root),
            "note": self.note,
            "cosigners": list(self.cosigners),
        }


def load_log_signer(key_file: Path, origin: str, *, create: bool = False) -> NoteSigner:
    """The checkpoint signer; with ``create`` a missing key file is generated."""
    if create and not key_file.exists():
        signing.write_private_key(key_file, signing.generate())
    return NoteSigner(origin, signing.read_private_key(key_file))


def _with_cosignatures(conn: Connection, size: int, note: str) -> StoredCheckpoint:
    rows = conn.execute(
        select(cosignatures.c.witness, cosignatures.c.line)
        .where(cosignatures.c.size == size)
        .order_by(cosignatures.c.witness)
    ).all()
    root = conn.execute(select(checkpoints.c.root).where(checkpoints.c.size == size)).scalar_one()
    for row in rows:
        note = add_signature(note, NoteSignature.parse_line(row.line))
    return StoredCheckpoint(size, root, note, tuple(r.witness for r in rows))


def get_checkpoint(conn: Connection, size: int) -> StoredCheckpoint:
    note = conn.execute(select(checkpoints.c.note).where(checkpoints.c.size == size)).scalar()
    if note is None:
        raise NotFound(f"no checkpoint at size {size}")
    return _with_cosignatures(conn, size, note)


def latest_size(conn: Connection) -> int | None:
    stmt = select(checkpoints.c.size).order_by(checkpoints.c.size.desc()).limit(1)
    value: int | None = conn.execute(stmt).scalar()
    return value


def publish(conn: Connection, signer: NoteSigner, now: datetime) -> StoredCheckpoint:
    """Sign a checkpoint at the current tree head unless one exists; return the latest."""
    head = tree_head(conn)
    last = latest_size(conn)
    if last != head.size:
        body = Checkpoint(signer.name, head.size, head.root).body()
        note = sign_checkpoint(Checkpoint.parse_body(body), signer)
        conn.execute(
            insert(checkpoints).values(size=head.size, root=head.root, note=note, created_at=now)
        )
    return get_checkpoint(conn, head.size)


def list_checkpoints(conn: Connection, *, after: int = -1, limit: int = 100) -> list[int]:
    rows = conn.execute(
        select(checkpoints.c.size)
        .where(checkpoints.c.size > after)
        .order_by(checkpoints.c.size)
        .limit(max(1, min(limit, 1000)))
    )
    return [r.size for r in rows]


def add_cosignature(
    conn: Connection, size: int, line: str, witness_keys: dict[str, list[bytes]]
) -> StoredCheckpoint:
    """Store a witness cosignature on checkpoint ``size`` if it verifies.

    ``witness_keys`` maps each witness party id (its cosigning key name) to its active keys.
    """
    stored = get_checkpoint(conn, size)
    try:
        sig = NoteSignature.parse_line(line if line.endswith("\n") else line + "\n")
    except NoteError as exc:
        raise InvalidCommand(f"not a cosignature line: {exc}") from exc
    keys = witness_keys.get(sig.name)
    if not keys:
        raise AuthenticationFailed(f"{sig.name!r} is not a registered witness")
    body = SignedNote.parse(stored.note).text
    for public_key in keys:
        timestamp = CosignatureVerifier(sig.name, public_key).verify(body, sig)
        if timestamp is not None:
            break
    else:
        raise AuthenticationFailed(f"cosignature by {sig.name} does not verify for size {size}")
    if sig.name not in stored.cosigners:
        conn.execute(
            insert(cosignatures).values(
                size=size, witness=sig.name, line=sig.line(), timestamp=timestamp
            )
        )
    return get_checkpoint(conn, size)
