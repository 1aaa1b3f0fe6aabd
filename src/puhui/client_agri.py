"""SDK for production-model farm loans (``Client.agri``).

    with Client(url, farm, token=token) as api:
        api.agri.record_batch({...})                         # a past batch
        api.agri.start_cycle("flock-1", 10_000, ["house-1-scale"], line_id="line-li",
                             supplier_id="feed-supplier")
        api.agri.order_feed("flock-1-s1", "flock-1", 1, "feed-supplier", amount, feed_kg)
        api.agri.record_readings([api.agri.summarise("flock-1", "house-1-scale", raw)])
        api.agri.flock("flock-1")                            # plan, orders, alerts, sales

The lender opens the line (``open_line``) and reviews alerts (``review_alert``), the supplier
confirms orders (``confirm_order``), the buyer pays (``record_sale``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from puhui.finance.agri.readings import summarise

if TYPE_CHECKING:
    from puhui.client import Client


class AgriClient:
    def __init__(self, client: Client) -> None:
        self._c = client

    summarise = staticmethod(summarise)

    # ---- reads ----------------------------------------------------------------------------

    def templates(self, species: str | None = None) -> list[dict[str, Any]]:
        params = {} if species is None else {"species": species}
        found: list[dict[str, Any]] = self._c.get("/agri/templates", **params)["templates"]
        return found

    def template(
        self, template_id: str, animals: int = 10_000, annual_rate: str = "0.087"
    ) -> dict[str, Any]:
        """The template, its stage plan and staged vs lump-sum interest per animal."""
        found: dict[str, Any] = self._c.get(
            f"/agri/templates/{template_id}", animals=animals, annual_rate=annual_rate
        )
        return found

    def line(self, line_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self._c.get(f"/agri/lines/{line_id}")
        return found

    def flock(self, flock_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self._c.get(f"/agri/flocks/{flock_id}")
        return found

    def flock_days(self, flock_id: str) -> list[dict[str, Any]]:
        """The flock's recorded days (readings summed per day) beside the expected weight."""
        found: list[dict[str, Any]] = self._c.get(f"/agri/flocks/{flock_id}/days")["days"]
        return found

    def flocks(self, status: str | None = None) -> list[dict[str, Any]]:
        params = {} if status is None else {"status": status}
        found: list[dict[str, Any]] = self._c.get("/agri/flocks", **params)["flocks"]
        return found

    def alerts(self, status: str | None = None) -> list[dict[str, Any]]:
        params = {} if status is None else {"status": status}
        found: list[dict[str, Any]] = self._c.get("/agri/alerts", **params)["alerts"]
        return found

    def batches(self, farm_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._c.get(f"/agri/farms/{farm_id}/batches")["batches"]
        return found

    # ---- commands (signed by this client's identity) ----------------------------------------

    def register_template(self, template: dict[str, Any]) -> dict[str, Any]:
        return self._c.submit("agri.register_template", {"template": template})

    def fit_template(self, template_id: str, base_template_id: str, farm_id: str) -> dict[str, Any]:
        payload = {
            "template_id": template_id,
            "base_template_id": base_template_id,
            "farm_id": farm_id,
        }
        return self._c.submit("agri.fit_template", payload)

    def record_batch(self, batch: dict[str, Any]) -> dict[str, Any]:
        return self._c.submit("agri.record_batch", batch)

    def open_line(self, **line: Any) -> dict[str, Any]:
        return self._c.submit("agri.open_line", line)

    def accept_line(self, line_id: str) -> dict[str, Any]:
        return self._c.submit("agri.accept_line", {"line_id": line_id})

    def start_cycle(
        self,
        flock_id: str,
        animals: int,
        devices: list[str],
        *,
        line_id: str | None = None,
        supplier_id: str | None = None,
        template_id: str | None = None,
    ) -> dict[str, Any]:
        payload = {"flock_id": flock_id, "animals": animals, "devices": devices}
        extra = {"line_id": line_id, "supplier_id": supplier_id, "template_id": template_id}
        return self._c.submit("agri.start_cycle", payload | {k: v for k, v in extra.items() if v})

    def order_feed(
        self, order_id: str, flock_id: str, stage: int, supplier_id: str, amount: int, feed_kg: int
    ) -> dict[str, Any]:
        payload = {
            "order_id": order_id,
            "flock_id": flock_id,
            "stage": stage,
            "supplier_id": supplier_id,
            "amount": amount,
            "feed_kg": feed_kg,
        }
        return self._c.submit("agri.order_feed", payload)

    def confirm_order(self, order_id: str) -> dict[str, Any]:
        return self._c.submit("agri.confirm_feed_order", {"order_id": order_id})

    def record_readings(self, rows: list[dict[str, Any]], day: str | None = None) -> dict[str, Any]:
        payload = {"day": day or self._c.business_date().isoformat(), "rows": rows}
        return self._c.submit("agri.record_readings", payload)

    def review_alert(self, alert_id: str, decision: str, note: str) -> dict[str, Any]:
        payload = {"alert_id": alert_id, "decision": decision, "note": note}
        return self._c.submit("agri.review_alert", payload)

    def record_sale(
        self,
        sale_id: str,
        flock_id: str,
        animals: int,
        units_milli: int,
        amount: int,
        final: bool = True,
    ) -> dict[str, Any]:
        payload = {
            "sale_id": sale_id,
            "flock_id": flock_id,
            "animals": animals,
            "units_milli": units_milli,
            "amount": amount,
            "final": final,
        }
        return self._c.submit("agri.record_sale", payload)
