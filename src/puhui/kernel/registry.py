"""The registry: how each context plugs its commands, event appliers and hooks into the kernel.

The kernel knows nothing of parties, documents or loans. A context registers, at start-up in the
composition root (`puhui.bootstrap`):

* a ``CommandSpec`` per command type: payload model, handler, roles allowed to submit it;
* an ``Applier`` per event type: writes the event into the context's projection tables;
* at most one ``Authority``: resolves a key id to its party, public key, roles and status;
* close-of-day hooks: run in order by ``clock.close_day`` and return events.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import Connection

from puhui.kernel.commands import Command, Event
from puhui.kernel.errors import InvariantViolation


@dataclass(frozen=True)
class Signer:
    """A key as the kernel needs it to accept a command."""

    party_id: str
    public_key: bytes
    roles: frozenset[str]
    revoked: bool
    party_active: bool


class Authority(Protocol):
    def signer(self, conn: Connection, key_id: str) -> Signer | None: ...

    def public_keys(self, conn: Connection, key_ids: Sequence[str]) -> dict[str, bytes]: ...

    def bootstrap_signer(self, payload: Any) -> Signer: ...


@dataclass(frozen=True)
class HandlerContext:
    """What a handler may know: the state (read through views), the command and the date."""

    conn: Connection
    command: Command
    seq: int
    business_date: date
    actor_roles: frozenset[str]
    registry: Registry


Handler = Callable[[HandlerContext, Any], Sequence[Event]]
Applier = Callable[[Connection, Event, "ApplyContext"], None]
CloseDayHook = Callable[[HandlerContext, date], Sequence[Event]]


@dataclass(frozen=True)
class ApplyContext:
    seq: int
    business_date: date
    command: Command


@dataclass(frozen=True)
class CommandSpec:
    type: str
    payload: builtins.type[BaseModel]
    handler: Handler
    roles: frozenset[str] | None = None
    """Roles allowed to submit; None means any active party."""
    bootstrap: bool = False
    """Only valid as the first entry of an empty log; its key comes from the payload."""
    summary: str = ""


@dataclass
class Registry:
    commands: dict[str, CommandSpec] = field(default_factory=dict)
    appliers: dict[str, Applier] = field(default_factory=dict)
    close_day_hooks: list[tuple[str, CloseDayHook]] = field(default_factory=list)
    authority: Authority | None = None

    def command(self, spec: CommandSpec) -> None:
        if spec.type in self.commands:
            raise InvariantViolation(f"command type {spec.type} registered twice")
        self.commands[spec.type] = spec

    def applier(self, event_type: str, fn: Applier) -> None:
        if event_type in self.appliers:
            raise InvariantViolation(f"event type {event_type} registered twice")
        self.appliers[event_type] = fn

    def appliers_for(self, mapping: Mapping[str, Applier]) -> None:
        for event_type, fn in mapping.items():
            self.applier(event_type, fn)

    def close_day_hook(self, name: str, fn: CloseDayHook) -> None:
        self.close_day_hooks.append((name, fn))

    def require_authority(self) -> Authority:
        if self.authority is None:
            raise InvariantViolation("no authority registered: wire parties into the kernel")
        return self.authority
