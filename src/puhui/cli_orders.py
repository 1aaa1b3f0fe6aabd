"""`puhui orders ...`: order financing and penetrating payment on the command line.

Amounts are integers of fen, dates YYYY-MM-DD. Writes are signed with ``--as``/``--key`` and go
through the kernel; reads print JSON from the local store (operator tooling: the API restricts
an order's trail to its parties and the banks asked to finance it).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from puhui.cli_accounts import _print_json, _read, _submit
from puhui.cli_common import As, KeyFile, fail
from puhui.finance.orders import views

orders_app = typer.Typer(
    help="Order financing: open, countersign, finance, draw to suppliers, pay lender-first",
    no_args_is_help=True,
)
Due = Annotated[str, typer.Option("--delivery-due", help="YYYY-MM-DD")]
Amount = Annotated[int, typer.Option(help="fen")]


def _date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        fail(f"{text!r} is not a date (YYYY-MM-DD)")


@orders_app.command("open")
def open_order(
    order_id: str,
    document: Annotated[str, typer.Option(help="your purchase_order document naming the buyer")],
    amount: Amount,
    due: Due,
    signer: As,
    key: KeyFile,
) -> None:
    """Open a trade order on a purchase order you registered (seller)."""
    payload = {
        "order_id": order_id,
        "document_id": document,
        "amount": amount,
        "delivery_due": _date(due),
    }
    _submit(signer, key, "order.open", payload, f"order-open-{order_id}")


@orders_app.command("confirm")
def confirm(order_id: str, amount: Amount, due: Due, signer: As, key: KeyFile) -> None:
    """Countersign an order by restating its amount and delivery date (buyer)."""
    payload = {"order_id": order_id, "amount": amount, "delivery_due": _date(due)}
    _submit(signer, key, "order.confirm", payload, f"order-confirm-{order_id}")


def _plan(lines: list[str]) -> list[dict[str, Any]]:
    plan = []
    for text in lines:
        supplier, _, amount = text.rpartition(":")
        if not supplier or not amount.isdigit():
            fail(f"--plan {text!r} must be SUPPLIER:AMOUNT")
        plan.append({"supplier": supplier, "amount": int(amount)})
    return plan


@orders_app.command("request-financing")
def request_financing(
    financing_id: str,
    order_id: Annotated[str, typer.Option("--order")],
    bank: Annotated[str, typer.Option()],
    product: Annotated[str, typer.Option(help="the bank's loan product")],
    rate_max: Annotated[str, typer.Option(help="highest annual rate you accept, e.g. 0.05")],
    plan: Annotated[list[str], typer.Option(help="SUPPLIER:AMOUNT the loan pays; repeat")],
    signer: As,
    key: KeyFile,
    term: Annotated[int, typer.Option(help="periods of the product")] = 1,
) -> None:
    """Ask a bank to finance an order; the loan is the plan's total, paid to its suppliers."""
    lines = _plan(plan)
    payload = {
        "financing_id": financing_id,
        "order_id": order_id,
        "bank": bank,
        "product_id": product,
        "amount": sum(line["amount"] for line in lines),
        "term_periods": term,
        "annual_rate_max": rate_max,
        "plan": lines,
    }
    _submit(signer, key, "order.request_financing", payload, f"order-req-{financing_id}")


@orders_app.command("finance")
def finance(
    financing_id: str,
    rate: Annotated[str, typer.Option(help="annual rate as a decimal, e.g. 0.0435")],
    signer: As,
    key: KeyFile,
    note: str = "",
) -> None:
    """Fund a request: lien the purchase order and contract the loan (bank)."""
    payload = {"financing_id": financing_id, "annual_rate": rate, "note": note}
    _submit(signer, key, "order.finance", payload, f"order-fund-{financing_id}")


@orders_app.command("decline")
def decline(financing_id: str, reason: str, signer: As, key: KeyFile) -> None:
    """Decline a financing request (bank)."""
    payload = {"financing_id": financing_id, "reason": reason}
    _submit(signer, key, "order.decline_financing", payload, f"order-decl-{financing_id}")


@orders_app.command("draw")
def draw(
    order_id: str,
    tranche_id: Annotated[str, typer.Option("--tranche")],
    supplier: Annotated[str, typer.Option(help="a supplier of the plan")],
    amount: Amount,
    signer: As,
    key: KeyFile,
) -> None:
    """Draw a tranche, paid straight to a supplier of the plan (seller)."""
    payload = {
        "order_id": order_id,
        "tranche_id": tranche_id,
        "supplier": supplier,
        "amount": amount,
    }
    _submit(signer, key, "order.draw", payload, f"order-draw-{order_id}-{tranche_id}")


@orders_app.command("pay")
def pay(
    order_id: str,
    payment_id: Annotated[str, typer.Option("--payment")],
    amount: Amount,
    delivery: Annotated[list[str], typer.Option(help="delivery note you confirmed; repeat")],
    signer: As,
    key: KeyFile,
    invoice: Annotated[list[str] | None, typer.Option(help="e-invoice; repeat")] = None,
) -> None:
    """Pay a delivered order in full: the lender first, the rest to the seller (buyer)."""
    payload = {
        "order_id": order_id,
        "payment_id": payment_id,
        "amount": amount,
        "delivery_ids": delivery,
        "invoice_ids": invoice or [],
    }
    _submit(signer, key, "order.pay", payload, f"order-pay-{payment_id}")


@orders_app.command("policy")
def policy(
    signer: As,
    key: KeyFile,
    advance_bp: Annotated[int, typer.Option(help="highest share financed, basis points")],
) -> None:
    """Set the highest share of an order's value a loan may reach (operator)."""
    payload = {"advance_bp_max": advance_bp}
    _submit(signer, key, "order.set_policy", payload, f"order-policy-{advance_bp}")


@orders_app.command("show")
def show(order_id: str) -> None:
    """An order with its financings."""

    def read(conn: Any) -> dict[str, Any]:
        found = views.get_order(conn, order_id).to_json()
        return found | {"financings": [f.to_json() for f in views.financings_of(conn, order_id)]}

    _print_json(_read(read))


@orders_app.command("trail")
def trail(order_id: str) -> None:
    """The trade's authenticity trail: order, signatures, documents, financing, payment."""
    _print_json(_read(lambda conn: views.trail(conn, order_id)))


@orders_app.command("list")
def list_orders(party: str | None = None, after: str | None = None, limit: int = 100) -> None:
    """Orders a party sells or buys (all without --party)."""

    def read(conn: Any) -> list[dict[str, Any]]:
        return [o.to_json() for o in views.list_orders(conn, party, after=after, limit=limit)]

    _print_json(_read(read))


@orders_app.command("portfolio")
def portfolio(bank: str, after: str | None = None, limit: int = 100) -> None:
    """A bank's order financings."""
    _print_json(_read(lambda conn: views.portfolio(conn, bank, after=after, limit=limit)))
