"""Errors of the agri production-loan context. Every one refuses the whole command: nothing
changes.

InvalidCommand (kernel)
├── InvalidTemplate        a production template with impossible data (every problem listed)
└── RuleViolation (kernel)
    ├── StageExceedsPlan   a feed order larger than the template allows for the stage
    ├── StageNotDue        a stage ordered out of order or too early for the flock's age
    ├── SupplierNotInPlan  paying a feed supplier the line's plan does not name
    ├── CompletionTooLow   the farm's probability of completing a cycle is below the policy
    ├── ExceedsLine        a cycle larger than the line allows (animals or amount available)
    └── DeviceNotOfFarm    readings from a device another party owns or not in the flock
NotFound (kernel)
└── UnknownTemplate / UnknownAgriLine / UnknownFlock / UnknownFeedOrder / UnknownAlert
Conflict (kernel)
├── AgriObjectExists       a template, batch, line, flock, order or sale id already used
├── FlockFrozen            drawing a stage while a critical alert awaits the lender's review
├── NotInState             the command does not fit the object's status (e.g. line not accepted)
└── ReadingsExist          a device's readings for that flock and day are already recorded
PermissionDenied (kernel)
└── NotAgriParty           the actor is not the farm, lender, supplier or buyer the command needs
"""

from puhui.kernel.errors import Conflict, InvalidCommand, NotFound, PermissionDenied, RuleViolation


class InvalidTemplate(InvalidCommand):
    code = "invalid-template"
    title = "The production template is not valid"


class StageExceedsPlan(RuleViolation):
    code = "stage-exceeds-plan"
    title = "The feed order is larger than the template allows for the stage"


class StageNotDue(RuleViolation):
    code = "stage-not-due"
    title = "The stage cannot be ordered now"


class SupplierNotInPlan(RuleViolation):
    code = "supplier-not-in-plan"
    title = "The feed supplier is not named in the plan"


class CompletionTooLow(RuleViolation):
    code = "completion-too-low"
    title = "The farm's probability of completing the cycle is below the lender's policy"


class ExceedsLine(RuleViolation):
    code = "exceeds-line"
    title = "The cycle is larger than the line allows"


class DeviceNotOfFarm(RuleViolation):
    code = "device-not-of-farm"
    title = "The device does not belong to this farm's flock"


class UnknownTemplate(NotFound):
    code = "unknown-template"
    title = "No such production template"


class UnknownAgriLine(NotFound):
    code = "unknown-agri-line"
    title = "No such production line of credit"


class UnknownFlock(NotFound):
    code = "unknown-flock"
    title = "No such flock"


class UnknownFeedOrder(NotFound):
    code = "unknown-feed-order"
    title = "No such feed order"


class UnknownAlert(NotFound):
    code = "unknown-alert"
    title = "No such alert"


class AgriObjectExists(Conflict):
    code = "agri-object-exists"
    title = "The id is already used"


class FlockFrozen(Conflict):
    code = "flock-frozen"
    title = "The flock is frozen until the lender reviews its critical alert"


class NotInState(Conflict):
    code = "agri-not-in-state"
    title = "The command does not fit the object's status"


class ReadingsExist(Conflict):
    code = "readings-exist"
    title = "These readings are already recorded"


class NotAgriParty(PermissionDenied):
    code = "not-agri-party"
    title = "Not a party of this line or flock"
