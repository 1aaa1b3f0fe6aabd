"""`puhui loan ...`: loan products, offers, the loan lifecycle and servicing, statements and
the portfolio. Commands that change state are signed with ``--as``/``--key`` like `puhui submit`;
reads go straight to the configured database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from puhui import cli_common as cli
from puhui.lending import views
from puhui.lending.calendar import chinese_calendar
from puhui.lending.offers import offer_json

loan_app = typer.Typer(help="Loans: products, offers, lifecycle, statements", no_args_is_help=True)
As = Annotated[str, typer.Option("--as", help="party id of the signer")]
KeyFile = Annotated[Path, typer.Option("--key", help="PEM private key file of the signer")]
LoanId = Annotated[str, typer.Option("--loan", help="loan id")]


def _sign_and_submit(signer: str, key: Path, ctype: str, payload: dict[str, Any]) -> None:
    p = cli.platform()
    ident = cli._identity(signer, key)
    with cli.errors_as_lines():
        receipt = p.kernel.submit(ident.sign(ctype, payload, cli._today(p)))
    cli._print_receipt(receipt.to_json())


def _read(fn: Any) -> Any:
    with cli.errors_as_lines(), cli.platform().engine.connect() as conn:
        return fn(conn)


def _print(data: Any) -> None:
    cli.out.print_json(json.dumps(data, ensure_ascii=False, default=str))


@loan_app.command("define-product")
def define_product(file: Path, signer: As, key: KeyFile) -> None:
    """Define a product from a JSON file of lending.define_product's payload (lender)."""
    with cli.errors_as_lines():
        payload = json.loads(file.read_text(encoding="utf-8"))
    _sign_and_submit(signer, key, "lending.define_product", payload)


@loan_app.command("load-calendar")
def load_calendar(
    signer: As, key: KeyFile, year: Annotated[list[int], typer.Option(help="repeat")]
) -> None:
    """Load mainland China's holidays for the years (from chinese-calendar) as calendar CN."""
    cal = chinese_calendar(year)
    payload = {
        "name": "CN",
        "years": sorted(cal.years),
        "holidays": sorted(d.isoformat() for d in cal.holidays),
        "workdays": sorted(d.isoformat() for d in cal.workdays),
    }
    if not cal.years:
        cli.fail(f"chinese-calendar knows none of the years {year}")
    _sign_and_submit(signer, key, "lending.load_calendar", payload)


@loan_app.command("products")
def products() -> None:
    found = _read(lambda conn: views.list_products(conn, limit=500))
    table = Table("product", "lender", "currency", "amortisation", "term", "rate cap")
    for p in found:
        term = f"{p.term_periods_min}-{p.term_periods_max}"
        table.add_row(p.product_id, p.lender_id, p.currency, p.amortisation, term, str(p.rate_cap))
    cli.out.print(table)


@loan_app.command("offer")
def offer(
    product: Annotated[str, typer.Option()],
    amount: Annotated[int, typer.Option(help="minor units (fen)")],
    term: Annotated[int, typer.Option(help="periods")],
    rate: Annotated[str, typer.Option(help="annual rate, e.g. 0.0435")],
) -> None:
    """The schedule, APR, total interest and total cost of an offer."""
    p = cli.platform()
    today = cli._today(p)
    _print(_read(lambda conn: offer_json(conn, product, amount, term, rate, today)))


@loan_app.command("apply")
def apply(
    signer: As,
    key: KeyFile,
    loan: LoanId,
    product: Annotated[str, typer.Option()],
    amount: Annotated[int, typer.Option(help="minor units (fen)")],
    term: Annotated[int, typer.Option(help="periods")],
    payee: Annotated[list[str], typer.Option(help="party the money may go to; repeat")],
    purpose: str = "",
) -> None:
    payload = {
        "loan_id": loan,
        "product_id": product,
        "amount": amount,
        "term_periods": term,
        "payees": [{"party_id": x} for x in payee],
        "purpose": purpose,
    }
    _sign_and_submit(signer, key, "lending.apply", payload)


@loan_app.command("approve")
def approve(
    signer: As,
    key: KeyFile,
    loan: LoanId,
    rate: Annotated[str, typer.Option(help="annual rate")],
    decision: Annotated[str | None, typer.Option(help="credit decision id")] = None,
) -> None:
    payload = {"loan_id": loan, "annual_rate": rate, "credit_decision_id": decision}
    _sign_and_submit(signer, key, "lending.approve", payload)


@loan_app.command("sign")
def sign(signer: As, key: KeyFile, loan: LoanId) -> None:
    """Sign the approved contract (shows nothing new: the digest is read from the record)."""
    digest = _read(lambda conn: views.get_loan(conn, loan).contract_digest)
    payload = {"loan_id": loan, "contract_digest": digest}
    _sign_and_submit(signer, key, "lending.sign_contract", payload)


@loan_app.command("disburse")
def disburse(
    signer: As,
    key: KeyFile,
    loan: LoanId,
    tranche: Annotated[str, typer.Option(help="tranche id")],
    amount: Annotated[int, typer.Option()],
    payee: Annotated[str, typer.Option()],
) -> None:
    payload = {"loan_id": loan, "tranche_id": tranche, "amount": amount, "payee_id": payee}
    _sign_and_submit(signer, key, "lending.disburse", payload)


@loan_app.command("repay")
def repay(
    signer: As,
    key: KeyFile,
    loan: LoanId,
    repayment: Annotated[str, typer.Option(help="repayment id")],
    amount: Annotated[int, typer.Option()],
) -> None:
    payload = {"loan_id": loan, "repayment_id": repayment, "amount": amount}
    _sign_and_submit(signer, key, "lending.repay", payload)


@loan_app.command("write-off")
def write_off(
    signer: As, key: KeyFile, loan: LoanId, reason: Annotated[str, typer.Option()]
) -> None:
    _sign_and_submit(signer, key, "lending.write_off", {"loan_id": loan, "reason": reason})


@loan_app.command("recover")
def recover(
    signer: As,
    key: KeyFile,
    loan: LoanId,
    recovery: Annotated[str, typer.Option(help="recovery id")],
    amount: Annotated[int, typer.Option()],
) -> None:
    payload = {"loan_id": loan, "recovery_id": recovery, "amount": amount}
    _sign_and_submit(signer, key, "lending.recover", payload)


@loan_app.command("restructure")
def restructure(
    signer: As,
    key: KeyFile,
    loan: LoanId,
    term: Annotated[int, typer.Option(help="new number of periods")],
    rate: Annotated[str | None, typer.Option(help="new annual rate")] = None,
) -> None:
    payload = {"loan_id": loan, "term_periods": term, "annual_rate": rate}
    _sign_and_submit(signer, key, "lending.restructure", payload)


@loan_app.command("list")
def list_loans(party: str | None = None, status: str | None = None) -> None:
    found = _read(lambda conn: views.list_loans(conn, party_id=party, status=status, limit=500))
    table = Table("loan", "borrower", "lender", "status", "outstanding", "dpd", "class")
    for ln in found:
        table.add_row(
            ln["loan_id"],
            ln["borrower_id"],
            ln["lender_id"],
            ln["status"],
            str(ln["principal_outstanding"]),
            str(ln["days_past_due"]),
            ln["category"],
        )
    cli.out.print(table)


@loan_app.command("show")
def show(loan: Annotated[str, typer.Argument(help="loan id")]) -> None:
    """The loan statement: contract, figures, schedule, transactions, classification history."""
    _print(_read(lambda conn: views.statement(conn, loan)))


@loan_app.command("quote")
def quote(loan: Annotated[str, typer.Argument(help="loan id")]) -> None:
    """The early settlement quote for today."""
    today = cli._today(cli.platform())
    _print(_read(lambda conn: views.settlement_quote(conn, loan, today)))


@loan_app.command("portfolio")
def portfolio(lender: str | None = None) -> None:
    """Active loans by currency and five-category class."""
    rows = _read(lambda conn: views.portfolio(conn, lender))
    table = Table("currency", "class", "loans", "outstanding", "overdue")
    for r in rows:
        table.add_row(
            r["currency"],
            r["category"],
            str(r["loans"]),
            str(r["principal_outstanding"]),
            str(r["principal_overdue"]),
        )
    cli.out.print(table)
