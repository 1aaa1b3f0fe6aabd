"""Accounts: the double-entry ledger every yuan on the platform moves through.

Currencies with their scale, accounts with flags, charts of accounts per role, linked and
two-phase transfers with client-chosen idempotent ids, balances at any log position, trial
balance, statements, payment rails and payee-bound funds traced to their origin.

Other contexts use only what is exported here. From a handler, to move money atomically with
the handler's own events::

    from puhui.accounts import TransferRequest, transfer_events
    money = transfer_events(ctx.conn, [TransferRequest("disb-l1-1", debit=..., credit=...,
                            amount=1_200_000, reference="loan:l1", payee="feed-supplier")],
                            business_date=ctx.business_date)
    return [*loan_events, *money]

and to open accounts for their own objects (a loan's principal account, an escrow):
``open_account_events(conn, [AccountSpec(...)])``. Reads: ``views.get_account``,
``views.account_for`` (a party's account by purpose and currency), ``views.balance``.
"""

from puhui.accounts.handlers import open_account_events
from puhui.accounts.ledger import TRANSFERS_EVENT, transfer_events
from puhui.accounts.model import (
    BUILTIN_CURRENCIES,
    AccountKind,
    AccountSpec,
    Currency,
    Totals,
    TransferRequest,
)

__all__ = [
    "BUILTIN_CURRENCIES",
    "TRANSFERS_EVENT",
    "AccountKind",
    "AccountSpec",
    "Currency",
    "Totals",
    "TransferRequest",
    "open_account_events",
    "transfer_events",
]
