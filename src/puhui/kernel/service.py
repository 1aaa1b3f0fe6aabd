"""The kernel: accepts signed commands and appends them to the log, all or nothing.

``submit`` runs one command in its own transaction. ``submit_many`` is group commit: many
commands in one transaction (one fsync), each inside a savepoint so a refused command leaves
nothing behind while the others are kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from puhui.kernel import signing
from puhui.kernel.canonical import CanonicalizationError, canonical_json
from puhui.kernel.commands import Event, SignedCommand
from puhui.kernel.errors import InvariantViolation, PuhuiError
from puhui.kernel.log import LogAppender, TreeHead, entry_body
from puhui.kernel.merkle import leaf_hash
from puhui.kernel.pipeline import Accepted, apply_events, decide
from puhui.kernel.registry import Registry
from puhui.kernel.store.engine import begin_write
from puhui.kernel.txcache import TxCache, preverify

BATCH_COMMANDS_MAX = 10_000


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Receipt:
    """What the submitter gets back: where its command sits in the log and what it caused."""

    seq: int
    leaf_hash: bytes
    type: str
    actor: str
    idempotency_key: str
    business_date: date
    events: tuple[Event, ...]
    repeat: bool
    accepted_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "leaf_hash": self.leaf_hash.hex(),
            "type": self.type,
            "actor": self.actor,
            "idempotency_key": self.idempotency_key,
            "business_date": self.business_date.isoformat(),
            "events": [e.to_json() for e in self.events],
            "repeat": self.repeat,
            "accepted_at": self.accepted_at,
        }


def entry_json(signed: SignedCommand, seq: int, events: Sequence[Event], accepted_at: str) -> bytes:
    entry = {
        "seq": seq,
        "command": signed.command.to_json(),
        "signature": signing.b64encode(signed.signature),
        "events": [e.to_json() for e in events],
        "accepted_at": accepted_at,
    }
    try:
        return canonical_json(entry)
    except CanonicalizationError as exc:
        raise InvariantViolation(
            f"{signed.command.type} produced an event that is not JSON: {exc}"
        ) from exc


def receipt_from_entry(body: bytes, leaf_hash: bytes, *, repeat: bool) -> Receipt:
    entry = json.loads(body)
    cmd = entry["command"]
    return Receipt(
        seq=entry["seq"],
        leaf_hash=leaf_hash,
        type=cmd["type"],
        actor=cmd["actor"],
        idempotency_key=cmd["idempotency_key"],
        business_date=date.fromisoformat(cmd["business_date"]),
        events=tuple(Event.from_json(e) for e in entry["events"]),
        repeat=repeat,
        accepted_at=entry["accepted_at"],
    )


class _ApplyFailed(Exception):
    """An applier failed after its handler accepted: redo the batch with savepoints."""


class Kernel:
    def __init__(
        self, engine: Engine, registry: Registry, now: Callable[[], datetime] = utc_now
    ) -> None:
        self.engine = engine
        self.registry = registry
        self._now = now

    @staticmethod
    def parse(raw: SignedCommand | dict[str, Any]) -> SignedCommand:
        return raw if isinstance(raw, SignedCommand) else SignedCommand.from_json(raw)

    def submit(self, raw: SignedCommand | dict[str, Any]) -> Receipt:
        """Accept one command in its own transaction; raise its PuhuiError if refused."""
        signed = self.parse(raw)
        with begin_write(self.engine) as conn:
            appender = LogAppender.open(conn)
            cache = TxCache()
            receipt = self._run(conn, appender, signed, cache)
            cache.flush(conn)
            appender.flush(conn)
        return receipt

    def submit_many(
        self, items: Sequence[SignedCommand | dict[str, Any]]
    ) -> tuple[list[Receipt | PuhuiError], TreeHead]:
        """Group commit: each command all-or-nothing, the whole batch in one transaction.

        Handlers write nothing, so a refused command needs no rollback. Only if an applier
        fails after its handler accepted is the batch redone with a savepoint per command.
        """
        if len(items) > BATCH_COMMANDS_MAX:
            raise InvariantViolation(f"batch of {len(items)} exceeds {BATCH_COMMANDS_MAX}")
        try:
            return self._batch(items, savepoints=False)
        except _ApplyFailed:
            return self._batch(items, savepoints=True)

    def _batch(
        self, items: Sequence[SignedCommand | dict[str, Any]], *, savepoints: bool
    ) -> tuple[list[Receipt | PuhuiError], TreeHead]:
        parsed: list[SignedCommand | PuhuiError] = []
        for raw in items:
            try:
                parsed.append(self.parse(raw))
            except PuhuiError as exc:
                parsed.append(exc)
        results: list[Receipt | PuhuiError] = []
        with begin_write(self.engine) as conn:
            appender = LogAppender.open(conn)
            cache = TxCache()
            preverify(
                conn, self.registry, [p for p in parsed if isinstance(p, SignedCommand)], cache
            )
            for signed in parsed:
                if isinstance(signed, PuhuiError):
                    results.append(signed)
                    continue
                try:
                    if savepoints:
                        results.append(self._run_in_savepoint(conn, appender, signed, cache))
                    else:
                        results.append(self._run(conn, appender, signed, cache, fragile=True))
                except PuhuiError as exc:
                    results.append(exc)
            cache.flush(conn)
            head = appender.flush(conn)
        return results, head

    def _run_in_savepoint(
        self, conn: Connection, appender: LogAppender, signed: SignedCommand, cache: TxCache
    ) -> Receipt:
        try:
            with conn.begin_nested():
                return self._run(conn, appender, signed, cache)
        except PuhuiError:
            raise
        except Exception as exc:  # an applier bug must not take the rest of the batch down
            cache.signers.clear()
            cache.business_date = None
            raise InvariantViolation(f"{signed.command.type} could not be applied: {exc}") from exc

    def _run(
        self,
        conn: Connection,
        appender: LogAppender,
        signed: SignedCommand,
        cache: TxCache,
        *,
        fragile: bool = False,
    ) -> Receipt:
        seq = appender.size
        outcome = decide(conn, self.registry, signed, seq, cache)
        if not isinstance(outcome, Accepted):
            pending = appender.pending_body(outcome.seq)
            if pending is not None:
                return receipt_from_entry(pending, leaf_hash(pending), repeat=True)
            body, leaf = entry_body(conn, outcome.seq)
            return receipt_from_entry(body, leaf, repeat=True)
        accepted_at = self._now().isoformat().replace("+00:00", "Z")
        body = entry_json(signed, seq, outcome.events, accepted_at)
        try:
            apply_events(conn, self.registry, signed, seq, outcome.events, cache)
        except Exception as exc:
            if fragile:
                raise _ApplyFailed from exc
            raise
        appended_seq, leaf = appender.append(body)
        if appended_seq != seq:
            raise InvariantViolation(f"entry took position {appended_seq}, expected {seq}")
        cmd = signed.command
        return Receipt(
            seq,
            leaf,
            cmd.type,
            cmd.actor,
            cmd.idempotency_key,
            cmd.business_date,
            outcome.events,
            False,
            accepted_at,
        )
