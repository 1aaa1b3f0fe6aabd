"""What one write transaction keeps between its commands, so a batch does less I/O.

* the business date, until a ``clock.*`` event moves it;
* signers by key id, until an event names their party (events must name every party whose
  keys, roles or status they change — the parties context does);
* signatures verified up front for the whole batch: in a thread pool for live batches (Ed25519
  holds the GIL, so this overlaps little), in a ``SigWorker`` child process for replay;
* the kernel's own rows (idempotency, entry index), written with one executemany at ``flush``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert

from puhui.kernel import signing
from puhui.kernel.commands import SignedCommand
from puhui.kernel.registry import Registry, Signer
from puhui.kernel.sigworker import SigWorker, verify_inline
from puhui.kernel.store.tables import entry_parties, idempotency

VERIFY_THREADS = os.cpu_count() or 2
CHECKS_IN_POOL_MIN = 4
"""Fewer signatures than this are checked inline: a pool round trip would cost more."""
KEYS_PER_QUERY_MAX = 500
_INSERT_IDEMPOTENCY = insert(idempotency)
_INSERT_ENTRY_PARTY = insert(entry_parties)
_verify_pool: ThreadPoolExecutor | None = None


@dataclass
class TxCache:
    replaying: bool = False
    """Replay trusts the primary key to catch a repeated idempotency key (no lookup)."""
    business_date: date | None = None
    signers: dict[str, Signer] = field(default_factory=dict)
    preverified: dict[bytes, tuple[bytes, bool]] = field(default_factory=dict)
    idempotency_rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    entry_party_rows: list[dict[str, Any]] = field(default_factory=list)

    def forget_parties(self, parties: Iterable[str]) -> None:
        gone = set(parties)
        if gone and any(s.party_id in gone for s in self.signers.values()):
            self.signers = {k: s for k, s in self.signers.items() if s.party_id not in gone}

    def flush(self, conn: Connection) -> None:
        if self.idempotency_rows:
            conn.execute(_INSERT_IDEMPOTENCY, list(self.idempotency_rows.values()))
        if self.entry_party_rows:
            conn.execute(_INSERT_ENTRY_PARTY, self.entry_party_rows)
        self.idempotency_rows = {}
        self.entry_party_rows = []


def _pool() -> ThreadPoolExecutor:
    """The signature-check threads (``cryptography``'s Ed25519 holds the GIL: see sigworker)."""
    global _verify_pool
    if _verify_pool is None:
        _verify_pool = ThreadPoolExecutor(VERIFY_THREADS, thread_name_prefix="puhui-verify")
    return _verify_pool


@dataclass
class PendingChecks:
    """Signature checks running on a verify pool or in a ``SigWorker``; ``into`` waits for them
    and records them."""

    slices: list[list[tuple[bytes, bytes, bytes]]] = field(default_factory=list)
    futures: list[Future[list[bool]]] = field(default_factory=list)
    worker: SigWorker | None = None
    """Set when ``slices`` is one batch sent to this worker (answered in the order sent)."""

    def into(self, cache: TxCache) -> None:
        if self.worker is not None:
            for part in self.slices:
                verdicts = self.worker.receive()
                if verdicts is None or len(verdicts) != len(part):
                    verdicts = verify_inline(part)  # the worker failed: check here
                self._record(cache, part, verdicts)
        else:
            for part, future in zip(self.slices, self.futures, strict=True):
                self._record(cache, part, future.result())
        self.slices, self.futures, self.worker = [], [], None

    @staticmethod
    def _record(
        cache: TxCache, part: list[tuple[bytes, bytes, bytes]], verdicts: list[bool]
    ) -> None:
        for (public_key, signature, _body), ok in zip(part, verdicts, strict=True):
            cache.preverified[signature] = (public_key, ok)


def start_checks(
    conn: Connection,
    registry: Registry,
    commands: Sequence[SignedCommand],
    *,
    background: bool = False,
    worker: SigWorker | None = None,
) -> PendingChecks:
    """Start checking, on other cores, the signatures of ``commands`` whose keys are known now.

    ``decide`` uses a result only if the key it resolves for the command is the same key, and
    verifies the others itself. ``background`` says the caller will work until it needs them;
    a live ``worker`` (a child process) then checks them instead of the pool's threads.
    """
    wanted = sorted({c.command.key_id for c in commands})
    keys: dict[str, bytes] = {}
    authority = registry.require_authority()
    for start in range(0, len(wanted), KEYS_PER_QUERY_MAX):
        keys.update(authority.public_keys(conn, wanted[start : start + KEYS_PER_QUERY_MAX]))
    jobs = [
        (keys[c.command.key_id], c.signature, c.body) for c in commands if c.command.key_id in keys
    ]
    if len(jobs) < CHECKS_IN_POOL_MIN:
        return PendingChecks()
    if background and worker is not None and worker.send(jobs):
        return PendingChecks([jobs], worker=worker)
    workers = max(1, VERIFY_THREADS - 1) if background else VERIFY_THREADS  # leave the caller one
    step = -(-len(jobs) // workers)
    slices = [jobs[i : i + step] for i in range(0, len(jobs), step)]
    return PendingChecks(slices, [_pool().submit(signing.verify_many, part) for part in slices])


def preverify(
    conn: Connection, registry: Registry, commands: Sequence[SignedCommand], cache: TxCache
) -> None:
    """Check the signatures of ``commands`` whose keys are known, on all cores, and wait."""
    start_checks(conn, registry, commands).into(cache)


def signature_valid(signer: Signer, signed: SignedCommand, cache: TxCache) -> bool:
    checked = cache.preverified.pop(signed.signature, None)
    if checked is not None and checked[0] == signer.public_key:
        return checked[1]
    return signing.verify(signer.public_key, signed.signature, signed.body)
