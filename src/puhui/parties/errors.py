"""Errors of the parties context.

InvalidCommand (kernel)
├── InvalidUSCC        the USCC fails GB 32100-2015 (length, alphabet or check digit)
└── InvalidPublicKey   not a 32-byte Ed25519 public key in base64
Conflict (kernel)
├── PartyExists        the party id or USCC is already registered
└── KeyExists          the key is already registered
NotFound (kernel)
└── UnknownParty
RuleViolation (kernel)
└── LastKey            revoking would leave the party with no key to sign with
"""

from puhui.kernel.errors import Conflict, InvalidCommand, NotFound, RuleViolation


class InvalidUSCC(InvalidCommand):
    code = "invalid-uscc"
    title = "Invalid unified social credit code"


class InvalidPublicKey(InvalidCommand):
    code = "invalid-public-key"
    title = "Invalid public key"


class PartyExists(Conflict):
    code = "party-exists"
    title = "Party already registered"


class KeyExists(Conflict):
    code = "key-exists"
    title = "Key already registered"


class UnknownParty(NotFound):
    code = "unknown-party"
    title = "No such party"


class LastKey(RuleViolation):
    code = "last-key"
    title = "A party must keep one active key"
