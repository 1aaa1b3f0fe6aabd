"""Replay: re-run logged commands against a store and check they produce the logged events.

Used by `puhui replay` (rebuild projections in place) and `puhui verify` (rebuild a fresh store
from an export). Each entry is re-checked exactly as when it was accepted — signature, key
validity at that position, role, idempotency, business date — and its handler must return the
logged events, byte for byte in canonical form.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Connection, Engine, delete
from sqlalchemy.exc import IntegrityError

from puhui.kernel import merkle, signing, sigworker
from puhui.kernel.canonical import (
    CanonicalizationError,
    canonical_json,
    compact_json,
    needs_utf16_order,
    parse_json,
)
from puhui.kernel.commands import Command, SignedCommand
from puhui.kernel.digest import projection_tables, state_digest
from puhui.kernel.errors import PuhuiError
from puhui.kernel.log import LogAppender, stream_entries, tree_head
from puhui.kernel.pipeline import Accepted, apply_events, decide
from puhui.kernel.registry import Registry
from puhui.kernel.store import writebuffer
from puhui.kernel.store.engine import begin_write, metadata
from puhui.kernel.txcache import PendingChecks, TxCache, start_checks

REPLAY_CHUNK_FIRST_ENTRIES = 64
REPLAY_CHUNK_ENTRIES = 2048
ENTRY_FIELDS = frozenset({"seq", "command", "signature", "events", "accepted_at"})


class ReplayDivergence(Exception):
    """Entry ``seq`` does not replay to what the log says; ``reason`` says why."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(f"entry {seq}: {reason}")
        self.seq = seq
        self.reason = reason


@dataclass(frozen=True)
class ParsedEntry:
    seq: int
    signed: SignedCommand
    events_json: bytes


def parse_entry(seq: int, body: bytes) -> ParsedEntry:
    """Parse and check the shape of a logged entry; raise ReplayDivergence if malformed.

    One parse. The canonical-form check serialises the command and the events once each and
    reuses those bytes as the command's signed bytes and as the events to compare.
    """
    try:
        entry = parse_json(body)
    except CanonicalizationError as exc:
        raise ReplayDivergence(seq, f"entry is not canonical JSON: {exc}") from exc
    if not isinstance(entry, dict) or set(entry) != ENTRY_FIELDS:
        raise ReplayDivergence(seq, "entry does not have the fields of a log entry")
    if type(entry["seq"]) is not int or entry["seq"] != seq:
        raise ReplayDivergence(seq, f"entry says it is entry {entry['seq']}")
    try:
        command_json, events_json = _canonical_parts(entry, body)
        command = Command.from_json(entry["command"])
        signature = signing.b64decode(entry["signature"], length=64, what="signature")
    except CanonicalizationError as exc:
        raise ReplayDivergence(seq, f"entry is not canonical JSON: {exc}") from exc
    except (PuhuiError, ValueError) as exc:
        raise ReplayDivergence(seq, str(exc)) from exc
    if command_json is None:
        command_json = command.signing_bytes()
    return ParsedEntry(seq, SignedCommand(command, signature, command_json), events_json)


def _compact_scalar(value: Any) -> bytes:
    """``compact_json`` of a string or integer without the encoder's set-up (the same bytes)."""
    if type(value) is str:
        return encode_basestring(value).encode()
    if type(value) is int:
        return str(value).encode()
    return compact_json(value)


def _canonical_parts(entry: dict[str, Any], body: bytes) -> tuple[bytes | None, bytes]:
    """(canonical command bytes or None, compact events) once ``body`` is checked canonical."""
    if needs_utf16_order(body):  # rare: the reference canonicaliser orders astral keys
        if canonical_json(entry) != body:
            raise CanonicalizationError("not in canonical form")
        return None, compact_json(entry["events"])
    try:
        command_json = compact_json(entry["command"])
        events_json = compact_json(entry["events"])
        expected = b"".join(
            (
                b'{"accepted_at":',
                _compact_scalar(entry["accepted_at"]),
                b',"command":',
                command_json,
                b',"events":',
                events_json,
                b',"seq":',
                _compact_scalar(entry["seq"]),
                b',"signature":',
                _compact_scalar(entry["signature"]),
                b"}",
            )
        )
    except UnicodeEncodeError as exc:  # a lone surrogate escaped in the text
        raise CanonicalizationError("string is not valid Unicode") from exc
    if expected != body:  # the bytes compact_json(entry) would give: keys in sorted order
        raise CanonicalizationError("not in canonical form")
    return command_json, events_json


class Replayer:
    """Feeds entries, in order, through the kernel's checks into ``conn``.

    Entries go in chunks through a two-stage pipeline: while one chunk replays on this thread,
    the next chunk's signatures (those whose keys are already known) are checked on the other
    cores. Chunks start small and double up to ``REPLAY_CHUNK_ENTRIES``, so the keys a log
    registers early are known by the time most entries are checked.
    """

    def __init__(self, conn: Connection, registry: Registry) -> None:
        self.worker = sigworker.acquire()
        self.conn = conn
        self.registry = registry
        self.cache = TxCache(replaying=True)
        self.size = 0
        self._buffer: list[tuple[int, bytes]] = []
        self._chunk_entries = REPLAY_CHUNK_FIRST_ENTRIES
        self._queued: tuple[list[ParsedEntry], PendingChecks] | None = None

    def add(self, seq: int, body: bytes) -> bool:
        """Take entry ``seq``; return True when this completed a chunk and sent it on."""
        self._buffer.append((seq, body))
        if len(self._buffer) < self._chunk_entries:
            return False
        self._chunk_entries = min(2 * self._chunk_entries, REPLAY_CHUNK_ENTRIES)
        self._feed()
        return True

    def finish(self) -> None:
        """Replay every entry taken so far."""
        self._feed()
        self._replay_queued()

    def close(self) -> None:
        """Hand the signature worker back (call whether or not the replay succeeded)."""
        self._queued = None
        sigworker.release(self.worker)

    def _feed(self) -> None:
        chunk, self._buffer = self._buffer, []
        try:
            parsed = [parse_entry(seq, body) for seq, body in chunk]
        except ReplayDivergence:
            self._replay_queued()  # an earlier entry's divergence is the one to report
            raise
        commands = [p.signed for p in parsed]
        checks = start_checks(
            self.conn, self.registry, commands, background=True, worker=self.worker
        )
        self._replay_queued()
        self._queued = (parsed, checks)

    def _replay_queued(self) -> None:
        if self._queued is None:
            return
        parsed, checks = self._queued
        self._queued = None
        checks.into(self.cache)
        for entry in parsed:
            self._replay(entry)
        first = parsed[0].seq if parsed else self.size
        try:
            writebuffer.flush(self.conn)
        except IntegrityError as exc:
            raise ReplayDivergence(
                first, f"a projection row repeats a key among entries {first}..{self.size - 1}"
            ) from exc
        try:
            self.cache.flush(self.conn)
        except IntegrityError as exc:
            raise ReplayDivergence(
                first, f"an idempotency key repeats among entries {first}..{self.size - 1}"
            ) from exc

    def _replay(self, entry: ParsedEntry) -> None:
        seq, signed = entry.seq, entry.signed
        if seq != self.size:
            raise ReplayDivergence(seq, f"out of order: expected entry {self.size}")
        try:
            outcome = decide(self.conn, self.registry, signed, seq, self.cache)
        except PuhuiError as exc:
            raise ReplayDivergence(seq, f"{signed.command.type} refused on replay: {exc}") from exc
        if not isinstance(outcome, Accepted):
            raise ReplayDivergence(seq, f"repeats entry {outcome.seq} (same idempotency key)")
        produced = compact_json([e.to_json() for e in outcome.events])
        if produced != entry.events_json:
            raise ReplayDivergence(seq, "handler produced different events than the log records")
        apply_events(self.conn, self.registry, signed, seq, outcome.events, self.cache)
        self.size += 1


def clear_projections(conn: Connection) -> None:
    """Delete every projection row, children before parents."""
    projections = set(projection_tables())
    for table in reversed(metadata.sorted_tables):
        if table in projections:
            conn.execute(delete(table))


@dataclass(frozen=True)
class ReplaySummary:
    size: int
    root: bytes
    state_digest: str


def replay_in_place(
    engine: Engine, registry: Registry, progress: Callable[[int], None] | None = None
) -> ReplaySummary:
    """Rebuild every projection from the stored log, in one transaction holding the write lock.

    The stored entries are re-hashed into the Merkle root, which must equal the log head's.
    On any divergence nothing changes and ReplayDivergence names the entry.
    """
    with begin_write(engine) as conn:
        LogAppender.open(conn)
        head = tree_head(conn)
        clear_projections(conn)
        replayer = Replayer(conn, registry)
        frontier: list[bytes] = []
        with closing(replayer), writebuffer.buffering(conn):
            for seq, body in stream_entries(conn):
                frontier, _ = merkle.append_leaf(frontier, seq, merkle.leaf_hash(body))
                if replayer.add(seq, body) and progress is not None:
                    progress(seq + 1)
            replayer.finish()
        root = merkle.root_from_frontier(frontier)
        if replayer.size != head.size or root != head.root:
            raise ReplayDivergence(replayer.size, "stored entries do not hash to the log head")
        return ReplaySummary(head.size, root, state_digest(conn))
