"""Errors of the accounts context. Every one refuses the whole command: nothing changes.

Errors about one transfer of a command carry ``transfer_index`` and ``transfer_id``.

InvalidCommand (kernel)
├── InvalidTransfer          malformed transfer (missing or extra fields, bad id, same account)
│   └── InvalidAmount        zero, negative or too large an amount
├── DuplicateTransferId      the same id twice in one command
├── InvalidExternalReference the rail needs an external reference of another form
└── RuleViolation (kernel)
    ├── CurrencyMismatch     debit and credit accounts hold different currencies
    ├── RailNotAvailable     the rail does not carry the currency
    ├── PayeeMismatch        a payee-restricted transfer credits another party's account
    └── ExceedsPendingAmount posting more than the pending transfer reserved
NotFound (kernel)
├── UnknownAccount
├── UnknownCurrency
├── UnknownTransfer
└── PendingNotFound          post/void of a transfer that does not exist or is not pending
Conflict (kernel)
├── InsufficientFunds        a flagged account would go below zero (pending amounts count)
├── AccountClosed            debit or credit account is closed
├── AccountExists            an account id is taken (by an account with other details)
├── CurrencyExists
├── AccountNotEmpty          closing an account with a balance or pending amounts
├── TransferExists           the transfer id was used for a transfer with other content
├── BalanceOverflow          a running total would exceed 2^63-1
└── PendingResolved          the pending transfer was already resolved
    ├── PendingPosted
    ├── PendingVoided
    └── PendingExpired       (also: its expiry date has passed)
PermissionDenied (kernel)
└── NotAccountHolder         moving money from an account the actor does not hold
"""

from puhui.kernel.errors import Conflict, InvalidCommand, NotFound, PermissionDenied, RuleViolation


class InvalidTransfer(InvalidCommand):
    code = "invalid-transfer"
    title = "The transfer is not valid"


class InvalidAmount(InvalidTransfer):
    code = "invalid-amount"
    title = "The amount must be a positive integer of minor units"


class DuplicateTransferId(InvalidCommand):
    code = "duplicate-transfer-id"
    title = "A transfer id appears twice in one command"


class InvalidExternalReference(InvalidCommand):
    code = "invalid-external-reference"
    title = "The external payment reference is missing or malformed"


class CurrencyMismatch(RuleViolation):
    code = "currency-mismatch"
    title = "The accounts hold different currencies"


class RailNotAvailable(RuleViolation):
    code = "rail-not-available"
    title = "The payment rail does not carry this currency"


class PayeeMismatch(RuleViolation):
    code = "payee-mismatch"
    title = "The funds are bound to another payee"


class ExceedsPendingAmount(RuleViolation):
    code = "exceeds-pending-amount"
    title = "Posting more than the pending transfer reserved"


class UnknownAccount(NotFound):
    code = "unknown-account"
    title = "No such account"


class UnknownCurrency(NotFound):
    code = "unknown-currency"
    title = "No such currency"


class UnknownTransfer(NotFound):
    code = "unknown-transfer"
    title = "No such transfer"


class PendingNotFound(NotFound):
    code = "pending-not-found"
    title = "No such pending transfer"


class InsufficientFunds(Conflict):
    code = "insufficient-funds"
    title = "Insufficient funds"


class AccountClosed(Conflict):
    code = "account-closed"
    title = "The account is closed"


class AccountExists(Conflict):
    code = "account-exists"
    title = "The account id is taken"


class CurrencyExists(Conflict):
    code = "currency-exists"
    title = "The currency is already registered"


class AccountNotEmpty(Conflict):
    code = "account-not-empty"
    title = "The account still holds money"


class TransferExists(Conflict):
    code = "transfer-exists"
    title = "The transfer id was used for a different transfer"


class BalanceOverflow(Conflict):
    code = "balance-overflow"
    title = "A running total would overflow"


class PendingResolved(Conflict):
    code = "pending-resolved"
    title = "The pending transfer was already resolved"


class PendingPosted(PendingResolved):
    code = "pending-posted"
    title = "The pending transfer was already posted"


class PendingVoided(PendingResolved):
    code = "pending-voided"
    title = "The pending transfer was voided"


class PendingExpired(PendingResolved):
    code = "pending-expired"
    title = "The pending transfer has expired"


class NotAccountHolder(PermissionDenied):
    code = "not-account-holder"
    title = "Not the holder of the account"
