"""Registration of the order-financing context with the kernel: commands and appliers. The
handlers live in ``trade`` (open, confirm, pay, policy) and ``financing`` (request, fund,
decline, draw)."""

from __future__ import annotations

from puhui.finance.orders import commands as c
from puhui.finance.orders import financing, trade
from puhui.finance.orders.appliers import APPLIERS
from puhui.finance.orders.common import LENDER_ROLES
from puhui.kernel.registry import CommandSpec, Registry

OPERATOR = frozenset({"operator"})


def register_context(registry: Registry) -> None:
    specs = [
        CommandSpec(
            "order.open",
            c.OpenOrder,
            trade.open_order,
            summary="Open a trade order on a purchase order you registered (seller)",
        ),
        CommandSpec(
            "order.confirm",
            c.ConfirmOrder,
            trade.confirm,
            summary="Countersign an order's terms (buyer)",
        ),
        CommandSpec(
            "order.set_policy",
            c.SetPolicy,
            trade.set_policy,
            OPERATOR,
            summary="Set the highest share of an order's value a loan may reach (basis points)",
        ),
        CommandSpec(
            "order.request_financing",
            c.RequestFinancing,
            financing.request,
            summary="Ask a bank to finance an order, paid to the plan's input suppliers",
        ),
        CommandSpec(
            "order.finance",
            c.Finance,
            financing.finance,
            LENDER_ROLES,
            summary="Fund an order: lien its purchase order and contract the loan",
        ),
        CommandSpec(
            "order.decline_financing",
            c.DeclineFinancing,
            financing.decline,
            LENDER_ROLES,
            summary="Decline an order financing request",
        ),
        CommandSpec(
            "order.draw",
            c.Draw,
            financing.draw,
            summary="Draw a tranche of the order's loan, paid to a supplier of the plan",
        ),
        CommandSpec(
            "order.pay",
            c.Pay,
            trade.pay,
            summary="Pay a delivered order: the lender first, the rest to the seller (buyer)",
        ),
    ]
    for spec in specs:
        registry.command(spec)
    registry.appliers_for(APPLIERS)
