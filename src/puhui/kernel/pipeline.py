"""Accepting one command: the checks every command passes, in one place.

``decide`` checks and runs the handler without writing; ``apply_events`` writes the projections.
Both are shared by the live kernel (which then appends the entry) and by replay (which compares
the events it gets with the logged ones). Order of checks: known type and valid
payload → signer key → signature → idempotency (a repeat returns the first receipt even if the
key was revoked since) → key not revoked, party active → business date → role → handler →
apply events.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, bindparam, insert, select

from puhui.kernel import signing
from puhui.kernel.clock import business_date
from puhui.kernel.commands import Event, SignedCommand
from puhui.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    IdempotencyConflict,
    InvalidCommand,
    InvariantViolation,
    KeyRevoked,
    PermissionDenied,
)
from puhui.kernel.registry import ApplyContext, CommandSpec, HandlerContext, Registry, Signer
from puhui.kernel.store.tables import entry_parties, idempotency

VALIDATION_ERRORS_SHOWN_MAX = 5
_IDEMPOTENCY_LOOKUP = select(idempotency.c.command_hash, idempotency.c.seq).where(
    idempotency.c.actor == bindparam("actor"), idempotency.c.idempotency_key == bindparam("key")
)
_INSERT_IDEMPOTENCY = insert(idempotency)
_INSERT_ENTRY_PARTY = insert(entry_parties)


VERIFY_THREADS = 2
KEYS_PER_QUERY_MAX = 500
_verify_pool: ThreadPoolExecutor | None = None


@dataclass
class TxCache:
    """Facts a write transaction reads once: the business date (until a clock event moves it)
    and signatures checked ahead in bulk, keyed by signature."""

    business_date: date | None = None
    preverified: dict[bytes, tuple[bytes, bool]] = field(default_factory=dict)


def _verify_all(jobs: Sequence[tuple[bytes, bytes, bytes]]) -> list[bool]:
    return [signing.verify(pk, sig, body) for pk, sig, body in jobs]


def preverify(
    conn: Connection, registry: Registry, commands: Sequence[SignedCommand], cache: TxCache
) -> None:
    """Check, on all cores at once, the signatures of ``commands`` whose keys are known.

    Ed25519 verification releases the GIL, so slices of the batch verify in parallel threads;
    ``decide`` uses a result only if the key it resolves for the command is the same key.
    """
    global _verify_pool
    wanted = sorted({c.command.key_id for c in commands})
    keys: dict[str, bytes] = {}
    authority = registry.require_authority()
    for start in range(0, len(wanted), KEYS_PER_QUERY_MAX):
        keys.update(authority.public_keys(conn, wanted[start : start + KEYS_PER_QUERY_MAX]))
    jobs = [
        (keys[c.command.key_id], c.signature, c.body) for c in commands if c.command.key_id in keys
    ]
    if len(jobs) < 2 * VERIFY_THREADS:
        return
    if _verify_pool is None:
        _verify_pool = ThreadPoolExecutor(VERIFY_THREADS, thread_name_prefix="puhui-verify")
    step = -(-len(jobs) // VERIFY_THREADS)
    slices = [jobs[i : i + step] for i in range(0, len(jobs), step)]
    for part, results in zip(slices, _verify_pool.map(_verify_all, slices), strict=True):
        for (public_key, signature, _body), ok in zip(part, results, strict=True):
            cache.preverified[signature] = (public_key, ok)


def _signature_valid(signer: Signer, signed: SignedCommand, cache: TxCache | None) -> bool:
    checked = cache.preverified.pop(signed.signature, None) if cache is not None else None
    if checked is not None and checked[0] == signer.public_key:
        return checked[1]
    return signing.verify(signer.public_key, signed.signature, signed.body)


@dataclass(frozen=True)
class Accepted:
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Repeat:
    """The same command was accepted before, at ``seq``."""

    seq: int


def spec_for(registry: Registry, command_type: str) -> CommandSpec:
    spec = registry.commands.get(command_type)
    if spec is None:
        raise InvalidCommand(f"unknown command type {command_type!r}")
    return spec


def validate_payload(spec: CommandSpec, payload: Any) -> BaseModel:
    try:
        return spec.payload.model_validate(payload)
    except ValidationError as exc:
        errors = exc.errors()
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or 'payload'}: {err['msg']}"
            for err in errors[:VALIDATION_ERRORS_SHOWN_MAX]
        ]
        raise InvalidCommand(
            f"{spec.type} payload is not valid: " + "; ".join(problems),
            errors=[{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in errors[:20]],
        ) from exc


def _resolve_signer(
    conn: Connection,
    registry: Registry,
    spec: CommandSpec,
    signed: SignedCommand,
    payload: BaseModel,
    seq: int,
) -> Signer:
    authority = registry.require_authority()
    if seq == 0:
        if not spec.bootstrap:
            raise Conflict("the log is empty: the first command must be the genesis command")
        signer = authority.bootstrap_signer(payload)
    elif spec.bootstrap:
        raise Conflict(f"{spec.type} is only valid as the first entry of an empty log")
    else:
        found = authority.signer(conn, signed.command.key_id)
        if found is None:
            raise AuthenticationFailed(f"unknown key {signed.command.key_id}")
        signer = found
    if signer.party_id != signed.command.actor:
        raise AuthenticationFailed(
            f"key {signed.command.key_id} belongs to {signer.party_id}, not {signed.command.actor}"
        )
    if signing.key_id(signer.public_key) != signed.command.key_id:
        raise AuthenticationFailed("key_id does not match the signing key")
    return signer


def _check_idempotency(conn: Connection, signed: SignedCommand) -> Repeat | None:
    cmd = signed.command
    row = conn.execute(
        _IDEMPOTENCY_LOOKUP, {"actor": cmd.actor, "key": cmd.idempotency_key}
    ).first()
    if row is None:
        return None
    if row.command_hash != signed.command_hash:
        raise IdempotencyConflict(
            f"idempotency key {cmd.idempotency_key!r} was used by {cmd.actor} for a different "
            f"command (entry {row.seq})",
            seq=row.seq,
        )
    return Repeat(row.seq)


def decide(
    conn: Connection,
    registry: Registry,
    signed: SignedCommand,
    seq: int,
    cache: TxCache | None = None,
) -> Accepted | Repeat:
    """Check ``signed`` and run its handler as entry ``seq``. Writes nothing.

    Raises a ``PuhuiError`` when the command is refused.
    """
    cmd = signed.command
    spec = spec_for(registry, cmd.type)
    payload = validate_payload(spec, cmd.payload)
    signer = _resolve_signer(conn, registry, spec, signed, payload, seq)
    if not _signature_valid(signer, signed, cache):
        raise AuthenticationFailed(f"signature does not verify with key {cmd.key_id}")
    if seq > 0 and (repeat := _check_idempotency(conn, signed)) is not None:
        return repeat
    if signer.revoked:
        raise KeyRevoked(f"key {cmd.key_id} of {signer.party_id} has been revoked")
    if not signer.party_active:
        raise PermissionDenied(f"party {signer.party_id} is not active")
    today = cmd.business_date if seq == 0 else _today(conn, cache)
    if cmd.business_date != today:
        raise Conflict(
            f"command is dated {cmd.business_date}, but the business date is {today}",
            business_date=str(today),
        )
    if spec.roles is not None and not (signer.roles & spec.roles):
        raise PermissionDenied(
            f"{cmd.type} needs one of the roles {sorted(spec.roles)}; "
            f"{signer.party_id} has {sorted(signer.roles)}"
        )
    ctx = HandlerContext(conn, cmd, seq, cmd.business_date, signer.roles, registry)
    return Accepted(tuple(spec.handler(ctx, payload)))


def _today(conn: Connection, cache: TxCache | None) -> date | None:
    if cache is None:
        return business_date(conn)
    if cache.business_date is None:
        cache.business_date = business_date(conn)
    return cache.business_date


def execute(
    conn: Connection,
    registry: Registry,
    signed: SignedCommand,
    seq: int,
    cache: TxCache | None = None,
) -> Accepted | Repeat:
    """``decide`` then, when accepted, apply the events to the projections."""
    outcome = decide(conn, registry, signed, seq, cache)
    if isinstance(outcome, Accepted):
        apply_events(conn, registry, signed, seq, outcome.events, cache)
    return outcome


def apply_events(
    conn: Connection,
    registry: Registry,
    signed: SignedCommand,
    seq: int,
    events: tuple[Event, ...],
    cache: TxCache | None = None,
) -> None:
    cmd = signed.command
    actx = ApplyContext(seq, cmd.business_date, cmd)
    for event in events:
        applier = registry.appliers.get(event.type)
        if applier is None:
            raise InvariantViolation(f"no applier registered for event {event.type}")
        applier(conn, event, actx)
        if cache is not None and event.type.startswith("clock."):
            cache.business_date = None
    conn.execute(
        _INSERT_IDEMPOTENCY,
        {
            "actor": cmd.actor,
            "idempotency_key": cmd.idempotency_key,
            "command_hash": signed.command_hash,
            "seq": seq,
        },
    )
    named = {p for e in events for p in e.parties} - {cmd.actor}
    rows = [{"party_id": cmd.actor, "seq": seq, "role": "signer"}]
    rows += [{"party_id": p, "seq": seq, "role": "named"} for p in sorted(named)]
    conn.execute(_INSERT_ENTRY_PARTY, rows)
