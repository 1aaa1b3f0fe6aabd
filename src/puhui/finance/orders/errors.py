"""Errors of the order-financing context. Each refuses the whole command and changes nothing.

InvalidCommand (kernel)
└── RuleViolation (kernel)
    ├── DocumentNotUsable      not a purchase order / delivery note / invoice of these parties
    ├── DeliveryNotConfirmed   the buyer has not confirmed the delivery note itself
    ├── TermsMismatch          the buyer's countersignature restates other terms than the order
    ├── OrderNotConfirmed      financing, drawing on or paying an order the buyer has not signed
    ├── OrderPastDue           financing an order after its delivery date
    ├── ExceedsAdvance         financing above the policy share of the order's value
    ├── InvalidPlan            a plan naming a supplier twice, the seller, buyer or bank, or not
    │                          adding up to the amount; a product that does not fit
    ├── NotALender             the bank named is not a bank or cooperative
    ├── RateAboveRequest       the bank's rate is above the highest the seller accepted
    ├── PayeeNotInPlan         drawing to a supplier the financing plan does not name
    ├── ExceedsPlan            drawing more than the plan leaves for that supplier
    ├── PaymentMismatch        a payment other than exactly the order's amount
    └── NoCashAccount          a party that pays or is paid has no open CNY cash account
                               (puhui.finance.cash, shared by the finance products)
PermissionDenied (kernel)
└── NotOrderParty              the signer is not the seller, buyer or bank the command needs
NotFound (kernel)
└── UnknownOrder / UnknownOrderFinancing
Conflict (kernel)
├── OrderExists / OrderFinancingExists   ids already used (a loan id included)
├── DocumentAlreadyUsed   the purchase order, delivery note or invoice belongs to another order
├── OrderAlreadyFinanced  the order was financed before: an order is financed once, ever
└── OrderWrongState       the order or financing is not in a state that allows this
"""

from __future__ import annotations

from puhui.kernel.errors import Conflict, NotFound, PermissionDenied, RuleViolation


class DocumentNotUsable(RuleViolation):
    code = "order-document-not-usable"
    title = "The document cannot stand for this order"


class DeliveryNotConfirmed(RuleViolation):
    code = "delivery-not-confirmed"
    title = "The delivery is not confirmed by the buyer"


class TermsMismatch(RuleViolation):
    code = "order-terms-mismatch"
    title = "The countersigned terms differ from the order"


class OrderNotConfirmed(RuleViolation):
    code = "order-not-confirmed"
    title = "The buyer has not countersigned the order"


class OrderPastDue(RuleViolation):
    code = "order-past-due"
    title = "The order's delivery date has passed"


class ExceedsAdvance(RuleViolation):
    code = "exceeds-advance-rate"
    title = "More than the policy share of the order's value"


class InvalidPlan(RuleViolation):
    code = "invalid-order-plan"
    title = "The financing plan is not valid"


class NotALender(RuleViolation):
    code = "not-a-lender"
    title = "The party named does not lend"


class RateAboveRequest(RuleViolation):
    code = "rate-above-request"
    title = "The rate is above what the seller accepted"


class PayeeNotInPlan(RuleViolation):
    code = "payee-not-in-plan"
    title = "The supplier is not named in the financing plan"


class ExceedsPlan(RuleViolation):
    code = "exceeds-plan"
    title = "More than the plan leaves for that supplier"


class PaymentMismatch(RuleViolation):
    code = "payment-not-order-amount"
    title = "The payment is not the order's amount"


class NotOrderParty(PermissionDenied):
    code = "not-order-party"
    title = "Not a party of this order"


class UnknownOrder(NotFound):
    code = "unknown-order"
    title = "No such order"


class UnknownOrderFinancing(NotFound):
    code = "unknown-order-financing"
    title = "No such order financing"


class OrderExists(Conflict):
    code = "order-exists"
    title = "Order id already used"


class OrderFinancingExists(Conflict):
    code = "order-financing-exists"
    title = "Financing id already used"


class DocumentAlreadyUsed(Conflict):
    code = "document-already-used"
    title = "The document already belongs to an order"


class OrderAlreadyFinanced(Conflict):
    code = "order-already-financed"
    title = "The order was already financed"


class OrderWrongState(Conflict):
    code = "order-wrong-state"
    title = "Not in a state that allows this"
