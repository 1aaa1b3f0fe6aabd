"""Offline verification of an export (`puhui verify DIR --log-key VKEY`).

Needs no database and trusts nothing in the export but what the log key signed. In one streaming
pass it checks every checkpoint's log signature and the consistency proofs between them; every
entry against its leaf hash, and the leaf hashes against every checkpoint's root; and replays
every command into a fresh temporary store, re-checking each signature, key, role and business
date and requiring the handler to produce the logged events. Finally the replayed state digest
must equal the signed one, and each witness cosignature must verify with a witness key from the
replayed record. The first failure is reported with the entry or checkpoint it concerns;
hashes are checked as entries stream in and replay follows a chunk or two behind, so a broken
hash or root is reported before a replay divergence in the entries just before it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from puhui.kernel import merkle, signing
from puhui.kernel.digest import state_digest
from puhui.kernel.export import EXPORT_FORMAT, STATE_NOTE_HEADER
from puhui.kernel.note import (
    Checkpoint,
    CosignatureVerifier,
    NoteError,
    NoteVerifier,
    SignedNote,
    open_checkpoint,
)
from puhui.kernel.registry import Registry
from puhui.kernel.replay import ReplayDivergence, Replayer
from puhui.kernel.store import writebuffer
from puhui.kernel.store.engine import make_engine, metadata

WitnessKeys = Callable[[Any], dict[str, list[bytes]]]


class VerifyFailure(Exception):
    """The export does not verify; ``where`` names the entry or checkpoint."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


@dataclass(frozen=True)
class VerifySummary:
    origin: str
    size: int
    checkpoints: int
    cosignatures: int
    state_digest: str

    def line(self) -> str:
        return (
            f"OK {self.origin}: {self.size} entries, {self.checkpoints} checkpoints, "
            f"{self.cosignatures} witness cosignatures, state {self.state_digest}"
        )


@dataclass(frozen=True)
class _Checkpoint:
    checkpoint: Checkpoint
    note: SignedNote


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise VerifyFailure(path.name, f"cannot be read: {exc}") from exc


def _checkpoints(directory: Path, verifier: NoteVerifier) -> list[_Checkpoint]:
    found: list[_Checkpoint] = []
    previous: Checkpoint | None = None
    path = directory / "checkpoints.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise VerifyFailure("checkpoints.jsonl", f"cannot be read: {exc}") from exc
    for number, line in enumerate(lines, 1):
        where = f"checkpoint line {number}"
        try:
            record = json.loads(line)
            checkpoint, note = open_checkpoint(record["note"], verifier, origin=verifier.name)
            proof = [
                signing.b64decode(h, length=32, what="proof hash") for h in record["consistency"]
            ]
        except (ValueError, KeyError, TypeError, NoteError) as exc:
            raise VerifyFailure(where, f"not a checkpoint signed by the log key: {exc}") from exc
        where = f"checkpoint at size {checkpoint.size}"
        if previous is not None:
            if checkpoint.size <= previous.size:
                raise VerifyFailure(where, "checkpoints are not in increasing size order")
            if previous.size > 0 and not merkle.verify_consistency(
                previous.size, checkpoint.size, previous.root, checkpoint.root, proof
            ):
                raise VerifyFailure(where, f"not consistent with checkpoint {previous.size}")
        found.append(_Checkpoint(checkpoint, note))
        previous = checkpoint
    if not found:
        raise VerifyFailure("checkpoints.jsonl", "holds no checkpoint")
    return found


def _entries(directory: Path, files: list[str], size: int) -> Iterator[tuple[int, bytes, bytes]]:
    """(seq, entry bytes, leaf hash listed in leaves.bin), streamed."""
    seq = 0
    with (directory / "leaves.bin").open("rb") as leaves:
        for name in files:
            with (directory / name).open("rb") as handle:
                for raw in handle:
                    listed = leaves.read(32)
                    if len(listed) != 32:
                        raise VerifyFailure(f"entry {seq}", "leaves.bin ends early")
                    yield seq, raw.rstrip(b"\n"), listed
                    seq += 1
        if leaves.read(1):
            raise VerifyFailure("leaves.bin", f"lists more than the {seq} entries exported")
    if seq != size:
        raise VerifyFailure("entries", f"export holds {seq} entries, the manifest says {size}")


def verify_export(
    directory: Path,
    log_key: str,
    registry: Registry,
    witness_keys: WitnessKeys,
    progress: Callable[[int], None] | None = None,
) -> VerifySummary:
    try:
        verifier = NoteVerifier.parse(log_key.strip())
    except NoteError as exc:
        raise VerifyFailure("--log-key", f"not a verifier key: {exc}") from exc
    manifest = _read_json(directory / "manifest.json")
    if manifest.get("format") != EXPORT_FORMAT:
        raise VerifyFailure("manifest.json", f"format is not {EXPORT_FORMAT}")
    cps = _checkpoints(directory, verifier)
    size = cps[-1].checkpoint.size
    if manifest.get("size") != size:
        raise VerifyFailure("manifest.json", f"size differs from the last checkpoint's {size}")
    with tempfile.TemporaryDirectory(prefix="puhui-verify-") as tmp:
        engine = make_engine(f"sqlite:///{tmp}/replay.db", sqlite_synchronous="OFF")
        metadata.create_all(engine)
        try:
            digest, cosigned = _replay(
                directory, manifest, cps, registry, engine, witness_keys, verifier, progress
            )
        finally:
            engine.dispose()
    _check_state(directory, verifier, size, digest)
    return VerifySummary(verifier.name, size, len(cps), cosigned, digest)


def _replay(
    directory: Path,
    manifest: dict[str, Any],
    cps: list[_Checkpoint],
    registry: Registry,
    engine: Any,
    witness_keys: WitnessKeys,
    verifier: NoteVerifier,
    progress: Callable[[int], None] | None,
) -> tuple[str, int]:
    roots = {c.checkpoint.size: c.checkpoint.root for c in cps}
    if 0 in roots and roots[0] != merkle.root_from_frontier([]):
        raise VerifyFailure("checkpoint at size 0", "root is not the empty tree's")
    frontier: list[bytes] = []
    with engine.begin() as conn:
        replayer = Replayer(conn, registry)
        try:
            with closing(replayer), writebuffer.buffering(conn):
                entries = _entries(directory, manifest["entry_files"], manifest["size"])
                for seq, body, listed in entries:
                    frontier = _check_leaf(seq, body, listed, frontier, roots)
                    if replayer.add(seq, body) and progress is not None:
                        progress(seq + 1)
                replayer.finish()
        except ReplayDivergence as exc:
            raise VerifyFailure(f"entry {exc.seq}", exc.reason) from exc
        digest = state_digest(conn)
        cosigned = _check_cosignatures(cps, witness_keys(conn), verifier)
    return digest, cosigned


def _check_leaf(
    seq: int, body: bytes, listed: bytes, frontier: list[bytes], roots: dict[int, bytes]
) -> list[bytes]:
    """Check entry ``seq`` against its listed leaf hash and any checkpoint ending at it."""
    leaf = merkle.leaf_hash(body)
    if leaf != listed:
        raise VerifyFailure(f"entry {seq}", "altered: does not match its leaf hash")
    frontier, _ = merkle.append_leaf(frontier, seq, leaf)
    root = roots.get(seq + 1)
    if root is not None and merkle.root_from_frontier(frontier) != root:
        raise VerifyFailure(
            f"checkpoint at size {seq + 1}", "root does not match the entries before it"
        )
    return frontier


def _check_cosignatures(
    cps: list[_Checkpoint], keys: dict[str, list[bytes]], log_verifier: NoteVerifier
) -> int:
    count = 0
    for cp in cps:
        for sig in cp.note.signatures:
            if log_verifier.matches(sig):
                continue
            where = f"checkpoint at size {cp.checkpoint.size}"
            candidates = keys.get(sig.name, [])
            if not any(
                CosignatureVerifier(sig.name, k).verify(cp.note.text, sig) is not None
                for k in candidates
            ):
                raise VerifyFailure(where, f"cosignature by {sig.name!r} does not verify")
            count += 1
    return count


def _check_state(directory: Path, verifier: NoteVerifier, size: int, digest: str) -> None:
    try:
        note = SignedNote.parse((directory / "state.note").read_text(encoding="utf-8"))
    except (OSError, NoteError) as exc:
        raise VerifyFailure("state.note", f"cannot be read: {exc}") from exc
    if not any(verifier.verify(note.text, sig) for sig in note.signatures):
        raise VerifyFailure("state.note", "not signed by the log key")
    lines = note.text.split("\n")
    if lines[:3] != [STATE_NOTE_HEADER, verifier.name, str(size)]:
        raise VerifyFailure("state.note", "is not the state of this log at this size")
    if lines[3] != digest:
        raise VerifyFailure(
            "state", f"replayed state digest {digest} differs from signed {lines[3]}"
        )
