"""Sharing with consent on both stores: reads without a grant are refused, after revocation or
expiry refused, regulators read under supervision, and every attempt is recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.documents import intake, views
from puhui.documents.errors import AccessDenied, GrantRevoked
from puhui.kernel.errors import PermissionDenied, RuleViolation
from tests.conftest import START
from tests.documents_support import invoice, register_document, tax_filing, trade_parties


@pytest.fixture
def people(platform: Platform, operator: Identity) -> dict[str, Identity]:
    found = trade_parties(platform, operator)
    found["operator"] = operator
    register_document(
        platform, found["seller"], "tf-1", "tax_filing", tax_filing(), counterparty="tax-bureau"
    )
    register_document(platform, found["seller"], "inv-1", "e_invoice", invoice())
    return found


def _read(
    platform: Platform, reader: Identity, document_id: str, purpose: str, day: date = START
) -> intake.ReadResult:
    signed = reader.sign("document.read", {"document_id": document_id, "purpose": purpose}, day)
    return intake.read(platform.engine, platform.kernel.submit, signed)


def _grant(platform: Platform, owner: Identity, grant_id: str, **scope: str) -> None:
    payload = {
        "grant_id": grant_id,
        "grantee": "bank-a",
        "purpose": "credit_assessment",
        "valid_until": "2026-03-03",
        **scope,
    }
    platform.kernel.submit(owner.sign("consent.grant", payload, START))


def _log(platform: Platform, owner: str = "seller") -> list[tuple[str, str, str, str | None]]:
    with platform.engine.connect() as conn:
        reads = views.access_log(conn, owner)
    return [(r.reader, r.document_id, r.outcome, r.basis) for r in reads]


def test_reads_need_a_grant_and_every_attempt_is_recorded(
    platform: Platform, people: dict[str, Identity]
) -> None:
    with pytest.raises(AccessDenied, match="seller has granted bank-a no access"):
        _read(platform, people["bank-a"], "tf-1", "credit_assessment")
    _grant(platform, people["seller"], "g-1", kind="tax_filing")
    result = _read(platform, people["bank-a"], "tf-1", "credit_assessment")
    with platform.engine.connect() as conn:
        assert intake.verify(conn, result.package).verified
    with pytest.raises(AccessDenied):  # a class grant of tax filings does not open invoices
        _read(platform, people["bank-a"], "inv-1", "credit_assessment")
    with pytest.raises(AccessDenied):  # nor another purpose
        _read(platform, people["bank-a"], "tf-1", "loan_monitoring")
    platform.kernel.submit(people["seller"].sign("consent.revoke", {"grant_id": "g-1"}, START))
    with pytest.raises(AccessDenied, match="grant g-1 was revoked on 2026-03-02"):
        _read(platform, people["bank-a"], "tf-1", "credit_assessment")
    assert _log(platform) == [
        ("bank-a", "tf-1", "refused", None),
        ("bank-a", "tf-1", "granted", "grant"),
        ("bank-a", "inv-1", "refused", None),
        ("bank-a", "tf-1", "refused", None),
        ("bank-a", "tf-1", "refused", None),
    ]
    with platform.engine.connect() as conn:
        purposes = [r.purpose for r in views.access_log(conn, "seller")]
        assert purposes[3] == "loan_monitoring"
        assert views.access_log(conn, "bank-a") == []


def test_a_repeated_read_after_revocation_gets_nothing(
    platform: Platform, people: dict[str, Identity]
) -> None:
    _grant(platform, people["seller"], "g-1", document_id="tf-1")
    signed = people["bank-a"].sign(
        "document.read", {"document_id": "tf-1", "purpose": "credit_assessment"}, START, "read-1"
    )
    intake.read(platform.engine, platform.kernel.submit, signed)
    platform.kernel.submit(people["seller"].sign("consent.revoke", {"grant_id": "g-1"}, START))
    with pytest.raises(AccessDenied, match="no longer allowed"):
        intake.read(platform.engine, platform.kernel.submit, signed)
    with pytest.raises(GrantRevoked):
        platform.kernel.submit(people["seller"].sign("consent.revoke", {"grant_id": "g-1"}, START))


def test_grants_expire_with_the_business_date(
    platform: Platform, people: dict[str, Identity]
) -> None:
    _grant(platform, people["seller"], "g-1", kind="tax_filing")
    day = START
    platform.kernel.submit(
        people["operator"].sign("clock.close_day", {"date": day.isoformat()}, day)
    )
    day += timedelta(days=1)
    _read(platform, people["bank-a"], "tf-1", "credit_assessment", day)  # valid until 03-03
    platform.kernel.submit(
        people["operator"].sign("clock.close_day", {"date": day.isoformat()}, day)
    )
    day += timedelta(days=1)
    with pytest.raises(AccessDenied, match="expired after 2026-03-03"):
        _read(platform, people["bank-a"], "tf-1", "credit_assessment", day)


def test_regulators_read_under_supervision_and_it_is_recorded(
    platform: Platform, people: dict[str, Identity]
) -> None:
    with pytest.raises(AccessDenied):
        _read(platform, people["regulator"], "tf-1", "credit_assessment")
    _read(platform, people["regulator"], "tf-1", "supervision")
    with pytest.raises(AccessDenied):  # supervision is a regulator's power, not a bank's
        _read(platform, people["bank-b"], "tf-1", "supervision")
    assert _log(platform)[1] == ("regulator", "tf-1", "granted", "supervision")
    counterparty = _read(platform, people["tax-bureau"], "tf-1", "audit")
    assert counterparty.receipt.events[0].data["basis"] == "counterparty"


def test_only_owners_grant_and_revoke(platform: Platform, people: dict[str, Identity]) -> None:
    with pytest.raises(PermissionDenied, match="only its owner seller"):
        _grant(platform, people["bank-b"], "g-x", document_id="tf-1")
    _grant(platform, people["seller"], "g-1", document_id="tf-1")
    with pytest.raises(PermissionDenied, match="only the grantor"):
        platform.kernel.submit(people["bank-a"].sign("consent.revoke", {"grant_id": "g-1"}, START))
    with pytest.raises(RuleViolation, match="before the business date"):
        platform.kernel.submit(
            people["seller"].sign(
                "consent.grant",
                {
                    "grant_id": "g-2",
                    "grantee": "bank-a",
                    "purpose": "audit",
                    "valid_until": "2026-01-01",
                    "kind": "e_invoice",
                },
                START,
            )
        )
