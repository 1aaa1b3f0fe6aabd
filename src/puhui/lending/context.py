"""The lending context's wiring into the kernel: commands, appliers, the close-of-day hook."""

from __future__ import annotations

from puhui.kernel.registry import CommandSpec, Registry
from puhui.lending import appliers as a
from puhui.lending import closeday, handlers, lines, servicing
from puhui.lending import commands as c

LENDERS = frozenset({"bank", "cooperative"})
OPERATORS = frozenset({"operator"})


def register_context(registry: Registry) -> None:
    specs = [
        CommandSpec(
            "lending.define_product",
            c.DefineProduct,
            handlers.define_product,
            LENDERS,
            summary="Define a loan product of the signing lender (opens its loan book)",
        ),
        CommandSpec(
            "lending.load_calendar",
            c.LoadCalendar,
            handlers.load_calendar,
            OPERATORS,
            summary="Load a holiday calendar's holidays and worked weekends for some years",
        ),
        CommandSpec("lending.apply", c.Apply, handlers.apply, summary="Apply for a loan"),
        CommandSpec(
            "lending.approve",
            c.Approve,
            handlers.approve,
            LENDERS,
            summary="Approve an application at a rate: the offer, with its APR",
        ),
        CommandSpec("lending.reject", c.Reject, handlers.reject, LENDERS, summary="Reject"),
        CommandSpec(
            "lending.sign_contract",
            c.SignContract,
            handlers.sign_contract,
            summary="Sign the approved contract (borrower and lender each sign)",
        ),
        CommandSpec(
            "lending.disburse",
            c.Disburse,
            handlers.disburse,
            LENDERS,
            summary="Pay a tranche to a payee named in the contract",
        ),
        CommandSpec("lending.repay", c.Repay, servicing.repay, summary="Repay (any payer)"),
        CommandSpec(
            "lending.close", c.CloseLoan, handlers.close, summary="Close a loan owing nothing"
        ),
        CommandSpec(
            "lending.write_off", c.WriteOff, servicing.write_off, LENDERS, summary="Write off"
        ),
        CommandSpec(
            "lending.recover",
            c.Recover,
            servicing.recover,
            summary="Record money recovered on a written-off loan",
        ),
        CommandSpec(
            "lending.restructure",
            c.Restructure,
            servicing.restructure,
            LENDERS,
            summary="Reschedule what a loan owes over new terms",
        ),
        CommandSpec(
            "lending.open_line",
            c.OpenLine,
            lines.open_line,
            LENDERS,
            summary="Offer a revolving credit line",
        ),
        CommandSpec("lending.accept_line", c.LineRef, lines.accept_line, summary="Accept a line"),
        CommandSpec("lending.freeze_line", c.LineRef, lines.freeze_line, LENDERS, summary="Freeze"),
        CommandSpec(
            "lending.unfreeze_line", c.LineRef, lines.unfreeze_line, LENDERS, summary="Unfreeze"
        ),
        CommandSpec("lending.close_line", c.LineRef, lines.close_line, summary="Close a line"),
        CommandSpec("lending.draw", c.Draw, lines.draw, summary="Draw on a credit line"),
    ]
    for spec in specs:
        registry.command(spec)
    registry.appliers_for(
        {
            "lending.product_defined": a.product_defined,
            "lending.calendar_loaded": a.calendar_loaded,
            "lending.applied": a.applied,
            "lending.approved": a.approved,
            "lending.rejected": a.rejected,
            "lending.signed": a.signed,
            "lending.contracted": a.contracted,
            "lending.disbursed": a.disbursed,
            "lending.schedule_set": a.schedule_set,
            "lending.repaid": a.repaid,
            "lending.closed": a.closed,
            "lending.written_off": a.written_off,
            "lending.recovered": a.recovered,
            "lending.restructured": a.restructured,
            "lending.day_accrued": a.day_accrued,
            "lending.line_opened": a.line_opened,
            "lending.line_status": a.line_status,
        }
    )
    registry.close_day_hook("lending.accrue_and_age", closeday.close_day)
