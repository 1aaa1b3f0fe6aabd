"""The demo's farm-loan story (seed 000, the broiler farmer, on the production model).

A rural credit cooperative sizes Li Ming's line from the broiler template and the completion
record of his and his neighbours' past flocks; a 10,000-bird flock is placed; six feed stages
are ordered by the farm, confirmed by the feed supplier and paid to it by the loan; the house
devices post a summary of each day's readings; the close of day raises a warning (weight 12%
under the curve on day 23) and a critical alert (mortality above 5% on day 30) that freezes the
sixth stage until the cooperative reviews it; the slaughterhouse pays for the birds — the
cooperative first, the rest to the farm — and the line revolves into a second cycle. The
staged and lump-sum interest per bird are computed from the template's feed curve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from puhui.accounts import reports
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.finance.agri import views
from puhui.finance.agri.model import interest_comparison, shipped_templates
from puhui.finance.agri.readings import DEATHS, FEED, TEMP, WEIGHT, summarise
from puhui.kernel import clock
from puhui.kernel.errors import PuhuiError
from puhui.kernel.service import Kernel, Receipt
from puhui.lending import views as lending_views

BIRDS = 10_000
RATE = "0.087"
"""An annual rate at which a lump sum for the cycle's feed costs about RMB 0.12 a bird."""
TEMPLATE = "broiler-ross308-42d"
COOP, FARM, PEER, SUPPLIER, BUYER = (
    "coop-minhou",
    "farmer-li",
    "farmer-wang",
    "feed-supplier",
    "core-poultry",
)
PRODUCT = {
    "product_id": "agri-feed-cycle",
    "name": "肉鸡生产贷 Production-model feed loan (one cycle, repaid from the sale)",
    "amortisation": "bullet",
    "period_months": 0,
    "period_days": 60,
    "term_periods_min": 1,
    "term_periods_max": 1,
    "amount_min": 1_000,
    "amount_max": 10**10,
    "annual_rate_max": "0.15",
    "rate_cap": "0.24",
    "penalty_rate": "0.0653",
}
WEIGHT_FACTOR_BP = {23: 8_800, 24: 9_300, 25: 9_500}
"""Day 23: the flock weighs 12% under the curve (a warning); it recovers after."""
DEATHS_ON = {30: 320}
"""Day 30: a disease kills 320 birds, taking mortality above 5% (critical: stage 6 freezes)."""
SALE_PRICE_FEN_PER_KG = 860


@dataclass
class AgriStory:
    kernel: Kernel
    ids: dict[str, Identity]
    log: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def today(self) -> date:
        with self.kernel.engine.connect() as conn:
            found = clock.business_date(conn)
        if found is None:
            raise RuntimeError("the clock has not started")
        return found

    def submit(self, who: str, ctype: str, payload: dict[str, Any], key: str) -> Receipt:
        return self.kernel.submit(self.ids[who].sign(ctype, payload, self.today(), f"agri-{key}"))

    def close_day(self) -> None:
        day = self.today().isoformat()
        self.submit("operator", "clock.close_day", {"date": day}, f"close-{day}")

    # ---- set-up: templates, past batches, the line -----------------------------------------

    def set_up(self) -> None:
        for template in shipped_templates():
            self.submit(
                "operator",
                "agri.register_template",
                {"template": template.to_json()},
                f"template-{template.template_id}",
            )
        start = self.today() - timedelta(days=400)
        for farm, batches, failed in ((FARM, 6, ()), (PEER, 8, (3,))):
            for n in range(batches):
                placed = start + timedelta(days=50 * n)
                lost = n in failed
                self.submit(
                    farm,
                    "agri.record_batch",
                    {
                        "batch_id": f"{farm}-past-{n + 1}",
                        "template_id": TEMPLATE,
                        "placed_on": placed.isoformat(),
                        "days": 20 if lost else 42,
                        "animals_placed": 8_000,
                        "animals_sold": 0 if lost else 7_700,
                        "feed_kg": 9_000 if lost else 36_800,
                        "weight_g_avg": 0 if lost else 2_790,
                        "completed": not lost,
                    },
                    f"batch-{farm}-{n}",
                )
        self.submit(
            FARM,
            "agri.fit_template",
            {"template_id": "broiler-li-fitted", "base_template_id": TEMPLATE, "farm_id": FARM},
            "fit",
        )
        self.submit(COOP, "lending.define_product", PRODUCT, "product")
        for device in ("li-house-1-scale", "li-house-1-climate"):
            self.submit(FARM, "iot.register_device", {"device_id": device, "name": device}, device)
        line = {
            "line_id": "line-li",
            "farm_id": FARM,
            "template_id": TEMPLATE,
            "product_id": PRODUCT["product_id"],
            "animals": BIRDS,
            "annual_rate": RATE,
            "suppliers": [SUPPLIER],
        }
        opened = self.submit(COOP, "agri.open_line", line, "line")
        self.figures["line"] = opened.events[0].data["computation"]
        self.submit(FARM, "agri.accept_line", {"line_id": "line-li"}, "accept")

    # ---- a cycle ----------------------------------------------------------------------------

    def start(self, flock_id: str) -> None:
        self.submit(
            FARM,
            "agri.start_cycle",
            {
                "flock_id": flock_id,
                "animals": BIRDS,
                "devices": ["li-house-1-scale", "li-house-1-climate"],
                "line_id": "line-li",
                "supplier_id": SUPPLIER,
            },
            f"start-{flock_id}",
        )

    def draw_stage(self, flock_id: str, stage: int) -> None:
        with self.kernel.engine.connect() as conn:
            step = views.plan(views.get_flock(conn, flock_id))[stage - 1]
        order = f"{flock_id}-stage-{stage}"
        self.submit(
            FARM,
            "agri.order_feed",
            {
                "order_id": order,
                "flock_id": flock_id,
                "stage": stage,
                "supplier_id": SUPPLIER,
                "amount": step.allowance,
                "feed_kg": step.feed_kg,
            },
            order,
        )
        self.submit(SUPPLIER, "agri.confirm_feed_order", {"order_id": order}, f"{order}-ok")

    def readings(self, flock_id: str, age: int, alive: int) -> int:
        """The day's raw readings of both devices, summarised and recorded; returns deaths."""
        with self.kernel.engine.connect() as conn:
            template = views.get_template(conn, TEMPLATE)
        expected = template.weight_g_at(age) * WEIGHT_FACTOR_BP.get(age, 10_000) // 10_000
        deaths = DEATHS_ON.get(age, 9)
        base = age * 86_400_000
        scale = [(base + i * 60_000, WEIGHT, expected - 40 + (i * 37) % 81) for i in range(60)]
        scale += [(base + 3_600_000 * h, DEATHS, deaths if h == 7 else 0) for h in range(24)]
        band = template.temp_band_mc(age) or (20_000, 30_000)
        mid = (band[0] + band[1]) // 2
        climate = [(base + 3_600_000 * h, TEMP, mid + (h % 5) * 200 - 400) for h in range(24)]
        climate += [
            (base + 3_600_000 * h, FEED, template.feed_g_on(age) * alive // 24) for h in range(24)
        ]
        rows = [
            summarise(flock_id, "li-house-1-scale", scale),
            summarise(flock_id, "li-house-1-climate", climate),
        ]
        day = self.today().isoformat()
        self.submit(FARM, "agri.record_readings", {"day": day, "rows": rows}, f"r-{flock_id}-{day}")
        return deaths

    def grow(self, flock_id: str) -> int:
        """Days 0-41 of the cycle: stages drawn when due, readings, close of day. Returns the
        birds alive at day 42."""
        with self.kernel.engine.connect() as conn:
            plan = views.plan(views.get_flock(conn, flock_id))
        due = {s.draw_age: s.number for s in plan}
        alive = BIRDS
        for age in range(42):
            if age in due:
                self._draw_or_review(flock_id, due[age])
            if age:
                alive -= self.readings(flock_id, age, alive)
            self.close_day()
        return alive

    def _draw_or_review(self, flock_id: str, stage: int) -> None:
        try:
            self.draw_stage(flock_id, stage)
            self.log.append(f"stage {stage} paid to {SUPPLIER}")
            return
        except PuhuiError as exc:
            self.log.append(f"stage {stage} refused: {exc.code}: {exc.detail}")
        with self.kernel.engine.connect() as conn:
            alerts = views.list_alerts(conn, flock_id=flock_id, status="open")
        for alert in alerts:
            if alert["severity"] == "critical":
                self.submit(
                    COOP,
                    "agri.review_alert",
                    {
                        "alert_id": alert["alert_id"],
                        "decision": "release",
                        "note": "vet visited: outbreak contained, flock treated; feed continues",
                    },
                    f"review-{alert['alert_id']}",
                )
                self.log.append(f"{COOP} reviewed {alert['alert_id']}: released")
        self.draw_stage(flock_id, stage)
        self.log.append(f"stage {stage} paid to {SUPPLIER} after the review")

    def sell(self, flock_id: str, alive: int) -> dict[str, Any]:
        with self.kernel.engine.connect() as conn:
            grams = views.get_template(conn, TEMPLATE).weight_g_at(42) * 97 // 100
        units_milli = alive * grams
        amount = units_milli * SALE_PRICE_FEN_PER_KG // 1_000
        receipt = self.submit(
            BUYER,
            "agri.record_sale",
            {
                "sale_id": f"{flock_id}-sale",
                "flock_id": flock_id,
                "animals": alive,
                "units_milli": units_milli,
                "amount": amount,
            },
            f"sale-{flock_id}",
        )
        sale = receipt.events[0].data
        repaid = next(e.data for e in receipt.events if e.type == "lending.repaid")
        return {
            "amount": amount,
            "to_lender": sale["to_lender"],
            "to_farm": sale["to_farm"],
            "interest_paid": repaid["interest"],
            "principal_paid": repaid["principal"],
        }


def load(kernel: Kernel, ids: dict[str, Identity]) -> dict[str, Any]:
    """Run the story from the current business date; return its figures."""
    story = AgriStory(kernel, ids)
    story.set_up()
    story.start("flock-li-1")
    alive = story.grow("flock-li-1")
    sale = story.sell("flock-li-1", alive)
    story.start("flock-li-2")
    story.draw_stage("flock-li-2", 1)
    with kernel.engine.connect() as conn:
        template = views.get_template(conn, TEMPLATE)
        alerts = views.list_alerts(conn, flock_id="flock-li-1")
    comparison = interest_comparison(template, Decimal(RATE), BIRDS)
    return {
        "line": story.figures["line"],
        "alerts": [f"{a['severity']}: {a['reason']}" for a in alerts],
        "steps": story.log,
        "sale": sale,
        "interest_per_bird": comparison.to_json(),
        "interest_paid_fen_per_bird": str(
            (Decimal(sale["interest_paid"]) / BIRDS).quantize(Decimal("0.01"))
        ),
    }


def story(platform: Platform, ids: dict[str, Identity], day: date) -> list[str]:
    """The production-model farm loan (``demo_agri``); with the sale's proceeds Li also settles
    the loan of the lending story."""
    kernel = platform.kernel
    for party_id, ref in (("coop-minhou", "0002"), ("core-poultry", "0003")):
        key = f"deposit-{party_id}"
        kernel.submit(
            ids["operator"].sign(
                "accounts.transfer",
                {
                    "transfers": [
                        {
                            "id": f"demo-{key}",
                            "debit": "operator:bank_clearing:cny",
                            "credit": f"{party_id}:cash:cny",
                            "amount": 300_000_000,
                            "rail": "bank_transfer",
                            "external_ref": f"CNAPS-20260305-{ref}",
                        },
                        {"id": f"demo-{key}-ok", "post": f"demo-{key}"},
                    ]
                },
                day,
                f"demo-{key}",
            )
        )
    out = load(kernel, ids)
    with platform.engine.connect() as conn:
        today = clock.business_date(conn) or day
        quote = lending_views.settlement_quote(conn, "loan-li-flock-1", today)["total"]
    kernel.submit(
        ids["farmer-li"].sign(
            "lending.repay",
            {"loan_id": "loan-li-flock-1", "repayment_id": "from-flock-sale", "amount": quote},
            today,
            "demo-li-settles",
        )
    )
    cmp = out["interest_per_bird"]
    line = out["line"]
    sale = out["sale"]
    return [
        f"agri: coop-minhou line for 10,000 broilers: completion {line['completion_bp']} bp "
        f"(own {line['own_completed']}/{line['own_batches']}, peers "
        f"{line['peer_completed']}/{line['peer_batches']}) -> limit {line['limit']} fen",
        *[f"agri: {step}" for step in out["steps"]],
        *[f"agri: alert {alert}" for alert in out["alerts"]],
        f"agri: sale {sale['amount']} fen: {sale['to_lender']} to coop-minhou first "
        f"(principal {sale['principal_paid']}, interest {sale['interest_paid']}), "
        f"{sale['to_farm']} to farmer-li; second cycle flock-li-2 drew stage 1",
        f"agri: interest per bird at {cmp['annual_rate']}: staged "
        f"RMB {Decimal(cmp['staged_interest_fen_per_animal']) / 100:.4f} vs lump sum "
        f"RMB {Decimal(cmp['lump_sum_interest_fen_per_animal']) / 100:.4f} "
        f"(ratio {cmp['staged_over_lump_sum']}); charged on the record: "
        f"RMB {Decimal(out['interest_paid_fen_per_bird']) / 100:.4f} a bird",
        f"agri: trial balance zero: {all(t.balanced for t in _trial_balance(platform))}",
    ]


def _trial_balance(platform: Platform) -> list[Any]:
    with platform.engine.connect() as conn:
        return list(reports.trial_balance(conn))
