"""Before ``receivable.issue`` reaches the log: the invoice totals it declares are checked
against the invoices' content held off-log.

Handlers never read off-log bytes (replay and offline verify must not need them), so the issue
command carries each invoice's total as the core enterprise confirms it, and the handler checks
the receivable against those totals. Here the platform that holds the invoices checks the totals
against the invoices themselves: the API refuses an issue whose totals differ, or whose invoice
content it does not hold.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from puhui.documents import views as documents
from puhui.documents.errors import ContentMissing
from puhui.finance.receivables.commands import Issue
from puhui.finance.receivables.errors import AmountExceedsInvoices
from puhui.kernel.errors import InvalidCommand
from puhui.kernel.pipeline import parse_payload

ISSUE_COMMAND = "receivable.issue"


def invoice_total(content: bytes) -> int:
    """价税合计: amount before tax plus tax, from a stored e-invoice's canonical content."""
    body = json.loads(content)["body"]
    return int(body["amount_before_tax"]) + int(body["tax"])


def check_invoices(conn: Connection, payload: dict[str, Any]) -> None:
    """Raise unless every invoice total in an issue payload matches the stored invoice."""
    issue = parse_payload(Issue, ISSUE_COMMAND, payload)
    for ref in issue.invoices:
        stored = documents.stored_content(conn, ref.document_id)
        if stored is None:
            raise ContentMissing(
                f"the platform holds no content for invoice {ref.document_id}: upload it "
                f"before issuing a receivable on it"
            )
        if json.loads(stored.content).get("kind") != "e_invoice":
            raise InvalidCommand(f"{ref.document_id} is not an e-invoice")
        total = invoice_total(stored.content)
        if total != ref.amount:
            raise AmountExceedsInvoices(
                f"invoice {ref.document_id} totals {total} fen, not {ref.amount}"
            )
