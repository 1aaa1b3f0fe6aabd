"""Exports of the log, for auditors and regulators to verify offline (`puhui export DIR`).

An export directory holds:

* ``entries/NNNNNNNN.jsonl`` — the entries, one canonical-JSON entry per line, in order;
* ``leaves.bin`` — the 32-byte leaf hash of every entry, so `verify` can name a bad entry;
* ``checkpoints.jsonl`` — every signed checkpoint (with cosignatures) up to the export's size,
  each with the consistency proof from the previous one;
* ``state.note`` — the projections' state digest at that size, signed by the log key;
* ``manifest.json`` — format, origin, size and the files.

Everything is read in one snapshot and streamed, so memory does not grow with the log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Connection, Engine, insert, select

from puhui.kernel import checkpoints as cps
from puhui.kernel import log, signing
from puhui.kernel.digest import state_digest
from puhui.kernel.errors import Conflict
from puhui.kernel.merkle import leaf_hash
from puhui.kernel.note import Checkpoint, NoteSigner, SignedNote, sign_checkpoint
from puhui.kernel.store.tables import checkpoints as checkpoints_table

EXPORT_FORMAT = "puhui-export/1"
ENTRIES_PER_FILE = 100_000
STATE_NOTE_HEADER = "puhui/state/v1"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportSummary:
    size: int
    checkpoints: int
    state_digest: str
    directory: Path


def state_note_text(origin: str, size: int, digest: str) -> str:
    return f"{STATE_NOTE_HEADER}\n{origin}\n{size}\n{digest}\n"


def _snapshot(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def _write_entries(conn: Connection, out: Path, size: int, progress: Progress | None) -> list[str]:
    files: list[str] = []
    (out / "entries").mkdir()
    with (out / "leaves.bin").open("wb") as leaves:
        handle: BinaryIO | None = None
        for seq, body in log.stream_entries(conn):
            if seq >= size:
                break
            if handle is None or seq % ENTRIES_PER_FILE == 0:
                if handle is not None:
                    handle.close()
                name = f"entries/{seq // ENTRIES_PER_FILE:08d}.jsonl"
                files.append(name)
                handle = (out / name).open("wb")
            handle.write(body + b"\n")
            leaves.write(leaf_hash(body))
            if progress is not None:
                progress(seq + 1)
        if handle is not None:
            handle.close()
    return files


def _write_checkpoints(conn: Connection, out: Path, latest_note: str, size: int) -> int:
    sizes = [s for s in _all_sizes(conn) if s < size] + [size]
    previous: tuple[int, bytes] | None = None
    with (out / "checkpoints.jsonl").open("w", encoding="utf-8") as handle:
        for cp_size in sizes:
            note = latest_note if cp_size == size else cps.get_checkpoint(conn, cp_size).note
            root = log.root_at(conn, cp_size)
            proof: list[str] = []
            if previous is not None and previous[0] > 0:
                proof = [
                    signing.b64encode(h) for h in log.consistency_proof(conn, previous[0], cp_size)
                ]
            handle.write(json.dumps({"size": cp_size, "note": note, "consistency": proof}) + "\n")
            previous = (cp_size, root)
    return len(sizes)


def _all_sizes(conn: Connection) -> list[int]:
    return [
        r.size
        for r in conn.execute(select(checkpoints_table.c.size).order_by(checkpoints_table.c.size))
    ]


def export(
    engine: Engine, signer: NoteSigner, out: Path, now: datetime, progress: Progress | None = None
) -> ExportSummary:
    """Write an export of the whole log, as of one consistent snapshot, into new dir ``out``."""
    if out.exists() and any(out.iterdir()):
        raise Conflict(f"export directory {out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    with engine.connect() as conn, conn.begin():
        _snapshot(conn)
        head = log.tree_head(conn)
        note = sign_checkpoint(Checkpoint(signer.name, head.size, head.root), signer)
        stored = conn.execute(
            select(checkpoints_table.c.note).where(checkpoints_table.c.size == head.size)
        ).scalar()
        latest_note = cps.get_checkpoint(conn, head.size).note if stored is not None else note
        files = _write_entries(conn, out, head.size, progress)
        count = _write_checkpoints(conn, out, latest_note, head.size)
        digest = state_digest(conn)
    state = sign_checkpoint_text(state_note_text(signer.name, head.size, digest), signer)
    (out / "state.note").write_text(state, encoding="utf-8")
    manifest = {
        "format": EXPORT_FORMAT,
        "origin": signer.name,
        "size": head.size,
        "entry_files": files,
        "entries_per_file": ENTRIES_PER_FILE,
        "log_key": signer.verifier_key(),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if stored is None:
        with engine.begin() as conn:
            exists = conn.execute(
                select(checkpoints_table.c.size).where(checkpoints_table.c.size == head.size)
            ).scalar()
            if exists is None:
                conn.execute(
                    insert(checkpoints_table).values(
                        size=head.size, root=head.root, note=note, created_at=now
                    )
                )
    return ExportSummary(head.size, count, digest, out)


def sign_checkpoint_text(text: str, signer: NoteSigner) -> str:
    return SignedNote(text, (signer.sign(text),)).render()
