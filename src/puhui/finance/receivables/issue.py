"""Issuing (确权): the core enterprise confirms a receivable to its tier-1 supplier, against a
confirmed contract, deliveries it confirmed itself and the invoices for them, which it locks in
the lien registry; the supplier accepts with its own signature (or rejects, releasing the
invoices). The operator sets the maturity policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, insert, update

from puhui.documents import liens
from puhui.documents import views as documents
from puhui.documents.model import DocumentKind, LienRelease
from puhui.finance.cash import cash_account
from puhui.finance.receivables import commands as c
from puhui.finance.receivables import holdings, views
from puhui.finance.receivables.errors import (
    AmountExceedsInvoices,
    DeliveryNotConfirmed,
    DocumentNotUsable,
    MaturityNotAllowed,
    NotHolder,
    ReceivableExists,
    ReceivableMatured,
    WrongState,
)
from puhui.finance.receivables.model import (
    PieceStatus,
    ReceivableStatus,
    add_months,
    maturity_problem,
)
from puhui.finance.receivables.tables import (
    receivable_documents,
    receivable_pieces,
    receivable_policy,
    receivables,
)
from puhui.kernel.commands import Event
from puhui.kernel.registry import ApplyContext, HandlerContext
from puhui.parties import views as parties


def _document(
    ctx: HandlerContext, document_id: str, kind: DocumentKind, supplier: str
) -> documents.Document:
    """A document of ``kind`` the supplier registered naming the signer as counterparty."""
    doc = documents.get_document(ctx.conn, document_id)
    core = ctx.command.actor
    if doc.kind != kind or doc.owner != supplier or doc.counterparty != core:
        raise DocumentNotUsable(
            f"{document_id} must be a {kind.value} registered by {supplier} naming {core} as "
            f"counterparty; it is a {doc.kind} of {doc.owner} naming {doc.counterparty}"
        )
    return doc


def _check_documents(ctx: HandlerContext, p: c.Issue) -> list[documents.Document]:
    contract = _document(ctx, p.contract_id, DocumentKind.CONTRACT, p.supplier)
    if contract.confirmed_seq is None:
        raise DocumentNotUsable(f"contract {p.contract_id} is not confirmed by {ctx.command.actor}")
    for delivery_id in p.delivery_ids:
        delivery = _document(ctx, delivery_id, DocumentKind.DELIVERY_NOTE, p.supplier)
        if delivery.confirmed_seq is None:
            raise DeliveryNotConfirmed(
                f"delivery {delivery_id} is not confirmed: {ctx.command.actor} must confirm "
                f"the delivery itself before issuing a receivable for it"
            )
    invoices = []
    for ref in p.invoices:
        invoice = _document(ctx, ref.document_id, DocumentKind.E_INVOICE, p.supplier)
        if invoice.confirmed_seq is None:
            raise DocumentNotUsable(f"invoice {ref.document_id} is not confirmed")
        invoices.append(invoice)
    ids = [p.contract_id, *p.delivery_ids, *(i.document_id for i in p.invoices)]
    if len(set(ids)) != len(ids):
        raise DocumentNotUsable("a document is named twice")
    invoiced = sum(i.amount for i in p.invoices)
    if p.amount > invoiced:
        raise AmountExceedsInvoices(
            f"the receivable ({p.amount} fen) exceeds the invoices ({invoiced} fen)"
        )
    return invoices


def issue(ctx: HandlerContext, p: c.Issue) -> Sequence[Event]:
    core, today = ctx.command.actor, ctx.business_date
    taken = views.find_receivable(ctx.conn, p.receivable_id) is not None
    if taken or views.existing_piece_ids(ctx.conn, [p.receivable_id]):
        raise ReceivableExists(f"receivable id {p.receivable_id!r} is already used")
    if p.supplier == core:
        raise DocumentNotUsable("a core enterprise cannot issue a receivable to itself")
    parties.get_party(ctx.conn, p.supplier)
    months = views.policy_months(ctx.conn)
    maturity = p.maturity_date or add_months(today, months)
    problem = maturity_problem(today, maturity, months)
    if problem is not None:
        raise MaturityNotAllowed(problem)
    invoices = _check_documents(ctx, p)
    cash_account(ctx.conn, core)
    cash_account(ctx.conn, p.supplier)
    lien_events = [
        liens.claim(
            ctx,
            lien_id=f"{p.receivable_id}:inv{n}",
            fingerprint=invoice.fingerprint,
            kind=DocumentKind.E_INVOICE.value,
            grantor=p.supplier,
            document_id=invoice.document_id,
        )
        for n, invoice in enumerate(invoices, 1)
    ]
    data = {
        "receivable_id": p.receivable_id,
        "issuer": core,
        "supplier": p.supplier,
        "amount": p.amount,
        "currency": p.currency,
        "maturity_date": maturity.isoformat(),
        "contract_id": p.contract_id,
        "delivery_ids": list(p.delivery_ids),
        "invoices": [
            {"document_id": i.document_id, "amount": i.amount, "lien_id": e.data["lien_id"]}
            for i, e in zip(p.invoices, lien_events, strict=True)
        ],
    }
    return [Event("receivable.issued", data, (core, p.supplier)), *lien_events]


def _offered(ctx: HandlerContext, receivable_id: str) -> views.Receivable:
    receivable = views.get_receivable(ctx.conn, receivable_id)
    if receivable.supplier != ctx.command.actor:
        raise NotHolder(f"only {receivable.supplier} may answer receivable {receivable_id}")
    if receivable.status != ReceivableStatus.OFFERED:
        raise WrongState(f"receivable {receivable_id} is {receivable.status}")
    return receivable


def accept(ctx: HandlerContext, p: c.ReceivableRef) -> Sequence[Event]:
    receivable = _offered(ctx, p.receivable_id)
    if ctx.business_date >= receivable.maturity_date:
        raise ReceivableMatured(f"receivable {p.receivable_id} has already matured")
    data = {"receivable_id": p.receivable_id, "root_piece_id": p.receivable_id}
    return [Event("receivable.accepted", data, (receivable.issuer, receivable.supplier))]


def release_invoices(ctx: HandlerContext, receivable_id: str) -> list[Event]:
    return [
        liens.release(ctx, d["lien_id"], LienRelease.REPAID)
        for d in views.documents_of(ctx.conn, receivable_id)
        if d["lien_id"] is not None
    ]


def reject(ctx: HandlerContext, p: c.ReceivableRef) -> Sequence[Event]:
    receivable = _offered(ctx, p.receivable_id)
    event = Event(
        "receivable.closed",
        {"receivable_id": p.receivable_id, "status": ReceivableStatus.REJECTED.value},
        (receivable.issuer, receivable.supplier),
    )
    return [event, *release_invoices(ctx, p.receivable_id)]


def set_policy(ctx: HandlerContext, p: c.SetPolicy) -> Sequence[Event]:
    data = {"maturity_months_max": p.maturity_months_max}
    return [Event("receivable.policy_set", data, (ctx.command.actor,))]


# ---- appliers ---------------------------------------------------------------------------------


def _apply_issued(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(receivables).values(
            receivable_id=d["receivable_id"],
            issuer=d["issuer"],
            supplier=d["supplier"],
            amount=d["amount"],
            outstanding=d["amount"],
            currency=d["currency"],
            issued_on=ctx.business_date,
            maturity_date=date.fromisoformat(d["maturity_date"]),
            status=ReceivableStatus.OFFERED.value,
            pieces_count=0,
            issued_seq=ctx.seq,
        )
    )
    rid = d["receivable_id"]
    rows = [{"document_id": d["contract_id"], "role": "contract"}]
    rows += [{"document_id": i, "role": "delivery"} for i in d["delivery_ids"]]
    rows += [
        {
            "document_id": i["document_id"],
            "role": "invoice",
            "amount": i["amount"],
            "lien_id": i["lien_id"],
        }
        for i in d["invoices"]
    ]
    conn.execute(
        insert(receivable_documents),
        [{"receivable_id": rid, "amount": None, "lien_id": None} | r for r in rows],
    )


def _apply_accepted(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    rid = e.data["receivable_id"]
    found = views.get_receivable(conn, rid)
    conn.execute(
        update(receivables)
        .where(receivables.c.receivable_id == rid)
        .values(status=ReceivableStatus.ACTIVE.value, accepted_seq=ctx.seq, pieces_count=1)
    )
    root = e.data["root_piece_id"]
    conn.execute(
        insert(receivable_pieces).values(
            piece_id=root,
            receivable_id=rid,
            parent_id=None,
            depth=0,
            path=root,
            amount=found.amount,
            holder=found.supplier,
            status=PieceStatus.HELD.value,
            contract_id=None,
            created_seq=ctx.seq,
            created_on=ctx.business_date,
        )
    )
    holder = {"piece_id": root, "holder": found.supplier, "receivable_id": rid}
    holdings.begin(conn, [holder | {"amount": found.amount}], ctx)


def _apply_closed(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        update(receivables)
        .where(receivables.c.receivable_id == e.data["receivable_id"])
        .values(status=e.data["status"], closed_seq=ctx.seq, closed_on=ctx.business_date)
    )


def _apply_policy(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    months = e.data["maturity_months_max"]
    changed = conn.execute(
        update(receivable_policy)
        .where(receivable_policy.c.id == 1)
        .values(maturity_months_max=months, set_seq=ctx.seq)
    )
    if changed.rowcount == 0:
        conn.execute(
            insert(receivable_policy).values(id=1, maturity_months_max=months, set_seq=ctx.seq)
        )


APPLIERS = {
    "receivable.issued": _apply_issued,
    "receivable.accepted": _apply_accepted,
    "receivable.closed": _apply_closed,
    "receivable.policy_set": _apply_policy,
}
