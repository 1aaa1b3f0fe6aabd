"""An independent reference model of the ledger for the property tests: plain dicts, the rules
written out once more, and the error each refused batch must raise."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# account id → (currency, flag): "dmnec" debits must not exceed credits, "cmned" the reverse
ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "src": ("CNY", None),
    "a1": ("CNY", "dmnec"),
    "b1": ("CNY", "dmnec"),
    "c1": ("CNY", "cmned"),
    "e1": ("ECNY", "dmnec"),
    "src-e": ("ECNY", None),
}
NAMES = list(ACCOUNTS)


@dataclass
class Pending:
    debit: str
    credit: str
    amount: int
    status: str
    expires_on: date | None


@dataclass
class Model:
    totals: dict[str, list[int]] = field(
        default_factory=lambda: {a: [0, 0, 0, 0] for a in ACCOUNTS}
    )
    pending: dict[str, Pending] = field(default_factory=dict)
    stored: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def violates(self, account: str) -> bool:
        dp, cp, dpend, cpend = self.totals[account]
        flag = ACCOUNTS[account][1]
        if flag == "dmnec":
            return dp + dpend > cp
        return flag == "cmned" and cp + cpend > dp

    def move(self, debit: str, credit: str, posted: int, pending: int) -> None:
        self.totals[debit][0] += posted
        self.totals[debit][2] += pending
        self.totals[credit][1] += posted
        self.totals[credit][3] += pending

    def batch(self, items: list[dict[str, Any]], today: date) -> str | None:
        """Apply ``items`` all or none; return the error class name, or None if accepted."""
        error = _shape_error(items, today)
        if error is not None:
            return error
        trial = copy.deepcopy(self)
        fresh = []
        for item in items:
            seen = trial.stored.get(item["id"])
            if seen is None:
                fresh.append(item)
            elif not _same(item, seen):
                return "TransferExists"
        for item in fresh:
            error = trial.one(item, today)
            if error is not None:
                return error
        self.totals, self.pending, self.stored = trial.totals, trial.pending, trial.stored
        return None

    def one(self, item: dict[str, Any], today: date) -> str | None:
        if "post" in item or "void" in item:
            return self.resolve(item, today)
        debit, credit, amount = item["debit"], item["credit"], item["amount"]
        if debit not in ACCOUNTS or credit not in ACCOUNTS:
            return "UnknownAccount"
        if ACCOUNTS[debit][0] != ACCOUNTS[credit][0]:
            return "CurrencyMismatch"
        pending = item.get("pending", False)
        self.move(debit, credit, 0 if pending else amount, amount if pending else 0)
        if self.violates(debit) or self.violates(credit):
            return "InsufficientFunds"
        expires = item.get("expires_on")
        kind = "pending" if pending else "single"
        self.stored[item["id"]] = (kind, debit, credit, amount, expires)
        if pending:
            expiry = None if expires is None else date.fromisoformat(expires)
            self.pending[item["id"]] = Pending(debit, credit, amount, "pending", expiry)
        return None

    def resolve(self, item: dict[str, Any], today: date) -> str | None:
        pid = item.get("post", item.get("void"))
        p = self.pending.get(pid)
        if p is None:
            return "PendingNotFound"
        if p.status != "pending":
            return {"posted": "PendingPosted", "voided": "PendingVoided"}.get(
                p.status, "PendingExpired"
            )
        if p.expires_on is not None and p.expires_on < today:
            return "PendingExpired"
        amount = item.get("amount") or p.amount
        if amount > p.amount:
            return "ExceedsPendingAmount"
        if "post" in item:
            self.move(p.debit, p.credit, amount, -p.amount)
            p.status = "posted"
            self.stored[item["id"]] = ("post", pid, amount, p.amount)
        else:
            self.move(p.debit, p.credit, 0, -p.amount)
            p.status = "voided"
            self.stored[item["id"]] = ("void", pid)
        return None

    def close_day(self, day: date) -> None:
        for p in self.pending.values():
            if p.status == "pending" and p.expires_on is not None and p.expires_on <= day:
                self.move(p.debit, p.credit, 0, -p.amount)
                p.status = "expired"


def _shape_error(items: list[dict[str, Any]], today: date) -> str | None:
    seen: set[str] = set()
    for item in items:
        if "post" not in item and "void" not in item:
            if item["amount"] <= 0:
                return "InvalidAmount"
            if item["debit"] == item["credit"]:
                return "InvalidTransfer"
            expires = item.get("expires_on")
            if expires is not None and date.fromisoformat(expires) < today:
                return "InvalidTransfer"
        elif "amount" in item and item["amount"] <= 0:
            return "InvalidAmount"
        if item["id"] in seen:
            return "DuplicateTransferId"
        seen.add(item["id"])
    return None


def _same(item: dict[str, Any], seen: tuple[Any, ...]) -> bool:
    if "post" in item:
        if seen[0] != "post" or seen[1] != item["post"]:
            return False
        return bool(seen[2] == (item.get("amount") or seen[3]))
    if "void" in item:
        return seen == ("void", item["void"])
    kind = "pending" if item.get("pending") else "single"
    asked = (kind, item["debit"], item["credit"], item["amount"], item.get("expires_on"))
    return asked == seen
