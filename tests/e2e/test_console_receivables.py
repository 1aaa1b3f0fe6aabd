"""Receivables in the console, in real Chromium against a real demo server on SQLite and
PostgreSQL: Cai Shirong splits her piece to her parts supplier and offers what she kept to a
bank; the cooperative bank prices and funds the maker's piece; the core enterprise sees its
payables by maturity and the penetration graph; the regulator sees concentration by core
enterprise. Each result is checked on the page and on the log; bad input first, in Chinese
and English, and nothing reaches the log until the input is valid."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from puhui.finance.rates import parse_rate
from puhui.finance.receivables import views as receivables
from puhui.finance.receivables.model import discount
from puhui.lending.daycount import DayCount
from tests.e2e.console_support import Served, browser, nav_pages, page, served, sign_in, yuan

__all__ = ["browser", "page", "served"]  # fixtures used by the tests below

pytestmark = pytest.mark.slow
PIECE = "rcv-bakery-0002.cai"  # Cai Shirong's RMB 200,000 of the demo's open receivable


def test_supplier_splits_a_piece_to_her_supplier_and_asks_a_bank(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "cai-shirong", with_key=True)
    assert nav_pages(page)[0] == "wallet"
    expect(page.locator("#total-held")).to_have_text("¥200,000.00")
    page.locator("#wallet a", has_text=PIECE).click()
    expect(page.locator("#trace-path tr")).to_have_count(3)  # header, the root, her piece
    expect(page.locator("#trace-path")).to_contain_text("oven-maker")
    before = served.log_size()

    page.fill("#amount", "250,000")
    page.click("#split")
    expect(page.locator("#to-error")).to_have_text("必填")
    expect(page.locator("#amount-error")).to_have_text("不能超过持有金额 ¥200,000.00")
    page.click("#lang")
    page.fill("#amount", "fifty thousand")
    page.click("#split")
    expect(page.locator("#amount-error")).to_have_text("Enter an amount, e.g. 1234.56")
    expect(page.locator("#to-error")).to_have_text("Required")
    assert served.log_size() == before

    page.select_option("#to", "parts-maker|ct-parts-2026")
    page.fill("#amount", "50,000.00")
    page.click("#split")
    expect(page.locator("#receipt-link")).to_be_visible()
    assert served.log_size() == before + 1
    command = served.last_command()
    assert (command["type"], command["actor"]) == ("receivable.transfer", "cai-shirong")
    payload = command["payload"]
    part = payload["parts"][0]
    assert (payload["piece_id"], part["to"], part["amount"], part["contract_id"]) == (
        PIECE,
        "parts-maker",
        5_000_000,
        "ct-parts-2026",
    )
    with served.platform.engine.connect() as conn:
        assert receivables.get_piece(conn, PIECE).status == "split"
        passed = receivables.trace(conn, part["piece_id"])
        kept = receivables.get_piece(conn, payload["remainder_piece_id"])
    assert passed.holders == ["oven-maker", "cai-shirong", "parts-maker"]
    assert (kept.holder, kept.amount) == ("cai-shirong", 15_000_000)

    # what she kept, offered to the cooperative bank with its price paid to her supplier
    page.click(f"a[href='#/piece/{kept.piece_id}']")
    expect(page.locator("#piece-amount")).to_have_text("¥150,000.00")
    page.click("#request-financing")
    expect(page.locator("#bank-error")).to_have_text("Required")
    assert served.log_size() == before + 1
    page.select_option("#bank", "coop-bank")
    page.select_option("#recourse", "no")
    page.select_option("#payee", "parts-maker")
    page.click("#request-financing")
    expect(page.locator("#financing-receipt")).to_be_visible()
    command = served.last_command()
    assert command["type"] == "receivable.request_financing"
    with served.platform.engine.connect() as conn:
        offered = receivables.get_financing(conn, command["payload"]["financing_id"])
    assert (offered.piece_id, offered.bank, offered.payee, offered.recourse, offered.face) == (
        kept.piece_id,
        "coop-bank",
        "parts-maker",
        False,
        15_000_000,
    )
    page.click("nav a[data-page=wallet]")
    expect(page.locator("#wallet")).to_contain_text("offered to coop-bank")
    expect(page.locator("#total-held")).to_have_text("¥150,000.00")

    # the bank declines it: a reason is required, and the decline is one signed command
    page.click("#signout")
    sign_in(page, served, "coop-bank", with_key=True)
    page.click("nav a[data-page=financings]")
    page.locator("#financing-requests a", has_text=offered.financing_id).click()
    asked = served.log_size()
    page.click("#decline")
    expect(page.locator("#decline-form #reason-error")).to_have_text("Required")
    assert served.log_size() == asked
    page.fill("#decline-form #reason", "the piece's maturity is past our limit")
    page.click("#decline")
    expect(page.locator("#decline-receipt")).to_be_visible()
    expect(page.locator("#financing-status")).to_have_text("declined")
    expect(page.locator("#fund")).to_be_disabled()
    command = served.last_command()
    assert (command["type"], command["actor"], command["payload"]) == (
        "receivable.decline_financing",
        "coop-bank",
        {"financing_id": offered.financing_id, "reason": "the piece's maturity is past our limit"},
    )
    with served.platform.engine.connect() as conn:
        assert receivables.get_financing(conn, offered.financing_id).status == "declined"


def test_bank_prices_and_funds_a_financing_request(page: Page, served: Served) -> None:
    sign_in(page, served, "coop-bank", with_key=True)
    page.click("nav a[data-page=financings]")
    page.locator("#financing-requests a", has_text="fin-oven-0002").click()
    expect(page.locator("#financing-status")).to_have_text("待定价")
    before = served.log_size()

    page.fill("#annual_rate", "4.2.1")
    page.click("#fund")
    expect(page.locator("#annual_rate-error")).to_have_text("请输入百分数，如 6.8")
    page.fill("#annual_rate", "0")
    page.click("#quote-button")
    expect(page.locator("#annual_rate-error")).to_have_text("利率须大于 0 且不超过 100%")
    assert served.log_size() == before

    page.fill("#annual_rate", "4.2")
    page.select_option("#day_count", "ACT/365F")
    page.fill("#note", "core enterprise paid its first receivable on time")
    page.click("#quote-button")
    with served.platform.engine.connect() as conn:
        f = receivables.get_financing(conn, "fin-oven-0002")
        maturity = receivables.get_receivable(conn, f.receivable_id).maturity_date
    today = served.today()
    cut = discount(f.face, parse_rate("0.042"), today, maturity, DayCount.ACT_365F)
    expect(page.locator("#quote-discount")).to_have_text(yuan(cut))
    expect(page.locator("#quote-price")).to_have_text(yuan(f.face - cut))
    assert served.log_size() == before  # a quote changes nothing

    page.click("#fund")
    expect(page.locator("#receipt-link")).to_be_visible()
    expect(page.locator("#financing-status")).to_have_text("已放款")
    assert served.log_size() == before + 1
    command = served.last_command()
    assert (command["type"], command["actor"], command["payload"]) == (
        "receivable.finance",
        "coop-bank",
        {
            "financing_id": "fin-oven-0002",
            "annual_rate": "0.042",
            "day_count": "ACT/365F",
            "note": "core enterprise paid its first receivable on time",
        },
    )
    with served.platform.engine.connect() as conn:
        funded = receivables.get_financing(conn, "fin-oven-0002")
        piece = receivables.get_piece(conn, funded.piece_id)
    assert (funded.status, funded.discount, funded.price) == ("funded", cut, f.face - cut)
    assert piece.holder == "coop-bank"
    page.click("#receipt-link")
    expect(page.locator("#entry-type")).to_have_text("receivable.finance")
    page.click("#verify-entry")
    expect(page.locator("#verify-result")).to_contain_text("已验证")

    page.click("nav a[data-page=financings]")
    row = page.locator("#financed tr", has_text="fin-oven-0002")
    expect(row).to_contain_text(yuan(f.face - cut))
    expect(row).to_contain_text("4.2%")


def test_core_enterprise_sees_payables_by_maturity_and_the_graph(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "bakery-core")
    assert nav_pages(page)[:2] == ["confirm", "issued"]
    page.click("nav a[data-page=issued]")
    with served.platform.engine.connect() as conn:
        payable = receivables.payables(conn, "bakery-core")
    expect(page.locator("#total-payable")).to_have_text(yuan(payable["total_outstanding"]))
    expect(page.locator("#payables-chart .bar")).to_have_count(len(payable["by_maturity"]))
    page.locator("#issued a", has_text="rcv-bakery-0001").click()
    expect(page.locator("#graph li")).to_have_count(5)
    expect(page.locator("#graph li[data-piece='rcv-bakery-0001.cai.parts']")).to_contain_text(
        "parts-maker"
    )


def test_regulator_sees_receivables_concentration_by_core_enterprise(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "regulator")
    with served.platform.engine.connect() as conn:
        groups = receivables.concentration(conn, "issuer")
        regions = receivables.concentration(conn, "region")
    row = page.locator("#rcv-concentration-issuer tr", has_text="bakery-core")
    expect(row).to_contain_text(yuan(groups[0]["outstanding"]))
    expect(row).to_contain_text("100.00%")
    region = regions[0]["key"]
    expect(page.locator("#rcv-concentration-region")).to_contain_text(region or "未登记地区")
