"""Errors of the receivables context. Each refuses the whole command and changes nothing.

InvalidCommand (kernel)
└── RuleViolation (kernel)
    ├── MaturityNotAllowed     maturity not after today, past the policy limit or a year away
    ├── AmountExceedsInvoices  the receivable is more than the invoices it stands on
    ├── DocumentNotUsable      a contract, delivery or invoice of the wrong kind, parties or state
    ├── DeliveryNotConfirmed   the core enterprise has not confirmed the delivery itself
    ├── NoSupplyContract       no confirmed contract between the holder and the receiving supplier
    ├── ExceedsHeld            the parts add up to more than the piece holds
    ├── NoCashAccount          a party that must receive money has no open CNY cash account
    │                          (puhui.finance.cash, shared by the finance products)
    ├── ReceivableMatured      financing, transferring or guaranteeing on or after maturity
    └── LimitReached           too deep, too many pieces, too many parts
PermissionDenied (kernel)
└── NotHolder                  the signer does not hold the piece (or is not the named party)
NotFound (kernel)
└── UnknownReceivable / UnknownPiece / UnknownGuarantee / UnknownFinancing
Conflict (kernel)
├── ReceivableExists / PieceExists / GuaranteeExists / FinancingExists   ids already used
├── WrongState             the receivable, piece, guarantee or financing is not in that state
└── PieceAlreadyFinanced   the piece was financed before: a piece is financed once, ever
"""

from __future__ import annotations

from puhui.kernel.errors import Conflict, NotFound, PermissionDenied, RuleViolation


class MaturityNotAllowed(RuleViolation):
    code = "maturity-not-allowed"
    title = "The maturity date is not allowed"


class AmountExceedsInvoices(RuleViolation):
    code = "amount-exceeds-invoices"
    title = "The receivable exceeds the invoiced amount"


class DocumentNotUsable(RuleViolation):
    code = "document-not-usable"
    title = "The document cannot back this receivable"


class DeliveryNotConfirmed(RuleViolation):
    code = "delivery-not-confirmed"
    title = "The delivery is not confirmed by the core enterprise"


class NoSupplyContract(RuleViolation):
    code = "no-supply-contract"
    title = "No confirmed contract with that supplier"


class ExceedsHeld(RuleViolation):
    code = "exceeds-held"
    title = "More than the piece holds"


class ReceivableMatured(RuleViolation):
    code = "receivable-matured"
    title = "The receivable has reached maturity"


class LimitReached(RuleViolation):
    code = "limit-reached"
    title = "A limit of the receivable is reached"


class NotHolder(PermissionDenied):
    code = "not-holder"
    title = "Not the holder"


class UnknownReceivable(NotFound):
    code = "unknown-receivable"
    title = "No such receivable"


class UnknownPiece(NotFound):
    code = "unknown-piece"
    title = "No such piece"


class UnknownGuarantee(NotFound):
    code = "unknown-guarantee"
    title = "No such guarantee"


class UnknownFinancing(NotFound):
    code = "unknown-financing"
    title = "No such financing"


class ReceivableExists(Conflict):
    code = "receivable-exists"
    title = "Receivable id already used"


class PieceExists(Conflict):
    code = "piece-exists"
    title = "Piece id already used"


class GuaranteeExists(Conflict):
    code = "guarantee-exists"
    title = "Guarantee id already used"


class FinancingExists(Conflict):
    code = "financing-exists"
    title = "Financing id already used"


class WrongState(Conflict):
    code = "wrong-state"
    title = "Not in a state that allows this"


class PieceAlreadyFinanced(Conflict):
    code = "piece-already-financed"
    title = "The piece was already financed"
