"""Receivables (数字债权凭证): confirmed by the core enterprise, split down the supply chain,
guaranteed, factored once, and paid to every holder at maturity.

Other contexts and the interfaces use what is exported here and ``views``:
``views.trace`` (a piece's path of holders to the root), ``views.graph`` (the penetration
graph), ``views.wallet``, ``views.payables``, ``views.portfolio``; ``check_invoices`` for a
platform holding invoice content (the API runs it before ``receivable.issue``).
"""

from puhui.finance.receivables.handlers import register_context
from puhui.finance.receivables.intake import check_invoices
from puhui.finance.receivables.model import (
    MATURITY_MONTHS_DEFAULT,
    MATURITY_MONTHS_HARD_MAX,
    FinancingStatus,
    GuaranteeStatus,
    PieceStatus,
    ReceivableStatus,
    discount,
)

__all__ = [
    "MATURITY_MONTHS_DEFAULT",
    "MATURITY_MONTHS_HARD_MAX",
    "FinancingStatus",
    "GuaranteeStatus",
    "PieceStatus",
    "ReceivableStatus",
    "check_invoices",
    "discount",
    "register_context",
]
