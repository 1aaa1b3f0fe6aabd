"""Errors of the lending context. Every one refuses the whole command: nothing changes.

InvalidCommand (kernel)
├── InvalidLoanTerms       impossible product or schedule terms (zero term, negative rate, ...)
│   └── InvalidProduct     a product definition names impossible options (every problem listed)
└── RuleViolation (kernel)
    ├── RateAboveCap       the offer's APR is above the product's rate cap
    ├── AmountOutOfRange   amount or term outside what the product allows
    ├── PayeeNotInContract a tranche to a party the contract does not name
    ├── ExceedsApproved    disbursing more than the approved amount (or a payee's share)
    ├── ExceedsOwed        repaying more than the loan owes (the settlement quote is given)
    ├── ExceedsLimit       drawing more than a credit line has available
    ├── LoanControlled     a tranche of a loan whose tranches only its controller may draw
    └── ContractMismatch   signing terms other than the approved ones
NotFound (kernel)
├── UnknownProduct
├── UnknownLoan
├── UnknownCalendar
└── UnknownCreditLine
Conflict (kernel)
├── ProductExists / LoanExists / CreditLineExists
├── LoanNotInState         the command does not fit the loan's status (repaying a closed loan)
├── LineFrozen             drawing on a frozen (or closed) credit line
├── DuplicateObjectId      a tranche, repayment or recovery id already used on this loan
└── MissingAccount         a party has no cash account in the currency (open its chart first)
PermissionDenied (kernel)
└── NotLoanParty           the actor is not the loan's borrower or lender as the command needs
"""

from puhui.kernel.errors import Conflict, InvalidCommand, NotFound, PermissionDenied, RuleViolation


class InvalidLoanTerms(InvalidCommand):
    code = "invalid-loan-terms"
    title = "Impossible loan terms"


class InvalidProduct(InvalidLoanTerms):
    code = "invalid-product"
    title = "Impossible loan product"


class RateAboveCap(RuleViolation):
    code = "rate-above-cap"
    title = "The offer's annualised rate is above the product's cap"


class AmountOutOfRange(RuleViolation):
    code = "amount-out-of-range"
    title = "Amount or term outside the product's range"


class PayeeNotInContract(RuleViolation):
    code = "payee-not-in-contract"
    title = "The payee is not named in the contract"


class ExceedsApproved(RuleViolation):
    code = "exceeds-approved"
    title = "Disbursing more than was approved"


class ExceedsOwed(RuleViolation):
    code = "exceeds-owed"
    title = "Repaying more than the loan owes"


class ExceedsLimit(RuleViolation):
    code = "exceeds-limit"
    title = "Drawing more than the credit line has available"


class LoanControlled(RuleViolation):
    code = "loan-controlled"
    title = "The loan's tranches are drawn only through its controlling programme"


class ContractMismatch(RuleViolation):
    code = "contract-mismatch"
    title = "The signed terms are not the approved terms"


class UnknownProduct(NotFound):
    code = "unknown-product"
    title = "No such loan product"


class UnknownLoan(NotFound):
    code = "unknown-loan"
    title = "No such loan"


class UnknownCalendar(NotFound):
    code = "unknown-calendar"
    title = "No such holiday calendar"


class UnknownCreditLine(NotFound):
    code = "unknown-credit-line"
    title = "No such credit line"


class ProductExists(Conflict):
    code = "product-exists"
    title = "Product id already used"


class LoanExists(Conflict):
    code = "loan-exists"
    title = "Loan id already used"


class CreditLineExists(Conflict):
    code = "credit-line-exists"
    title = "Credit line id already used"


class LoanNotInState(Conflict):
    code = "loan-not-in-state"
    title = "The loan's status does not allow this"


class LineFrozen(Conflict):
    code = "line-frozen"
    title = "The credit line is frozen or closed"


class DuplicateObjectId(Conflict):
    code = "duplicate-object-id"
    title = "Id already used on this loan"


class MissingAccount(Conflict):
    code = "missing-account"
    title = "A party has no account for this"


class NotLoanParty(PermissionDenied):
    code = "not-loan-party"
    title = "Not a party to this loan in the needed role"
