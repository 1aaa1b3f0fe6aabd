"""Reports over the whole ledger: the trial balance (now or at any log position) and the trace
of payee-bound funds (penetrating payment) for a regulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, or_, select

from puhui.accounts.model import AccountKind, Totals
from puhui.accounts.tables import accounts, pending_transfers, postings, transfers
from puhui.accounts.views import TRANSFER_WITH_STATUS, transfer_json

TRACE_TRANSFERS_MAX = 1000


@dataclass
class CurrencyTrial:
    """Per-currency sums; double entry makes debits equal credits, posted and pending alike."""

    currency: str
    accounts: int = 0
    totals: Totals = field(default_factory=Totals)
    by_kind: dict[str, Totals] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        t = self.totals
        return t.debits_posted == t.credits_posted and t.debits_pending == t.credits_pending

    def to_json(self) -> dict[str, Any]:
        t = self.totals
        return {
            "currency": self.currency,
            "accounts": self.accounts,
            **t.to_json(),
            "posted_difference": t.debits_posted - t.credits_posted,
            "pending_difference": t.debits_pending - t.credits_pending,
            "balanced": self.balanced,
            "by_kind": {
                kind: totals.to_json() | {"balance": totals.balance(AccountKind(kind))}
                for kind, totals in sorted(self.by_kind.items())
            },
        }


def _add(a: Totals, b: Totals) -> Totals:
    return Totals(
        a.debits_posted + b.debits_posted,
        a.credits_posted + b.credits_posted,
        a.debits_pending + b.debits_pending,
        a.credits_pending + b.credits_pending,
    )


def _sums(source: Any) -> Any:
    return (
        func.count(),
        func.coalesce(func.sum(source.c.debits_posted), 0),
        func.coalesce(func.sum(source.c.credits_posted), 0),
        func.coalesce(func.sum(source.c.debits_pending), 0),
        func.coalesce(func.sum(source.c.credits_pending), 0),
    )


def trial_balance(conn: Connection, at_seq: int | None = None) -> list[CurrencyTrial]:
    """Sums per currency and account kind, now or after log entry ``at_seq``.

    Now: from the accounts' running totals. At a position: from each account's last posting
    at or before it (the balance history), so the two are computed independently.
    """
    if at_seq is None:
        stmt = select(accounts.c.currency, accounts.c.kind, *_sums(accounts)).group_by(
            accounts.c.currency, accounts.c.kind
        )
    else:
        ranked = (
            select(
                postings,
                func.row_number()
                .over(
                    partition_by=postings.c.account_id,
                    order_by=(postings.c.seq.desc(), postings.c.line.desc()),
                )
                .label("rank"),
            )
            .where(postings.c.seq <= at_seq)
            .subquery()
        )
        stmt = (
            select(accounts.c.currency, accounts.c.kind, *_sums(ranked))
            .join(ranked, ranked.c.account_id == accounts.c.account_id)
            .where(ranked.c.rank == 1)
            .group_by(accounts.c.currency, accounts.c.kind)
        )
    found: dict[str, CurrencyTrial] = {}
    for currency, kind, count, *sums in conn.execute(stmt):
        trial = found.setdefault(currency, CurrencyTrial(currency))
        totals = Totals(*(int(s) for s in sums))
        trial.accounts += int(count)
        trial.totals = _add(trial.totals, totals)
        trial.by_kind[kind] = totals
    return [found[c] for c in sorted(found)]


def trace(conn: Connection, origin: str) -> dict[str, Any]:
    """Where the money of a business object (``loan:l1``) went.

    Lists the transfers carrying ``origin`` as their reference or as the origin of payee-bound
    funds, in log order, and sums per receiving party what reached it bound to that origin.
    """
    rows = conn.execute(
        TRANSFER_WITH_STATUS.where(
            or_(transfers.c.origin == origin, transfers.c.reference == origin)
        )
        .order_by(transfers.c.seq, transfers.c.transfer_id)
        .limit(TRACE_TRANSFERS_MAX + 1)
    ).all()
    payees = conn.execute(
        select(
            accounts.c.party_id,
            transfers.c.currency,
            transfers.c.kind,
            func.sum(transfers.c.amount),
        )
        .join(accounts, accounts.c.account_id == transfers.c.credit_account_id)
        .outerjoin(pending_transfers, pending_transfers.c.transfer_id == transfers.c.transfer_id)
        .where(
            transfers.c.origin == origin,
            or_(
                transfers.c.kind.in_(("single", "post")),
                pending_transfers.c.status == "pending",
            ),
        )
        .group_by(accounts.c.party_id, transfers.c.currency, transfers.c.kind)
    ).all()
    received: dict[tuple[str, str], dict[str, Any]] = {}
    for party_id, currency, kind, amount in payees:
        entry = received.setdefault(
            (party_id, currency),
            {"party_id": party_id, "currency": currency, "received": 0, "reserved": 0},
        )
        entry["reserved" if kind == "pending" else "received"] += int(amount)
    return {
        "origin": origin,
        "transfers": [transfer_json(r) for r in rows[:TRACE_TRANSFERS_MAX]],
        "truncated": len(rows) > TRACE_TRANSFERS_MAX,
        "payees": [received[k] for k in sorted(received)],
    }
