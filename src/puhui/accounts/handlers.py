"""Handlers (command → events) of the accounts context and its wiring into the kernel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, select

from puhui.accounts import appliers, ledger
from puhui.accounts import commands as c
from puhui.accounts.errors import (
    AccountClosed,
    AccountExists,
    AccountNotEmpty,
    CurrencyExists,
    NotAccountHolder,
    RailNotAvailable,
    UnknownAccount,
    UnknownCurrency,
)
from puhui.accounts.ledger import AccountState, PendingState, find_currency, load_accounts
from puhui.accounts.model import AccountSpec, TransferRequest, chart_for
from puhui.accounts.rails import CONFIRMER_ROLES, PLATFORM, RAILS
from puhui.accounts.tables import pending_transfers, transfers
from puhui.kernel.commands import Event
from puhui.kernel.errors import InvalidCommand, PermissionDenied
from puhui.kernel.registry import CommandSpec, HandlerContext, Registry
from puhui.parties import views as parties

OPERATOR = "operator"
OPERATORS = frozenset({OPERATOR})
EXPIRIES_PER_CLOSE_MAX = 100_000
"""Pending transfers voided per close of day; any beyond wait a day, but cannot be posted
meanwhile (a post checks the expiry date itself)."""


def add_currency(ctx: HandlerContext, p: c.AddCurrency) -> Sequence[Event]:
    if find_currency(ctx.conn, p.code) is not None:
        raise CurrencyExists(f"currency {p.code} is already registered")
    external = {name for name, rail in RAILS.items() if rail.needs_confirmation}
    unknown = sorted(set(p.rails) - external)
    if unknown:
        raise RailNotAvailable(f"not external rails: {unknown}; known: {sorted(external)}")
    data = {"code": p.code, "scale": p.scale, "name": p.name, "rails": sorted(set(p.rails))}
    return [Event("accounts.currency_added", data)]


def _spec_json(spec: AccountSpec) -> dict[str, object]:
    return {
        "account_id": spec.id,
        "party_id": spec.party_id,
        "currency": spec.currency,
        "kind": spec.kind.value,
        "purpose": spec.purpose,
        "name": spec.name,
        "debits_must_not_exceed_credits": spec.debits_must_not_exceed_credits,
        "credits_must_not_exceed_debits": spec.credits_must_not_exceed_debits,
    }


def _same_account(spec: AccountSpec, found: AccountState) -> bool:
    return (
        found.party_id == spec.party_id
        and found.currency == spec.currency
        and found.kind == spec.kind
        and found.debits_must_not_exceed_credits == spec.debits_must_not_exceed_credits
        and found.credits_must_not_exceed_debits == spec.credits_must_not_exceed_debits
        and found.purpose == spec.purpose
        and found.name == spec.name
    )


def open_account_events(conn: Connection, specs: Sequence[AccountSpec]) -> list[Event]:
    """Events opening ``specs`` (public: other contexts open accounts for their objects).

    An account that exists with the same details is skipped; with other details it raises
    AccountExists. Parties and currencies must exist.
    """
    ids = [s.id for s in specs]
    if len(set(ids)) != len(ids):
        raise InvalidCommand("an account id appears twice in the command")
    existing = load_accounts(conn, ids)
    fresh: list[AccountSpec] = []
    for spec in specs:
        found = existing.get(spec.id)
        if found is None:
            fresh.append(spec)
        elif not _same_account(spec, found):
            raise AccountExists(f"account {spec.id} exists with other details")
    for spec in fresh:
        parties.get_party(conn, spec.party_id)
        if find_currency(conn, spec.currency) is None:
            raise UnknownCurrency(f"no currency {spec.currency!r}")
        if spec.debits_must_not_exceed_credits and spec.credits_must_not_exceed_debits:
            raise InvalidCommand(f"{spec.id}: an account cannot carry both balance limits")
    if not fresh:
        return []
    owners = tuple(sorted({s.party_id for s in fresh}))
    return [Event("accounts.opened", {"accounts": [_spec_json(s) for s in fresh]}, owners)]


def _for_self_or_operator(ctx: HandlerContext, party_ids: set[str]) -> None:
    if OPERATOR in ctx.actor_roles or party_ids <= {ctx.command.actor}:
        return
    raise PermissionDenied(f"{ctx.command.actor} may only open accounts for itself")


def open_accounts(ctx: HandlerContext, p: c.OpenAccounts) -> Sequence[Event]:
    _for_self_or_operator(ctx, {a.party_id for a in p.accounts})
    return open_account_events(ctx.conn, [a.to_spec() for a in p.accounts])


def open_chart(ctx: HandlerContext, p: c.OpenChart) -> Sequence[Event]:
    _for_self_or_operator(ctx, {p.party_id})
    party = parties.get_party(ctx.conn, p.party_id)
    if p.role not in party.roles:
        raise PermissionDenied(f"{p.party_id} does not have the role {p.role}")
    specs = chart_for(p.party_id, p.role)
    if not specs:
        raise InvalidCommand(f"there is no chart of accounts for the role {p.role}")
    return open_account_events(ctx.conn, specs)


def close_account(ctx: HandlerContext, p: c.CloseAccount) -> Sequence[Event]:
    found = load_accounts(ctx.conn, [p.account_id]).get(p.account_id)
    if found is None:
        raise UnknownAccount(f"no account {p.account_id!r}")
    if found.party_id != ctx.command.actor and OPERATOR not in ctx.actor_roles:
        raise NotAccountHolder(f"{p.account_id} belongs to {found.party_id}")
    if found.closed:
        raise AccountClosed(f"{p.account_id} is already closed")
    if found.debits_posted != found.credits_posted or found.debits_pending or found.credits_pending:
        raise AccountNotEmpty(f"{p.account_id} has a balance or pending amounts; empty it first")
    return [Event("accounts.closed", {"account_id": p.account_id}, (found.party_id,))]


def _authorizer(ctx: HandlerContext) -> ledger.Authorize:
    actor, roles = ctx.command.actor, ctx.actor_roles

    def authorize(
        req: TransferRequest,
        debit: AccountState,
        credit: AccountState,
        pending: PendingState | None,
    ) -> None:
        if OPERATOR in roles:
            return
        if pending is None:
            if debit.party_id != actor:
                raise NotAccountHolder(
                    f"transfer {req.id}: {actor} does not hold {debit.account_id}",
                    transfer_id=req.id,
                )
            return
        if pending.rail != PLATFORM:
            if not roles & CONFIRMER_ROLES:
                raise NotAccountHolder(
                    f"transfer {req.id}: {pending.transfer_id} is on the {pending.rail} rail; "
                    "only its confirmation (operator or oracle) settles it",
                    transfer_id=req.id,
                )
            return
        allowed = {debit.party_id} | ({credit.party_id} if req.void is not None else set())
        if actor not in allowed:
            raise NotAccountHolder(
                f"transfer {req.id}: {actor} may not resolve {pending.transfer_id}",
                transfer_id=req.id,
            )

    return authorize


def transfer(ctx: HandlerContext, p: c.Transfer) -> Sequence[Event]:
    return ledger.transfer_events(
        ctx.conn,
        [t.to_request() for t in p.transfers],
        business_date=ctx.business_date,
        authorize=_authorizer(ctx),
    )


def expire_pending(ctx: HandlerContext, day: date) -> Sequence[Event]:
    """Close-of-day hook: void every pending transfer whose expiry date is ``day`` or before."""
    rows = ctx.conn.execute(
        select(
            transfers.c.transfer_id,
            transfers.c.debit_account_id,
            transfers.c.credit_account_id,
            transfers.c.amount,
            transfers.c.currency,
        )
        .join(pending_transfers, pending_transfers.c.transfer_id == transfers.c.transfer_id)
        .where(pending_transfers.c.status == "pending", pending_transfers.c.expires_on <= day)
        .order_by(transfers.c.transfer_id)
        .limit(EXPIRIES_PER_CLOSE_MAX)
    ).all()
    if not rows:
        return []
    items: list[dict[str, object]] = [
        {
            "id": r.transfer_id,
            "kind": "expire",
            "debit": r.debit_account_id,
            "credit": r.credit_account_id,
            "released": r.amount,
            "currency": r.currency,
        }
        for r in rows
    ]
    touched = load_accounts(ctx.conn, {a for r in rows for a in r[1:3]})
    owners = tuple(sorted({a.party_id for a in touched.values()}))
    return [ledger.transfers_event(items, owners)]


def register_context(registry: Registry) -> None:
    specs = [
        CommandSpec(
            "accounts.add_currency",
            c.AddCurrency,
            add_currency,
            OPERATORS,
            summary="Register a currency with its scale and the external rails carrying it",
        ),
        CommandSpec("accounts.open", c.OpenAccounts, open_accounts, summary="Open accounts"),
        CommandSpec(
            "accounts.open_chart",
            c.OpenChart,
            open_chart,
            summary="Open a party's chart of accounts for one of its roles",
        ),
        CommandSpec("accounts.close", c.CloseAccount, close_account, summary="Close an account"),
        CommandSpec(
            "accounts.transfer",
            c.Transfer,
            transfer,
            summary="Linked transfers: single-phase, pending, post or void; all or none",
        ),
    ]
    for spec in specs:
        registry.command(spec)
    registry.appliers_for(
        {
            "accounts.currency_added": appliers.apply_currency_added,
            "accounts.opened": appliers.apply_account_opened,
            "accounts.closed": appliers.apply_account_closed,
            ledger.TRANSFERS_EVENT: appliers.apply_transfers,
        }
    )
    registry.close_day_hook("accounts.expire_pending", expire_pending)
