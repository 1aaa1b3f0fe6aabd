"""Errors of the credit context.

InvalidCommand (kernel)
├── FeatureInvalid         a feature value is missing, of the wrong type or out of range
├── ModelInvalid           a model file is not a puhui scorecard / does not match its registration
├── PolicyInvalid          a policy document fails its schema
└── ScoreMismatch          a decision's score, PD or reasons differ from the registered model's
RuleViolation (kernel)
└── ModelCannotDecide      the model is a challenger (or retired): it may be monitored, not decide
PermissionDenied (kernel)
└── ConsentMissing         no consent in force for the data a decision or attestation would use
NotFound (kernel)
├── UnknownModel           no registered model with that id (unregistered models never decide)
├── UnknownPolicy / UnknownDecision / UnknownTaxConsent / UnknownAttestation
└── InputsMissing          the decision's inputs or model bytes are not stored here
Conflict (kernel)
└── CreditIdExists         the model, decision, consent or attestation id is taken
"""

from puhui.kernel.errors import Conflict, InvalidCommand, NotFound, PermissionDenied, RuleViolation


class FeatureInvalid(InvalidCommand):
    code = "feature-invalid"
    title = "A feature value is not valid"


class ModelInvalid(InvalidCommand):
    code = "model-invalid"
    title = "The model file is not valid"


class PolicyInvalid(InvalidCommand):
    code = "policy-invalid"
    title = "The credit policy is not valid"


class ScoreMismatch(InvalidCommand):
    code = "score-mismatch"
    title = "The decision does not match the registered model"


class ModelCannotDecide(RuleViolation):
    code = "model-cannot-decide"
    title = "This model may not make decisions"


class ConsentMissing(PermissionDenied):
    code = "consent-missing"
    title = "No consent in force for this data"


class UnknownModel(NotFound):
    code = "unknown-model"
    title = "No such registered model"


class UnknownPolicy(NotFound):
    code = "unknown-policy"
    title = "No credit policy for this product"


class UnknownDecision(NotFound):
    code = "unknown-decision"
    title = "No such credit decision"


class UnknownTaxConsent(NotFound):
    code = "unknown-tax-consent"
    title = "No such tax-data consent"


class UnknownAttestation(NotFound):
    code = "unknown-attestation"
    title = "No such tax attestation"


class InputsMissing(NotFound):
    code = "inputs-missing"
    title = "Stored inputs or model bytes are missing"


class CreditIdExists(Conflict):
    code = "credit-id-exists"
    title = "Identifier already used"
