"""The agri context's wiring into the kernel: commands, appliers, the close-of-day hook."""

from __future__ import annotations

from puhui.finance.agri import appliers as a
from puhui.finance.agri import closeday, cycles, handlers
from puhui.finance.agri import commands as c
from puhui.kernel.registry import CommandSpec, Registry

LENDERS = handlers.LENDER_ROLES
TEMPLATE_AUTHORS = frozenset({"operator", *LENDERS})
FARMERS = frozenset({"farmer"})


def register_context(registry: Registry) -> None:
    specs = [
        CommandSpec(
            "agri.register_template",
            c.RegisterTemplate,
            handlers.register_template,
            TEMPLATE_AUTHORS,
            summary="Register a production template (species, cycle, feed, weight, prices)",
        ),
        CommandSpec(
            "agri.fit_template",
            c.FitTemplate,
            handlers.fit_template,
            summary="Register a farm's own template fitted to its completed batches",
        ),
        CommandSpec(
            "agri.record_batch",
            c.RecordBatch,
            handlers.record_batch,
            FARMERS,
            summary="Record one of the farm's past batches",
        ),
        CommandSpec(
            "agri.open_line",
            c.OpenLine,
            handlers.open_line,
            LENDERS,
            summary="Approve a production line of credit sized by the production model",
        ),
        CommandSpec("agri.accept_line", c.LineRef, handlers.accept_line, summary="Accept a line"),
        CommandSpec("agri.close_line", c.LineRef, handlers.close_line, summary="Close a line"),
        CommandSpec(
            "agri.start_cycle",
            c.StartCycle,
            cycles.start_cycle,
            FARMERS,
            summary="Place a flock (monitored; financed stage by stage when on a line)",
        ),
        CommandSpec(
            "agri.order_feed",
            c.OrderFeed,
            cycles.order_feed,
            FARMERS,
            summary="Order a stage's feed from the plan's supplier",
        ),
        CommandSpec(
            "agri.confirm_feed_order",
            c.ConfirmOrder,
            cycles.confirm_order,
            summary="The supplier confirms a feed order: the loan pays the stage to it",
        ),
        CommandSpec(
            "agri.record_readings",
            c.RecordReadings,
            cycles.record_readings,
            FARMERS,
            summary="Record a day's readings of the farm's devices, summarised per flock",
        ),
        CommandSpec(
            "agri.review_alert",
            c.ReviewAlert,
            cycles.review_alert,
            summary="The lender reviews an alert (release unfreezes the flock)",
        ),
        CommandSpec(
            "agri.record_sale",
            c.RecordSale,
            cycles.record_sale,
            summary="The buyer pays for the flock: the lender first, the rest to the farm",
        ),
    ]
    for spec in specs:
        registry.command(spec)
    registry.appliers_for(
        {
            "agri.template_registered": a.template_registered,
            "agri.batch_recorded": a.batch_recorded,
            "agri.line_opened": a.line_opened,
            "agri.line_status": a.line_status,
            "agri.cycle_started": a.cycle_started,
            "agri.feed_ordered": a.feed_ordered,
            "agri.feed_order_confirmed": a.feed_order_confirmed,
            "agri.readings_recorded": a.readings_recorded,
            "agri.flocks_monitored": a.flocks_monitored,
            "agri.alert_reviewed": a.alert_reviewed,
            "agri.sale_recorded": a.sale_recorded,
        }
    )
    registry.close_day_hook("agri.monitor", closeday.close_day)
