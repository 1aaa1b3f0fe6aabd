"""Errors of the documents context.

InvalidCommand (kernel)
├── UnknownKind            the document kind is not one puhui knows
├── DocumentInvalid        the body fails its kind's schema (bad USCC, negative amount, ...)
├── ContentMismatch        the content does not match the commitment or metadata in the command
└── PartyMismatch          a USCC in the body does not name the registering or confirming party
Conflict (kernel)
├── DocumentExists         the document id is taken
├── DuplicateDocument      a document with the same fingerprint is already registered
├── AlreadyConfirmed       the counterparty confirmed this document before
├── GrantExists / GrantRevoked
├── DeviceExists
└── LienExists             the fingerprint is already encumbered (names only lien id and date)
NotFound (kernel)
├── UnknownDocument / UnknownGrant / UnknownDevice / UnknownLien
└── ContentMissing         the document is on the log but its bytes are not stored here
PermissionDenied (kernel)
└── AccessDenied           a read without a valid grant (the refusal itself is on the log)
RuleViolation (kernel)
└── NotFinanceable         liens exist only on invoices, orders, contracts, warehouse receipts
"""

from puhui.kernel.errors import Conflict, InvalidCommand, NotFound, PermissionDenied, RuleViolation


class UnknownKind(InvalidCommand):
    code = "unknown-document-kind"
    title = "Unknown document kind"


class DocumentInvalid(InvalidCommand):
    code = "document-invalid"
    title = "The document does not pass its schema"


class ContentMismatch(InvalidCommand):
    code = "content-mismatch"
    title = "The content does not match the command"


class PartyMismatch(InvalidCommand):
    code = "party-mismatch"
    title = "The document names other parties"


class DocumentExists(Conflict):
    code = "document-exists"
    title = "Document id already used"


class DuplicateDocument(Conflict):
    code = "duplicate-document"
    title = "This document is already registered"


class AlreadyConfirmed(Conflict):
    code = "already-confirmed"
    title = "Already confirmed"


class GrantExists(Conflict):
    code = "grant-exists"
    title = "Grant id already used"


class GrantRevoked(Conflict):
    code = "grant-revoked"
    title = "The grant is already revoked"


class DeviceExists(Conflict):
    code = "device-exists"
    title = "Device already registered"


class LienExists(Conflict):
    code = "lien-exists"
    title = "The document is already encumbered"


class UnknownDocument(NotFound):
    code = "unknown-document"
    title = "No such document"


class UnknownGrant(NotFound):
    code = "unknown-grant"
    title = "No such grant"


class UnknownDevice(NotFound):
    code = "unknown-device"
    title = "No such device"


class UnknownLien(NotFound):
    code = "unknown-lien"
    title = "No such lien"


class ContentMissing(NotFound):
    code = "content-missing"
    title = "The document's bytes are not stored"


class AccessDenied(PermissionDenied):
    code = "access-denied"
    title = "No grant allows this read"


class NotFinanceable(RuleViolation):
    code = "not-financeable"
    title = "This kind of document cannot be financed"
