"""`puhui receivable ...`: digital receivables on the command line.

Amounts are integers of fen. Writes are signed with ``--as``/``--key`` and go through the kernel;
``issue`` first checks the invoice totals against the invoices stored on this platform, as the
API does. Reads print JSON.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from puhui.cli_accounts import _print_json, _read, _submit
from puhui.cli_common import As, KeyFile, errors_as_lines, fail, platform
from puhui.documents import views as documents
from puhui.finance.receivables import check_invoices, views
from puhui.finance.receivables.intake import invoice_total

receivable_app = typer.Typer(
    help="Digital receivables: issue, transfer, guarantee, factor, trace", no_args_is_help=True
)
Idem = Annotated[str | None, typer.Option("--idempotency-key", help="default: derived from ids")]


def _invoice_refs(invoice_ids: list[str]) -> list[dict[str, Any]]:
    """Each invoice with its total as stored here (the issuer confirms these totals)."""
    refs = []
    with errors_as_lines(), platform().engine.connect() as conn:
        for doc_id in invoice_ids:
            stored = documents.stored_content(conn, doc_id)
            if stored is None:
                fail(f"the platform holds no content for invoice {doc_id}")
            refs.append({"document_id": doc_id, "amount": invoice_total(stored.content)})
    return refs


@receivable_app.command("issue")
def issue(
    receivable_id: str,
    supplier: Annotated[str, typer.Option(help="the tier-1 supplier")],
    amount: Annotated[int, typer.Option(help="fen, at most the invoices' total")],
    contract: Annotated[str, typer.Option(help="confirmed contract id")],
    delivery: Annotated[list[str], typer.Option(help="confirmed delivery note id; repeat")],
    invoice: Annotated[list[str], typer.Option(help="confirmed e-invoice id; repeat")],
    signer: As,
    key: KeyFile,
    maturity: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default: the policy")] = None,
) -> None:
    """Confirm a receivable to a tier-1 supplier (core enterprise)."""
    payload: dict[str, Any] = {
        "receivable_id": receivable_id,
        "supplier": supplier,
        "amount": amount,
        "contract_id": contract,
        "delivery_ids": delivery,
        "invoices": _invoice_refs(invoice),
    }
    if maturity is not None:
        with errors_as_lines():
            payload["maturity_date"] = date.fromisoformat(maturity).isoformat()
    with errors_as_lines(), platform().engine.connect() as conn:
        check_invoices(conn, payload)
    _submit(signer, key, "receivable.issue", payload, f"rcv-issue-{receivable_id}")


@receivable_app.command("accept")
def accept(receivable_id: str, signer: As, key: KeyFile) -> None:
    """Accept a receivable issued to you (tier-1 supplier)."""
    payload = {"receivable_id": receivable_id}
    _submit(signer, key, "receivable.accept", payload, f"rcv-accept-{receivable_id}")


@receivable_app.command("reject")
def reject(receivable_id: str, signer: As, key: KeyFile) -> None:
    """Reject a receivable issued to you; its invoices are released."""
    payload = {"receivable_id": receivable_id}
    _submit(signer, key, "receivable.reject", payload, f"rcv-reject-{receivable_id}")


@receivable_app.command("transfer")
def transfer(
    piece_id: str,
    part: Annotated[list[str], typer.Option(help="NEW_PIECE_ID:TO:AMOUNT:CONTRACT_ID; repeat")],
    signer: As,
    key: KeyFile,
    keep: Annotated[str | None, typer.Option(help="id of the piece you keep")] = None,
) -> None:
    """Split a piece you hold and pass parts to your suppliers."""
    parts = []
    for text in part:
        fields = text.split(":")
        if len(fields) != 4 or not fields[2].isdigit():
            fail(f"--part {text!r} must be NEW_PIECE_ID:TO:AMOUNT:CONTRACT_ID")
        new_id, to, amount, contract = fields
        parts.append({"piece_id": new_id, "to": to, "amount": int(amount), "contract_id": contract})
    payload = {"piece_id": piece_id, "parts": parts, "remainder_piece_id": keep}
    _submit(signer, key, "receivable.transfer", payload, f"rcv-transfer-{piece_id}")


@receivable_app.command("guarantee")
def guarantee(
    guarantee_id: str,
    piece_id: Annotated[str, typer.Option("--piece")],
    fee: Annotated[int, typer.Option(help="fen")],
    fee_payer: Annotated[str, typer.Option(help="the piece's holder or the core enterprise")],
    signer: As,
    key: KeyFile,
) -> None:
    """Offer a guarantee on a piece and its parts (guarantor)."""
    payload = {
        "guarantee_id": guarantee_id,
        "piece_id": piece_id,
        "fee": fee,
        "fee_payer": fee_payer,
    }
    _submit(signer, key, "receivable.offer_guarantee", payload, f"rcv-offer-{guarantee_id}")


@receivable_app.command("accept-guarantee")
def accept_guarantee(guarantee_id: str, signer: As, key: KeyFile) -> None:
    """Accept a guarantee offered to you and pay its fee."""
    payload = {"guarantee_id": guarantee_id}
    _submit(signer, key, "receivable.accept_guarantee", payload, f"rcv-guar-{guarantee_id}")


@receivable_app.command("request-financing")
def request_financing(
    financing_id: str,
    piece_id: Annotated[str, typer.Option("--piece")],
    bank: Annotated[str, typer.Option()],
    signer: As,
    key: KeyFile,
    recourse: Annotated[bool, typer.Option("--recourse/--no-recourse")] = True,
    payee: Annotated[str | None, typer.Option(help="who receives the price")] = None,
) -> None:
    """Offer a piece you hold to a bank for factoring."""
    payload = {
        "financing_id": financing_id,
        "piece_id": piece_id,
        "bank": bank,
        "recourse": recourse,
        "payee": payee,
    }
    _submit(signer, key, "receivable.request_financing", payload, f"rcv-req-{financing_id}")


@receivable_app.command("finance")
def finance(
    financing_id: str,
    rate: Annotated[str, typer.Option(help="annual rate as a decimal, e.g. 0.0435")],
    signer: As,
    key: KeyFile,
    day_count: Annotated[str, typer.Option(help="ACT/360, ACT/365F, 30/360, ACT/ACT")] = "ACT/360",
    note: str = "",
) -> None:
    """Buy a piece at a discount and pay the payee (bank)."""
    payload = {
        "financing_id": financing_id,
        "annual_rate": rate,
        "day_count": day_count,
        "note": note,
    }
    _submit(signer, key, "receivable.finance", payload, f"rcv-fund-{financing_id}")


@receivable_app.command("decline")
def decline(financing_id: str, reason: str, signer: As, key: KeyFile) -> None:
    """Decline a financing request (bank)."""
    payload = {"financing_id": financing_id, "reason": reason}
    _submit(signer, key, "receivable.decline_financing", payload, f"rcv-decl-{financing_id}")


@receivable_app.command("policy")
def policy(months: int, signer: As, key: KeyFile, idem: Idem = None) -> None:
    """Set the longest maturity allowed at issue, in months (operator)."""
    payload = {"maturity_months_max": months}
    _submit(signer, key, "receivable.set_policy", payload, idem or f"rcv-policy-{months}")


@receivable_app.command("show")
def show(receivable_id: str) -> None:
    """A receivable with its documents and guarantees."""

    def read(conn: Any) -> dict[str, Any]:
        found = views.get_receivable(conn, receivable_id).to_json()
        return found | {
            "documents": views.documents_of(conn, receivable_id),
            "guarantees": [g.to_json() for g in views.guarantees_of(conn, receivable_id)],
        }

    _print_json(_read(read))


@receivable_app.command("trace")
def trace(piece_id: str) -> None:
    """A piece's path to the root and its holders."""
    _print_json(_read(lambda conn: views.trace(conn, piece_id).to_json()))


@receivable_app.command("graph")
def graph(receivable_id: str, after: str | None = None, limit: int = 500) -> None:
    """The penetration graph of a receivable (a page of pieces and edges)."""
    _print_json(_read(lambda conn: views.graph(conn, receivable_id, after=after, limit=limit)))


@receivable_app.command("wallet")
def wallet(holder: str, after: str | None = None, limit: int = 100) -> None:
    """The pieces a party holds."""
    _print_json(_read(lambda conn: views.wallet(conn, holder, after=after, limit=limit)))


@receivable_app.command("payables")
def payables(issuer: str) -> None:
    """A core enterprise's open receivables by maturity."""
    _print_json(_read(lambda conn: views.payables(conn, issuer)))


@receivable_app.command("portfolio")
def portfolio(bank: str, after: str | None = None, limit: int = 100) -> None:
    """A bank's financed pieces."""
    _print_json(_read(lambda conn: views.portfolio(conn, bank, after=after, limit=limit)))
