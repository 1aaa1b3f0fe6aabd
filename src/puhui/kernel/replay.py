"""Replay: re-run logged commands against a store and check they produce the logged events.

Used by `puhui replay` (rebuild projections in place) and `puhui verify` (rebuild a fresh store
from an export). Each entry is re-checked exactly as when it was accepted — signature, key
validity at that position, role, idempotency, business date — and its handler must return the
logged events, byte for byte in canonical form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, delete

from puhui.kernel import signing
from puhui.kernel.canonical import CanonicalizationError, canonical_json
from puhui.kernel.commands import Command, SignedCommand
from puhui.kernel.digest import projection_tables
from puhui.kernel.errors import PuhuiError
from puhui.kernel.pipeline import Accepted, execute
from puhui.kernel.registry import Registry
from puhui.kernel.store.engine import metadata

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
    """Parse and check the shape of a logged entry; raise ReplayDivergence if malformed."""
    try:
        entry = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReplayDivergence(seq, f"entry is not JSON: {exc}") from exc
    if not isinstance(entry, dict) or set(entry) != ENTRY_FIELDS:
        raise ReplayDivergence(seq, "entry does not have the fields of a log entry")
    if entry["seq"] != seq:
        raise ReplayDivergence(seq, f"entry says it is entry {entry['seq']}")
    try:
        if canonical_json(entry) != body:
            raise ReplayDivergence(seq, "entry is not in canonical form")
        command = Command.from_json(entry["command"])
        signature = signing.b64decode(entry["signature"], length=64, what="signature")
        events_json = canonical_json(entry["events"])
    except (PuhuiError, ValueError, CanonicalizationError) as exc:
        raise ReplayDivergence(seq, str(exc)) from exc
    return ParsedEntry(seq, SignedCommand(command, signature, command.signing_bytes()), events_json)


def replay_entry(conn: Connection, registry: Registry, seq: int, body: bytes) -> None:
    parsed = parse_entry(seq, body)
    try:
        outcome = execute(conn, registry, parsed.signed, seq)
    except PuhuiError as exc:
        raise ReplayDivergence(seq, f"{parsed.signed.command.type} refused on replay: {exc}") from exc
    if not isinstance(outcome, Accepted):
        raise ReplayDivergence(seq, f"repeats entry {outcome.seq} (same idempotency key)")
    produced = canonical_json([e.to_json() for e in outcome.events])
    if produced != parsed.events_json:
        raise ReplayDivergence(seq, "handler produced different events than the log records")


def clear_projections(conn: Connection) -> None:
    """Delete every projection row, children before parents."""
    projections = set(projection_tables())
    for table in reversed(metadata.sorted_tables):
        if table in projections:
            conn.execute(delete(table))
