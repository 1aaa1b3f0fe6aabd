"""Helpers the order handlers share: the order a signer may act on, its states."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from puhui.finance.orders import views
from puhui.finance.orders.errors import (
    NotOrderParty,
    OrderAlreadyFinanced,
    OrderNotConfirmed,
    OrderPastDue,
    OrderWrongState,
)
from puhui.finance.orders.model import OrderStatus

LENDER_ROLES = frozenset({"bank", "cooperative"})


def order_for(conn: Connection, order_id: str, actor: str, side: str) -> views.Order:
    """The order, if ``actor`` is its ``side`` ("seller" or "buyer")."""
    order = views.get_order(conn, order_id)
    party = order.seller if side == "seller" else order.buyer
    if actor != party:
        raise NotOrderParty(f"only the {side} {party} may do this on order {order_id}")
    return order


def confirmed(order: views.Order) -> None:
    """The order is countersigned by the buyer and not yet paid."""
    if order.status == OrderStatus.OPEN:
        raise OrderNotConfirmed(
            f"order {order.order_id} is not countersigned by its buyer {order.buyer} yet"
        )
    if order.status != OrderStatus.CONFIRMED:
        raise OrderWrongState(f"order {order.order_id} is {order.status}", status=order.status)


def financeable(order: views.Order, today: date) -> None:
    """Confirmed, never financed, and its delivery date not passed."""
    if order.financing_id is not None:
        raise OrderAlreadyFinanced(
            f"order {order.order_id} was financed by {order.financing_id}; an order is financed "
            "once, ever",
            financing_id=order.financing_id,
        )
    confirmed(order)
    if today > order.delivery_due:
        raise OrderPastDue(
            f"order {order.order_id} was due for delivery on {order.delivery_due}; it is {today}"
        )
