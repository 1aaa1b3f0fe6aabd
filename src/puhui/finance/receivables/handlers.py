"""Registration of the receivables context with the kernel: commands, appliers, the close-of-day
hook. The handlers live in one module per part of the story (issue, split, guarantees,
factoring, settlement)."""

from __future__ import annotations

from puhui.finance.receivables import commands as c
from puhui.finance.receivables import factoring, guarantees, issue, settlement, split
from puhui.kernel.registry import CommandSpec, Registry

CORE_ENTERPRISE = frozenset({"core_enterprise"})
GUARANTOR = frozenset({"guarantor"})
BANK = frozenset({"bank"})
OPERATOR = frozenset({"operator"})


def register_context(registry: Registry) -> None:
    specs = [
        CommandSpec(
            "receivable.issue",
            c.Issue,
            issue.issue,
            CORE_ENTERPRISE,
            summary="Confirm a receivable to a tier-1 supplier against its documents",
        ),
        CommandSpec(
            "receivable.accept", c.ReceivableRef, issue.accept, summary="The supplier accepts"
        ),
        CommandSpec(
            "receivable.reject",
            c.ReceivableRef,
            issue.reject,
            summary="The supplier rejects; the invoices are released",
        ),
        CommandSpec(
            "receivable.set_policy",
            c.SetPolicy,
            issue.set_policy,
            OPERATOR,
            summary="Set the longest maturity allowed at issue (months, at most 12)",
        ),
        CommandSpec(
            "receivable.transfer",
            c.Split,
            split.split,
            summary="Split a piece and pass parts to suppliers under confirmed contracts",
        ),
        CommandSpec(
            "receivable.offer_guarantee",
            c.OfferGuarantee,
            guarantees.offer,
            GUARANTOR,
            summary="Offer to guarantee a piece and its parts for a fee",
        ),
        CommandSpec(
            "receivable.accept_guarantee",
            c.AcceptGuarantee,
            guarantees.accept,
            summary="Accept a guarantee and pay its fee",
        ),
        CommandSpec(
            "receivable.request_financing",
            c.RequestFinancing,
            factoring.request,
            summary="Offer a piece to a bank for factoring, naming the payee",
        ),
        CommandSpec(
            "receivable.finance",
            c.Finance,
            factoring.finance,
            BANK,
            summary="Buy a piece at a discount and pay the payee",
        ),
        CommandSpec(
            "receivable.decline_financing",
            c.DeclineFinancing,
            factoring.decline,
            BANK,
            summary="Decline a financing request",
        ),
    ]
    for spec in specs:
        registry.command(spec)
    registry.appliers_for(
        {
            **issue.APPLIERS,
            **split.APPLIERS,
            **guarantees.APPLIERS,
            **factoring.APPLIERS,
            **settlement.APPLIERS,
        }
    )
    registry.close_day_hook("receivables.settle", settlement.close_day)
