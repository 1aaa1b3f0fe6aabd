"""`puhui accounts ...` and `puhui transfer ...`: the ledger on the command line.

Amounts are integers of the currency's minor unit (fen for CNY); balances print both ways.
Writes are signed with ``--as``/``--key`` and go through the kernel like every command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from puhui.accounts import reports, views
from puhui.accounts.model import BUILTIN_CURRENCIES, Currency
from puhui.cli_common import _identity, _print_receipt, _today, errors_as_lines, fail, out, platform

accounts_app = typer.Typer(
    help="Accounts, balances, statements, trial balance", no_args_is_help=True
)
transfer_app = typer.Typer(help="Transfers: single, pending, post, void", no_args_is_help=True)

KeyFile = Annotated[Path, typer.Option("--key", help="PEM private key file of the signer")]
As = Annotated[str, typer.Option("--as", help="party id of the signer")]
AtSeq = Annotated[int | None, typer.Option(help="as it was after this log entry")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def _table(*headers: str) -> Table:
    """A table that wraps long ids instead of cutting them."""
    table = Table()
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def _print_json(value: Any) -> None:

    out.print_json(json.dumps(value, ensure_ascii=False))


def _submit(signer: str, key: Path, ctype: str, payload: dict[str, Any], idem: str | None) -> None:

    p = platform()
    ident = _identity(signer, key)
    with errors_as_lines():
        receipt = p.kernel.submit(ident.sign(ctype, payload, _today(p), idem))
    _print_receipt(receipt.to_json())


def _money(amount: int, code: str, known: dict[str, Currency]) -> str:
    currency = known.get(code)
    return currency.format(amount) if currency else f"{amount} {code}"


def _read(fn: Any) -> Any:
    """Run ``fn(conn)`` on a read connection, errors as one line."""

    with errors_as_lines(), platform().engine.connect() as conn:
        return fn(conn)


@accounts_app.command("currencies")
def currencies() -> None:
    """List currencies with their scale and external rails."""

    table = _table("code", "scale", "name", "rails")
    for c in _read(views.list_currencies):
        table.add_row(c.code, str(c.scale), c.name, ",".join(c.rails) or "platform only")
    out.print(table)


@accounts_app.command("add-currency")
def add_currency(
    code: Annotated[str, typer.Option()],
    scale: Annotated[int, typer.Option(help="decimal places of the minor unit")],
    name: Annotated[str, typer.Option()],
    signer: As,
    key: KeyFile,
    rail: Annotated[list[str] | None, typer.Option(help="external rail; repeat")] = None,
) -> None:
    """Register a currency (operator)."""
    payload = {"code": code, "scale": scale, "name": name, "rails": rail or []}
    _submit(signer, key, "accounts.add_currency", payload, f"currency-{code}")


@accounts_app.command("open-chart")
def open_chart(party_id: str, role: str, signer: As, key: KeyFile) -> None:
    """Open PARTY_ID's chart of accounts for ROLE (the party itself or an operator)."""
    payload = {"party_id": party_id, "role": role}
    _submit(signer, key, "accounts.open_chart", payload, f"chart-{party_id}-{role}")


@accounts_app.command("open")
def open_account(
    account_id: Annotated[str, typer.Option("--id")],
    party_id: Annotated[str, typer.Option("--party")],
    currency: Annotated[str, typer.Option()],
    kind: Annotated[str, typer.Option(help="asset, liability, equity, income or expense")],
    purpose: Annotated[str, typer.Option(help="cash, loan_principal, escrow, ...")],
    signer: As,
    key: KeyFile,
    name: str = "",
    no_overdraft: Annotated[
        bool, typer.Option(help="debits must not exceed credits (customer money)")
    ] = False,
    no_negative: Annotated[bool, typer.Option(help="credits must not exceed debits")] = False,
) -> None:
    """Open one account."""
    spec = {
        "account_id": account_id,
        "party_id": party_id,
        "currency": currency,
        "kind": kind,
        "purpose": purpose,
        "name": name,
        "debits_must_not_exceed_credits": no_overdraft,
        "credits_must_not_exceed_debits": no_negative,
    }
    _submit(signer, key, "accounts.open", {"accounts": [spec]}, f"open-{account_id}")


@accounts_app.command("close")
def close(account_id: str, signer: As, key: KeyFile) -> None:
    """Close an empty account."""
    _submit(signer, key, "accounts.close", {"account_id": account_id}, f"close-{account_id}")


@accounts_app.command("list")
def list_accounts(
    party: str | None = None,
    currency: str | None = None,
    after: str | None = None,
    limit: int = 100,
    as_json: AsJson = False,
) -> None:
    """List accounts with their balances."""

    found = _read(
        lambda conn: views.list_accounts(
            conn, party_id=party, currency=currency, after=after, limit=limit
        )
    )
    if as_json:
        _print_json([a.to_json() for a in found])
        return
    table = _table("account", "party", "kind", "purpose", "balance", "pending", "flags")
    for a in found:
        flags = [
            name
            for name, on in (
                ("no-overdraft", a.debits_must_not_exceed_credits),
                ("no-negative", a.credits_must_not_exceed_debits),
                ("closed", a.closed),
            )
            if on
        ]
        table.add_row(
            a.account_id,
            a.party_id,
            a.kind.value,
            a.purpose,
            _money(a.balance, a.currency, BUILTIN_CURRENCIES),
            str(a.totals.pending_balance(a.kind)),
            ",".join(flags),
        )
    out.print(table)


@accounts_app.command("show")
def show(account_id: str, at_seq: AtSeq = None) -> None:
    """An account's totals and balance, now or after log entry --at-seq (JSON)."""

    def read(conn: Any) -> dict[str, Any]:
        account = views.get_account(conn, account_id)
        totals = views.balance(conn, account_id, at_seq)
        return (
            account.to_json()
            | totals.to_json()
            | {
                "balance": totals.balance(account.kind),
                "at_seq": at_seq,
            }
        )

    _print_json(_read(read))


@accounts_app.command("statement")
def statement(
    account_id: str, after: str | None = None, limit: int = 100, as_json: AsJson = False
) -> None:
    """Postings with the running balance; continue with --after CURSOR."""

    lines = _read(lambda conn: views.statement(conn, account_id, after=after, limit=limit))
    if as_json:
        _print_json([ln.to_json() for ln in lines])
        return
    table = _table(
        "cursor", "date", "transfer", "kind", "counterparty", "change", "balance", "pending"
    )
    for ln in lines:
        table.add_row(
            ln.cursor,
            ln.business_date.isoformat(),
            ln.transfer_id,
            ln.kind,
            ln.counterparty,
            f"{ln.posted_change:+}",
            str(ln.balance),
            str(ln.pending_balance),
        )
    out.print(table)
    if len(lines) == limit:
        out.print(f"more: --after {lines[-1].cursor}")


@accounts_app.command("trial-balance")
def trial_balance(at_seq: AtSeq = None) -> None:
    """Per currency, debits and credits (posted and pending) must sum to zero."""

    trials = _read(lambda conn: reports.trial_balance(conn, at_seq))
    table = _table(
        "currency", "accounts", "debits posted", "credits posted", "pending D/C", "balanced"
    )
    for t in trials:
        totals = t.totals
        table.add_row(
            t.currency,
            str(t.accounts),
            str(totals.debits_posted),
            str(totals.credits_posted),
            f"{totals.debits_pending}/{totals.credits_pending}",
            "yes" if t.balanced else "NO",
        )
    out.print(table)
    if not all(t.balanced for t in trials):
        fail("the trial balance does not sum to zero")


@accounts_app.command("trace")
def trace(origin: str) -> None:
    """Where the money of a business object (e.g. loan:l1) went (JSON)."""
    _print_json(_read(lambda conn: reports.trace(conn, origin)))


@transfer_app.command("create")
def create(
    transfer_id: Annotated[str, typer.Option("--id", help="your id; reuse it on a retry")],
    debit: Annotated[str, typer.Option()],
    credit: Annotated[str, typer.Option()],
    amount: Annotated[int, typer.Option(help="integer minor units (fen)")],
    signer: As,
    key: KeyFile,
    code: int = 0,
    reference: Annotated[str | None, typer.Option(help="business object, e.g. loan:l1")] = None,
    pending: Annotated[bool, typer.Option(help="reserve only; post or void later")] = False,
    expires_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (pending)")] = None,
    payee: Annotated[str | None, typer.Option(help="only this party may receive")] = None,
    rail: str = "platform",
    external_ref: str | None = None,
) -> None:
    """Make one transfer."""
    item: dict[str, Any] = {
        "id": transfer_id,
        "debit": debit,
        "credit": credit,
        "amount": amount,
        "code": code,
        "pending": pending,
        "rail": rail,
    }
    optional = {
        "reference": reference,
        "expires_on": expires_on,
        "payee": payee,
        "external_ref": external_ref,
    }
    item.update({k: v for k, v in optional.items() if v is not None})
    _submit(signer, key, "accounts.transfer", {"transfers": [item]}, f"transfer-{transfer_id}")


@transfer_app.command("batch")
def batch(
    file: Annotated[Path, typer.Argument(help="JSON list of transfers, made all or none")],
    signer: As,
    key: KeyFile,
) -> None:
    """Make linked transfers from a JSON file."""

    with errors_as_lines():
        items = json.loads(file.read_text(encoding="utf-8"))
    if not isinstance(items, list):
        fail("the file must hold a JSON list of transfers")
    _submit(signer, key, "accounts.transfer", {"transfers": items}, None)


@transfer_app.command("post")
def post(
    pending_id: str,
    transfer_id: Annotated[str, typer.Option("--id")],
    signer: As,
    key: KeyFile,
    amount: Annotated[int | None, typer.Option(help="post part (default: all)")] = None,
) -> None:
    """Post a pending transfer, in full or in part."""
    item: dict[str, Any] = {"id": transfer_id, "post": pending_id}
    if amount is not None:
        item["amount"] = amount
    _submit(signer, key, "accounts.transfer", {"transfers": [item]}, f"transfer-{transfer_id}")


@transfer_app.command("void")
def void(
    pending_id: str, transfer_id: Annotated[str, typer.Option("--id")], signer: As, key: KeyFile
) -> None:
    """Void a pending transfer."""
    item = {"id": transfer_id, "void": pending_id}
    _submit(signer, key, "accounts.transfer", {"transfers": [item]}, f"transfer-{transfer_id}")


@transfer_app.command("show")
def show_transfer(transfer_id: str) -> None:
    """One transfer (JSON), with its status if it is two-phase."""
    _print_json(_read(lambda conn: views.get_transfer(conn, transfer_id)))
