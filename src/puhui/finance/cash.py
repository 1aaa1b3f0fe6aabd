"""The CNY cash accounts the finance products pay from and into."""

from __future__ import annotations

from sqlalchemy import Connection

from puhui.accounts import views as accounts
from puhui.kernel.errors import RuleViolation

CURRENCY = "CNY"
CASH_PURPOSE = "cash"


class NoCashAccount(RuleViolation):
    code = "no-cash-account"
    title = "The party has no open CNY cash account"


def cash_account(conn: Connection, party_id: str) -> str:
    """The party's open CNY cash account, or NoCashAccount."""
    found = accounts.account_for(conn, party_id, CASH_PURPOSE, CURRENCY)
    if found is None:
        raise NoCashAccount(
            f"{party_id} has no open {CURRENCY} cash account: open its chart of accounts first"
        )
    return found.account_id
