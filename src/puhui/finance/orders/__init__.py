"""Order financing and penetrating payment (订单融资, 穿透式支付; seed 002: Trusple's trade
orders, CITIC's penetrating payment): a purchase order signed by seller and buyer lets the
seller borrow to produce it; the loan is paid only to the input suppliers of its plan; the
buyer's payment repays the lender first and the rest goes to the seller.

Other contexts and the interfaces use what is exported here and ``views``: ``views.trail``
(one order's authenticity trail), ``views.list_orders``, ``views.portfolio``,
``views.visible_to``.
"""

from puhui.finance.orders.handlers import register_context
from puhui.finance.orders.model import (
    ADVANCE_BP_DEFAULT,
    CONTROLLER,
    FinancingStatus,
    OrderStatus,
    advance_cap,
)

__all__ = [
    "ADVANCE_BP_DEFAULT",
    "CONTROLLER",
    "FinancingStatus",
    "OrderStatus",
    "advance_cap",
    "register_context",
]
