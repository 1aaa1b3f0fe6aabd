"""Accepting one command: the checks every command passes, in one place.

``decide`` checks and runs the handler without writing; ``apply_events`` writes the projections.
Both are shared by the live kernel (which then appends the entry) and by replay (which compares
the events it gets with the logged ones). Order of checks: known type and valid
payload → signer key → signature → idempotency (a repeat returns the first receipt even if the
key was revoked since) → key not revoked, party active → business date → role → handler →
apply events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, bindparam, select

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
    validation_lines,
)
from puhui.kernel.registry import ApplyContext, CommandSpec, HandlerContext, Registry, Signer
from puhui.kernel.store.tables import idempotency
from puhui.kernel.txcache import TxCache, signature_valid

VALIDATION_ERRORS_SHOWN_MAX = 5
PayloadModel = TypeVar("PayloadModel", bound=BaseModel)
_IDEMPOTENCY_LOOKUP = select(idempotency.c.command_hash, idempotency.c.seq).where(
    idempotency.c.actor == bindparam("actor"), idempotency.c.idempotency_key == bindparam("key")
)


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
    return parse_payload(spec.payload, spec.type, payload)


def parse_payload(model: type[PayloadModel], command_type: str, payload: Any) -> PayloadModel:
    """``payload`` as ``model``, or InvalidCommand naming the first problems: the one way a
    payload is read, whether by the pipeline or by a route that checks a command before it
    submits it."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = exc.errors()
        problems = validation_lines(errors[:VALIDATION_ERRORS_SHOWN_MAX], "payload")
        raise InvalidCommand(
            f"{command_type} payload is not valid: " + "; ".join(problems),
            errors=[{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in errors[:20]],
        ) from exc


def _resolve_signer(
    conn: Connection,
    registry: Registry,
    spec: CommandSpec,
    signed: SignedCommand,
    payload: BaseModel,
    seq: int,
    cache: TxCache,
) -> Signer:
    authority = registry.require_authority()
    if seq == 0:
        if not spec.bootstrap:
            raise Conflict("the log is empty: the first command must be the genesis command")
        signer = authority.bootstrap_signer(payload)
    elif spec.bootstrap:
        raise Conflict(f"{spec.type} is only valid as the first entry of an empty log")
    else:
        key_id = signed.command.key_id
        found = cache.signers.get(key_id) or authority.signer(conn, key_id)
        if found is None:
            raise AuthenticationFailed(f"unknown key {key_id}")
        cache.signers[key_id] = signer = found
    if signer.party_id != signed.command.actor:
        raise AuthenticationFailed(
            f"key {signed.command.key_id} belongs to {signer.party_id}, not {signed.command.actor}"
        )
    if signing.key_id(signer.public_key) != signed.command.key_id:
        raise AuthenticationFailed("key_id does not match the signing key")
    return signer


def _check_idempotency(conn: Connection, signed: SignedCommand, cache: TxCache) -> Repeat | None:
    cmd = signed.command
    pending = cache.idempotency_rows.get((cmd.actor, cmd.idempotency_key))
    if pending is not None:
        first_hash, first_seq = pending["command_hash"], pending["seq"]
    elif cache.replaying:
        return None
    else:
        row = conn.execute(
            _IDEMPOTENCY_LOOKUP, {"actor": cmd.actor, "key": cmd.idempotency_key}
        ).first()
        if row is None:
            return None
        first_hash, first_seq = row.command_hash, row.seq
    if first_hash != signed.command_hash:
        raise IdempotencyConflict(
            f"idempotency key {cmd.idempotency_key!r} was used by {cmd.actor} for a different "
            f"command (entry {first_seq})",
            seq=first_seq,
        )
    return Repeat(first_seq)


def decide(
    conn: Connection,
    registry: Registry,
    signed: SignedCommand,
    seq: int,
    cache: TxCache,
) -> Accepted | Repeat:
    """Check ``signed`` and run its handler as entry ``seq``. Writes nothing.

    Raises a ``PuhuiError`` when the command is refused.
    """
    cmd = signed.command
    spec = spec_for(registry, cmd.type)
    payload = validate_payload(spec, cmd.payload)
    signer = _resolve_signer(conn, registry, spec, signed, payload, seq, cache)
    if not signature_valid(signer, signed, cache):
        raise AuthenticationFailed(f"signature does not verify with key {cmd.key_id}")
    if seq > 0 and (repeat := _check_idempotency(conn, signed, cache)) is not None:
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


def _today(conn: Connection, cache: TxCache) -> date | None:
    if cache.business_date is None:
        cache.business_date = business_date(conn)
    return cache.business_date


def apply_events(
    conn: Connection,
    registry: Registry,
    signed: SignedCommand,
    seq: int,
    events: tuple[Event, ...],
    cache: TxCache,
) -> None:
    """Write the events into the projections; queue the kernel's rows on ``cache``."""
    cmd = signed.command
    actx = ApplyContext(seq, cmd.business_date, cmd)
    named: set[str] = set()
    for event in events:
        applier = registry.appliers.get(event.type)
        if applier is None:
            raise InvariantViolation(f"no applier registered for event {event.type}")
        applier(conn, event, actx)
        if event.type.startswith("clock."):
            cache.business_date = None
        named.update(event.parties)
    cache.forget_parties(named)
    cache.idempotency_rows[(cmd.actor, cmd.idempotency_key)] = {
        "actor": cmd.actor,
        "idempotency_key": cmd.idempotency_key,
        "command_hash": signed.command_hash,
        "seq": seq,
    }
    cache.entry_party_rows.append({"party_id": cmd.actor, "seq": seq, "role": "signer"})
    cache.entry_party_rows.extend(
        {"party_id": p, "seq": seq, "role": "named"} for p in sorted(named - {cmd.actor})
    )
