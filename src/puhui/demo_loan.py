"""The demo's loan story (seed 000, the broiler farmer): the coop bank lends Li Ming the feed
for a 42-day flock, paid to the feed supplier stage by stage, interest only on what was drawn.

Loaded by ``puhui.demo`` after the ledger story (which opens the charts of accounts and funds
the bank) and before it closes the demo's business days, so the close of day accrues the loan's
first stage on the record. Mainland China's holidays come onto the record
from the ``chinese-calendar`` package (``lending.load_calendar``), never at run time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from puhui.client import Identity
from puhui.kernel.service import Kernel
from puhui.lending.calendar import chinese_calendar

BIRDS = 20_000
FEED_FEN_PER_BIRD = 1_200
STAGES = 3
PRODUCT = {
    "product_id": "broiler-cycle",
    "name": "肉鸡养殖贷 Broiler production loan (one 42-day flock)",
    "amortisation": "bullet",
    "period_months": 0,
    "period_days": 42,
    "term_periods_min": 1,
    "term_periods_max": 1,
    "annual_rate_max": "0.15",
    "rate_cap": "0.24",
    "penalty_rate": "0.0653",
    "calendar": "CN",
    "due_date_rule": "following",
}


def load_loan_story(kernel: Kernel, ids: dict[str, Identity], day: date) -> str:
    """Submit the story's commands dated ``day``; return the loan id."""
    op, bank, farmer = ids["operator"], ids["coop-bank"], ids["farmer-li"]

    def submit(who: Identity, ctype: str, payload: dict[str, Any], key: str) -> Any:
        return kernel.submit(who.sign(ctype, payload, day, f"demo-{key}"))

    calendar = chinese_calendar([day.year])
    submit(
        op,
        "lending.load_calendar",
        {
            "name": "CN",
            "years": sorted(calendar.years) or [day.year],
            "holidays": sorted(d.isoformat() for d in calendar.holidays),
            "workdays": sorted(d.isoformat() for d in calendar.workdays),
        },
        "calendar-cn",
    )
    submit(bank, "lending.define_product", PRODUCT, "product")
    amount = BIRDS * FEED_FEN_PER_BIRD
    loan_id = "loan-li-flock-1"
    submit(
        farmer,
        "lending.apply",
        {
            "loan_id": loan_id,
            "product_id": "broiler-cycle",
            "amount": amount,
            "term_periods": 1,
            "payees": [{"party_id": "feed-supplier"}],
            "purpose": f"feed for {BIRDS:,} broilers, paid to the feed supplier by stage",
        },
        "apply",
    )
    approved = submit(
        bank, "lending.approve", {"loan_id": loan_id, "annual_rate": "0.0435"}, "approve"
    )
    digest = approved.events[0].data["contract_digest"]
    for who in (farmer, bank):
        submit(
            who,
            "lending.sign_contract",
            {"loan_id": loan_id, "contract_digest": digest},
            f"sign-{who.party_id}",
        )
    stage = {
        "loan_id": loan_id,
        "tranche_id": "stage-1",
        "amount": amount // STAGES,
        "payee_id": "feed-supplier",
    }
    submit(bank, "lending.disburse", stage, "stage-1")
    return loan_id


WORKING_CAPITAL = {
    "product_id": "coop-sme-working-capital",
    "name": "小微流动资金贷 SME working capital (12 months)",
    "amortisation": "equal_instalments",
    "term_periods_min": 3,
    "term_periods_max": 12,
    "amount_min": 1_000_000,
    "amount_max": 50_000_000,
    "annual_rate_min": "0.0300",
    "annual_rate_max": "0.15",
    "rate_cap": "0.24",
    "penalty_rate": "0.0653",
    "calendar": "CN",
    "pay_borrower_allowed": True,
}
"""The product of the credit story's policy (same id), so its decisions sit beside applications."""


def load_application(kernel: Kernel, ids: dict[str, Identity], day: date) -> str:
    """The feed supplier applies for working capital: left for the bank to approve (in the
    console, with the credit decision of the credit story)."""
    bank, supplier = ids["coop-bank"], ids["feed-supplier"]
    kernel.submit(bank.sign("lending.define_product", WORKING_CAPITAL, day, "demo-product-wc"))
    loan_id = "loan-feed-wc-1"
    application = {
        "loan_id": loan_id,
        "product_id": WORKING_CAPITAL["product_id"],
        "amount": 30_000_000,
        "term_periods": 12,
        "purpose": "working capital: feed ingredients for the spring season",
    }
    kernel.submit(supplier.sign("lending.apply", application, day, "demo-apply-wc"))
    return loan_id
