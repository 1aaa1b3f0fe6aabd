"""Handlers (command → events) and appliers (event → projection rows) of the parties context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, update

from puhui.kernel import clock, signing
from puhui.kernel.commands import Event
from puhui.kernel.errors import Conflict, InvariantViolation, PermissionDenied
from puhui.kernel.registry import ApplyContext, CommandSpec, HandlerContext, Registry, Signer
from puhui.kernel.store import writebuffer
from puhui.parties import commands as c
from puhui.parties import views
from puhui.parties.errors import InvalidUSCC, KeyExists, LastKey, PartyExists, UnknownParty
from puhui.parties.model import PartyKind, PartyStatus, Role, check_uscc, decode_public_key
from puhui.parties.tables import api_tokens, parties, party_keys, party_roles

OPERATOR = frozenset({Role.OPERATOR.value})


def _key_added(party_id: str, public_key: bytes) -> Event:
    kid = signing.key_id(public_key)
    data = {"party_id": party_id, "key_id": kid, "public_key": signing.b64encode(public_key)}
    return Event("party.key_added", data, (party_id,))


def _new_key(ctx: HandlerContext, encoded: str) -> bytes:
    public_key = decode_public_key(encoded)
    if views.find_key(ctx.conn, signing.key_id(public_key)) is not None:
        raise KeyExists(f"key {signing.key_id(public_key)} is already registered")
    return public_key


def _registered(
    party_id: str, name: str, kind: str, uscc: str | None, region: str | None, roles: Sequence[str]
) -> Event:
    data = {
        "party_id": party_id,
        "name": name,
        "kind": kind,
        "uscc": uscc,
        "region": region,
        "roles": sorted(set(roles)),
    }
    return Event("party.registered", data, (party_id,))


def genesis(ctx: HandlerContext, p: c.Genesis) -> Sequence[Event]:
    uscc = check_uscc(p.uscc) if p.uscc is not None else None
    public_key = decode_public_key(p.public_key)
    return [
        _registered(p.party_id, p.name, PartyKind.ORGANISATION, uscc, None, [Role.OPERATOR]),
        _key_added(p.party_id, public_key),
        clock.started_event(ctx.business_date),
    ]


def register(ctx: HandlerContext, p: c.RegisterParty) -> Sequence[Event]:
    if views.find_party(ctx.conn, p.party_id) is not None:
        raise PartyExists(f"party {p.party_id!r} is already registered")
    uscc = None
    if p.uscc is not None:
        uscc = check_uscc(p.uscc)
        holder = views.party_id_for_uscc(ctx.conn, uscc)
        if holder is not None:
            raise PartyExists(f"USCC {uscc} is already registered to {holder}")
    elif p.kind == PartyKind.ORGANISATION:
        raise InvalidUSCC("an organisation must give its 18-character USCC")
    public_key = _new_key(ctx, p.public_key)
    return [
        _registered(p.party_id, p.name, p.kind, uscc, p.region, p.roles),
        _key_added(p.party_id, public_key),
    ]


def _self_or_operator(ctx: HandlerContext, party_id: str) -> views.Party:
    party = views.find_party(ctx.conn, party_id)
    if party is None:
        raise UnknownParty(f"no party {party_id!r}")
    if ctx.command.actor != party_id and Role.OPERATOR not in ctx.actor_roles:
        raise PermissionDenied(f"only {party_id} or an operator may do this")
    return party


def _active_key(ctx: HandlerContext, party_id: str, key_id: str) -> views.KeyInfo:
    key = views.find_key(ctx.conn, key_id)
    if key is None or key.party_id != party_id:
        raise UnknownParty(f"{party_id} has no key {key_id}")
    if key.revoked_seq is not None:
        raise Conflict(f"key {key_id} was already revoked at entry {key.revoked_seq}")
    return key


def _key_revoked(party_id: str, key_id: str, reason: str) -> Event:
    return Event(
        "party.key_revoked", {"party_id": party_id, "key_id": key_id, "reason": reason}, (party_id,)
    )


def rotate_key(ctx: HandlerContext, p: c.RotateKey) -> Sequence[Event]:
    _self_or_operator(ctx, p.party_id)
    retire = p.retire_key_id
    if retire is None and ctx.command.actor == p.party_id:
        retire = ctx.command.key_id
    public_key = _new_key(ctx, p.new_public_key)
    events = [_key_added(p.party_id, public_key)]
    if retire is not None:
        _active_key(ctx, p.party_id, retire)
        events.append(_key_revoked(p.party_id, retire, "rotated"))
    return events


def revoke_key(ctx: HandlerContext, p: c.RevokeKey) -> Sequence[Event]:
    _self_or_operator(ctx, p.party_id)
    _active_key(ctx, p.party_id, p.key_id)
    remaining = [
        k for k in views.keys_of(ctx.conn, p.party_id, active_only=True) if k.key_id != p.key_id
    ]
    if not remaining and ctx.command.actor == p.party_id:
        raise LastKey(f"{p.key_id} is the last active key of {p.party_id}; rotate it instead")
    return [_key_revoked(p.party_id, p.key_id, p.reason)]


def change_roles(ctx: HandlerContext, p: c.ChangeRoles) -> Sequence[Event]:
    party = views.get_party(ctx.conn, p.party_id)
    roles = (set(party.roles) | {r.value for r in p.add}) - {r.value for r in p.remove}
    if not roles:
        raise Conflict(f"{p.party_id} must keep at least one role")
    if p.party_id == ctx.command.actor and Role.OPERATOR not in roles:
        raise Conflict("an operator cannot remove its own operator role")
    data = {"party_id": p.party_id, "roles": sorted(roles)}
    return [Event("party.roles_changed", data, (p.party_id,))]


def set_status(ctx: HandlerContext, p: c.SetStatus) -> Sequence[Event]:
    views.get_party(ctx.conn, p.party_id)
    if p.party_id == ctx.command.actor:
        raise Conflict("a party cannot change its own status")
    data = {"party_id": p.party_id, "status": p.status.value, "reason": p.reason}
    return [Event("party.status_changed", data, (p.party_id,))]


def issue_token(ctx: HandlerContext, p: c.IssueToken) -> Sequence[Event]:
    if views.token_owner(ctx.conn, p.token_id) is not None:
        raise Conflict(f"token {p.token_id} already exists")
    data = {
        "party_id": ctx.command.actor,
        "token_id": p.token_id,
        "secret_sha256": p.secret_sha256,
        "label": p.label,
    }
    return [Event("party.token_issued", data)]


def revoke_token(ctx: HandlerContext, p: c.RevokeToken) -> Sequence[Event]:
    owner = views.token_owner(ctx.conn, p.token_id)
    if owner is None:
        raise UnknownParty(f"no token {p.token_id}")
    _self_or_operator(ctx, owner)
    return [Event("party.token_revoked", {"party_id": owner, "token_id": p.token_id}, (owner,))]


# ---- appliers -------------------------------------------------------------------------------


_INSERT_ROLE = insert(party_roles)


def _apply_registered(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    writebuffer.insert_row(
        conn,
        parties,
        {
            "party_id": d["party_id"],
            "name": d["name"],
            "kind": d["kind"],
            "uscc": d["uscc"],
            "region": d["region"],
            "status": PartyStatus.ACTIVE.value,
            "registered_seq": ctx.seq,
            "registered_on": ctx.business_date,
        },
    )
    writebuffer.insert_rows(
        conn, party_roles, [{"party_id": d["party_id"], "role": r} for r in d["roles"]]
    )


def _apply_key_added(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    writebuffer.insert_row(
        conn,
        party_keys,
        {
            "key_id": e.data["key_id"],
            "party_id": e.data["party_id"],
            "public_key": signing.b64decode(e.data["public_key"]),
            "added_seq": ctx.seq,
        },
    )


def _apply_key_revoked(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        update(party_keys)
        .where(party_keys.c.key_id == e.data["key_id"])
        .values(revoked_seq=ctx.seq, revoked_reason=e.data["reason"])
    )


def _apply_roles_changed(conn: Connection, e: Event, _ctx: ApplyContext) -> None:
    party_id = e.data["party_id"]
    conn.execute(delete(party_roles).where(party_roles.c.party_id == party_id))
    conn.execute(_INSERT_ROLE, [{"party_id": party_id, "role": r} for r in e.data["roles"]])


def _apply_status_changed(conn: Connection, e: Event, _ctx: ApplyContext) -> None:
    conn.execute(
        update(parties)
        .where(parties.c.party_id == e.data["party_id"])
        .values(status=e.data["status"])
    )


def _apply_token_issued(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        insert(api_tokens).values(
            token_id=e.data["token_id"],
            party_id=e.data["party_id"],
            secret_sha256=bytes.fromhex(e.data["secret_sha256"]),
            label=e.data["label"],
            issued_seq=ctx.seq,
        )
    )


def _apply_token_revoked(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        update(api_tokens)
        .where(api_tokens.c.token_id == e.data["token_id"])
        .values(revoked_seq=ctx.seq)
    )


class PartyAuthority:
    """The kernel's view of keys, backed by the parties projections."""

    def signer(self, conn: Connection, key_id: str) -> Signer | None:
        return views.signer(conn, key_id)

    def public_keys(self, conn: Connection, key_ids: Sequence[str]) -> dict[str, bytes]:
        return views.public_keys(conn, key_ids)

    def bootstrap_signer(self, payload: Any) -> Signer:
        if not isinstance(payload, c.Genesis):
            raise InvariantViolation("bootstrap_signer needs a party.genesis payload")
        return Signer(
            payload.party_id,
            decode_public_key(payload.public_key),
            frozenset({Role.OPERATOR.value}),
            revoked=False,
            party_active=True,
        )


def register_context(registry: Registry) -> None:
    specs = [
        CommandSpec(
            "party.genesis",
            c.Genesis,
            genesis,
            None,
            bootstrap=True,
            summary="First entry: the operator registers itself and starts the clock",
        ),
        CommandSpec(
            "party.register",
            c.RegisterParty,
            register,
            OPERATOR,
            summary="Register an organisation or person with roles and a public key",
        ),
        CommandSpec(
            "party.rotate_key",
            c.RotateKey,
            rotate_key,
            summary="Add a new key and retire an old one",
        ),
        CommandSpec("party.revoke_key", c.RevokeKey, revoke_key, summary="Revoke a key"),
        CommandSpec(
            "party.change_roles",
            c.ChangeRoles,
            change_roles,
            OPERATOR,
            summary="Grant or withdraw roles",
        ),
        CommandSpec(
            "party.set_status",
            c.SetStatus,
            set_status,
            OPERATOR,
            summary="Suspend or reactivate a party",
        ),
        CommandSpec(
            "party.issue_token",
            c.IssueToken,
            issue_token,
            summary="Register an API token (its secret's hash) for the signer",
        ),
        CommandSpec(
            "party.revoke_token", c.RevokeToken, revoke_token, summary="Revoke an API token"
        ),
    ]
    for spec in specs:
        registry.command(spec)
    registry.appliers_for(
        {
            "party.registered": _apply_registered,
            "party.key_added": _apply_key_added,
            "party.key_revoked": _apply_key_revoked,
            "party.roles_changed": _apply_roles_changed,
            "party.status_changed": _apply_status_changed,
            "party.token_issued": _apply_token_issued,
            "party.token_revoked": _apply_token_revoked,
        }
    )
    registry.authority = PartyAuthority()
