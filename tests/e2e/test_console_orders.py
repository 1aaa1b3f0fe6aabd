"""Order financing in the console, in real Chromium against a real demo server on SQLite and
PostgreSQL: the equipment maker opens an order on its purchase order, asks a bank to finance
it with a plan naming its suppliers and draws a tranche; the bank reads the trade and funds
the order; the bakery chain countersigns, confirms the delivery and pays, seeing first how much
goes to the lender; the regulator follows the demo order's trail to its log entries, and a
party outside the trade sees nothing. Each action is a command signed in the browser, checked on
the page, on the log and in the projections; bad input first, and nothing reaches the log until
the input is valid. What an action needs beforehand (a registered purchase order, the other
parties' signatures) is signed with the demo parties' own keys through the kernel."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from puhui.client import Identity
from puhui.client_documents import sign_registration
from puhui.demo_orders import USCC
from puhui.documents import intake
from puhui.finance.orders import views as orders
from puhui.finance.orders.trade import payment_split
from puhui.kernel.service import utc_now
from puhui.lending import views as lending
from tests.e2e.console_support import Served, browser, nav_pages, page, served, sign_in, yuan

__all__ = ["browser", "page", "served"]  # fixtures used by the tests below

pytestmark = pytest.mark.slow
SELLER, BUYER, BANK = "oven-maker", "bakery-core", "city-bank"
PRODUCT = "order-90d"  # the demo's order-financing product of Fuzhou City Bank
_keys = itertools.count()


def _who(served: Served, party: str) -> Identity:
    return Identity.from_key_file(party, served.keys / f"{party}.key")


def _submit(served: Served, party: str, ctype: str, payload: dict[str, Any]) -> Any:
    signed = _who(served, party).sign(ctype, payload, served.today(), f"ui-orders-{next(_keys)}")
    return served.platform.kernel.submit(signed)


def _register(served: Served, doc_id: str, kind: str, body: dict[str, Any]) -> None:
    signed, package = sign_registration(
        _who(served, SELLER), doc_id, kind, body, served.today(), counterparty=BUYER
    )
    intake.register(
        served.platform.engine, served.platform.kernel.submit, signed, package, utc_now()
    )


def _purchase_order(served: Served, doc_id: str, amount: int) -> str:
    due = (served.today() + timedelta(days=30)).isoformat()
    body = {
        "order_no": doc_id.upper(),
        "buyer_uscc": USCC[BUYER],
        "seller_uscc": USCC[SELLER],
        "goods": "proving cabinets",
        "quantity": 2,
        "unit": "set",
        "amount": amount,
        "ordered_on": served.today().isoformat(),
        "delivery_due": due,
    }
    _register(served, doc_id, "purchase_order", body)
    return due


def _delivery_note(served: Served, doc_id: str, order_no: str) -> None:
    body = {
        "note_no": doc_id.upper(),
        "supplier_uscc": USCC[SELLER],
        "buyer_uscc": USCC[BUYER],
        "order_no": order_no,
        "goods": "proving cabinets",
        "quantity": 2,
        "unit": "set",
        "shipped_on": served.today().isoformat(),
    }
    _register(served, doc_id, "delivery_note", body)


def _open(served: Served, order_id: str, amount: int) -> str:
    due = _purchase_order(served, f"po-{order_id}", amount)
    terms = {"amount": amount, "delivery_due": due}
    _submit(
        served,
        SELLER,
        "order.open",
        {"order_id": order_id, "document_id": f"po-{order_id}"} | terms,
    )
    return due


def _request(served: Served, order_id: str, financing_id: str, plan: list[dict[str, Any]]) -> None:
    payload = {
        "financing_id": financing_id,
        "order_id": order_id,
        "bank": BANK,
        "product_id": PRODUCT,
        "amount": sum(line["amount"] for line in plan),
        "annual_rate_max": "0.05",
        "plan": plan,
    }
    _submit(served, SELLER, "order.request_financing", payload)


def _show(page: Page, route: str) -> None:
    """Go to a route without reloading the page (the browser-held key stays in memory)."""
    page.evaluate("location.hash = '#/log'")
    page.evaluate(f"location.hash = '#/{route}'")


def test_seller_opens_an_order_asks_a_bank_and_draws_to_a_supplier(
    page: Page, served: Served
) -> None:
    due = _purchase_order(served, "po-ui-seller", 10_000_000)
    sign_in(page, served, SELLER, with_key=True)
    assert nav_pages(page)[:2] == ["wallet", "orders"]
    page.click("nav a[data-page=orders]")
    before = served.log_size()

    page.fill("#delivery_due", "2020-01-01")
    page.click("#open-order")
    expect(page.locator("#document_id-error")).to_have_text("必填")
    expect(page.locator("#amount-error")).to_have_text("必填")
    expect(page.locator("#delivery_due-error")).to_contain_text("不能早于营业日")
    page.fill("#amount", "one hundred thousand")
    page.fill("#delivery_due", "30/04/2026")
    page.click("#open-order")
    expect(page.locator("#amount-error")).to_have_text("请输入金额，如 1234.56")
    expect(page.locator("#delivery_due-error")).to_have_text("请输入日期（YYYY-MM-DD）")
    assert served.log_size() == before

    page.select_option("#document_id", "po-ui-seller")
    page.fill("#amount", "100,000")
    page.fill("#delivery_due", due)
    page.click("#open-order")
    expect(page.locator("#receipt-link")).to_be_visible()
    assert served.log_size() == before + 1
    command = served.last_command()
    order_id = command["payload"]["order_id"]
    assert (command["type"], command["actor"], command["payload"]) == (
        "order.open",
        SELLER,
        {
            "order_id": order_id,
            "document_id": "po-ui-seller",
            "amount": 10_000_000,
            "delivery_due": due,
        },
    )
    _submit(
        served,
        BUYER,
        "order.confirm",
        {"order_id": order_id, "amount": 10_000_000, "delivery_due": due},
    )

    # the buyer countersigned: ask the city bank for 70%, paid to two of the maker's suppliers
    _show(page, f"order/{order_id}")
    expect(page.locator("#order-status")).to_have_text("双方已签")
    page.click("#lang")
    before = served.log_size()
    page.click("#request-financing")
    expect(page.locator("#bank-error")).to_have_text("Required")
    expect(page.locator("#plan-error")).to_have_text("Name at least one supplier and amount")
    page.select_option("#bank", BANK)
    expect(page.locator(f"#product_id option[value='{PRODUCT}']")).to_have_count(1)
    page.select_option("#product_id", PRODUCT)
    page.fill("#annual_rate_max", "5")
    page.select_option("#plan_supplier_0", "cai-shirong")
    page.fill("#plan_amount_0", "50,000")
    page.select_option("#plan_supplier_1", "cai-shirong")
    page.fill("#plan_amount_1", "30,000")
    page.click("#request-financing")
    expect(page.locator("#plan_supplier_1-error")).to_have_text("A supplier may appear once")
    page.select_option("#plan_supplier_1", "parts-maker")
    page.click("#request-financing")
    expect(page.locator("#plan-error")).to_have_text(
        "The total may not exceed 70% of the order (¥70,000.00)"
    )
    assert served.log_size() == before

    page.fill("#plan_amount_1", "20,000")
    expect(page.locator("#plan-total")).to_have_text("¥70,000.00")
    page.click("#request-financing")
    expect(page.locator("#request-receipt")).to_be_visible()
    assert served.log_size() == before + 1
    command = served.last_command()
    payload = command["payload"]
    assert (command["type"], command["actor"]) == ("order.request_financing", SELLER)
    assert (
        payload["bank"],
        payload["product_id"],
        payload["amount"],
        payload["annual_rate_max"],
    ) == (
        BANK,
        PRODUCT,
        7_000_000,
        "0.05",
    )
    assert payload["plan"] == [
        {"supplier": "cai-shirong", "amount": 5_000_000},
        {"supplier": "parts-maker", "amount": 2_000_000},
    ]
    with served.platform.engine.connect() as conn:
        asked = orders.get_financing(conn, payload["financing_id"])
    assert (asked.status, asked.order_id, asked.bank) == ("requested", order_id, BANK)

    # the bank funds it; the maker pays Cai Shirong's shop from the loan
    _submit(
        served, BANK, "order.finance", {"financing_id": asked.financing_id, "annual_rate": "0.045"}
    )
    _show(page, f"order/{order_id}")
    expect(page.locator("#plan-left")).to_contain_text("cai-shirong")
    before = served.log_size()
    page.select_option("#supplier", "cai-shirong")
    page.fill("#draw_amount", "60,000")
    page.click("#draw")
    expect(page.locator("#draw_amount-error")).to_have_text(
        "Cannot exceed the ¥50,000.00 the plan still leaves for cai-shirong"
    )
    assert served.log_size() == before
    page.fill("#draw_amount", "50,000")
    page.click("#draw")
    expect(page.locator("#draw-receipt")).to_be_visible()
    command = served.last_command()
    assert (command["type"], command["payload"]["supplier"], command["payload"]["amount"]) == (
        "order.draw",
        "cai-shirong",
        5_000_000,
    )
    with served.platform.engine.connect() as conn:
        assert orders.drawn_by_supplier(conn, asked.financing_id) == {"cai-shirong": 5_000_000}
        assert lending.get_loan(conn, asked.financing_id).status == "active"


def test_bank_reads_the_trade_and_funds_an_order(page: Page, served: Served) -> None:
    due = _open(served, "o-ui-bank", 8_000_000)
    _submit(
        served,
        BUYER,
        "order.confirm",
        {"order_id": "o-ui-bank", "amount": 8_000_000, "delivery_due": due},
    )
    _request(served, "o-ui-bank", "of-ui-bank", [{"supplier": "parts-maker", "amount": 5_000_000}])

    sign_in(page, served, BANK, with_key=True)
    assert "order-desk" in nav_pages(page)
    page.click("nav a[data-page=order-desk]")
    page.locator("#order-requests a", has_text="o-ui-bank").click()
    expect(page.locator("#request-status")).to_have_text("待审批")
    expect(page.locator("#request-plan")).to_contain_text("parts-maker")
    with served.platform.engine.connect() as conn:
        trail = orders.trail(conn, "o-ui-bank", bank=BANK)
    buyer_seq = trail["signatures"]["buyer"]["seq"]
    expect(page.locator(f"#trade-check a[href='#/entry/{buyer_seq}']")).to_have_count(2)
    before = served.log_size()

    page.fill("#annual_rate", "6")
    page.click("#finance-order")
    expect(page.locator("#annual_rate-error")).to_have_text("不能高于申请人可接受的最高利率 5%")
    page.fill("#annual_rate", "four")
    page.click("#finance-order")
    expect(page.locator("#annual_rate-error")).to_have_text("请输入百分数，如 6.8")
    page.fill("#annual_rate", "4.5")
    page.fill("#note", "x" * 501)
    page.click("#finance-order")
    expect(page.locator("#note-error")).to_have_text("最多 500 个字符")
    assert served.log_size() == before

    page.fill("#note", "purchase order signed by both, checked on the log")
    page.click("#finance-order")
    expect(page.locator("#finance-receipt")).to_be_visible()
    expect(page.locator("#request-status")).to_have_text("已放款")
    assert served.log_size() == before + 1
    command = served.last_command()
    assert (command["type"], command["actor"], command["payload"]) == (
        "order.finance",
        BANK,
        {
            "financing_id": "of-ui-bank",
            "annual_rate": "0.045",
            "note": "purchase order signed by both, checked on the log",
        },
    )
    with served.platform.engine.connect() as conn:
        funded = orders.get_financing(conn, "of-ui-bank")
        loan = lending.get_loan(conn, "of-ui-bank")
    assert (funded.status, funded.annual_rate, funded.lien_id) == ("funded", "0.045", "of-ui-bank")
    assert (loan.status, loan.amount_approved, loan.lender_id) == ("contracted", 5_000_000, BANK)
    page.click("#finance-receipt")
    expect(page.locator("#entry-type")).to_have_text("order.finance")
    page.click("#verify-entry")
    expect(page.locator("#verify-result")).to_contain_text("已验证")

    page.click("nav a[data-page=order-desk]")
    row = page.locator("#orders-financed tr", has_text="o-ui-bank")
    expect(row).to_contain_text("4.5%")
    expect(row).to_contain_text("已放款")


def test_bank_declines_an_order_request_with_a_reason(page: Page, served: Served) -> None:
    due = _open(served, "o-ui-decline", 6_000_000)
    _submit(
        served,
        BUYER,
        "order.confirm",
        {"order_id": "o-ui-decline", "amount": 6_000_000, "delivery_due": due},
    )
    _request(
        served, "o-ui-decline", "of-ui-decline", [{"supplier": "parts-maker", "amount": 4_000_000}]
    )
    sign_in(page, served, BANK, with_key=True)
    page.click("nav a[data-page=order-desk]")
    page.locator("#order-requests a", has_text="o-ui-decline").click()
    before = served.log_size()
    page.click("#decline-order")  # no reason given: refused beside the field, nothing signed
    expect(page.locator("#order-decline-form #reason-error")).to_have_text("必填")
    page.fill("#order-decline-form #reason", "x" * 501)
    page.click("#decline-order")
    expect(page.locator("#order-decline-form #reason-error")).to_have_text("最多 500 个字符")
    assert served.log_size() == before

    page.fill("#order-decline-form #reason", "the buyer's record is too short")
    page.click("#decline-order")
    expect(page.locator("#decline-receipt")).to_be_visible()
    expect(page.locator("#request-status")).to_have_text("已拒绝")
    expect(page.locator("#finance-order")).to_be_disabled()
    assert served.log_size() == before + 1
    command = served.last_command()
    assert (command["type"], command["actor"], command["payload"]) == (
        "order.decline_financing",
        BANK,
        {"financing_id": "of-ui-decline", "reason": "the buyer's record is too short"},
    )
    with served.platform.engine.connect() as conn:
        assert orders.get_financing(conn, "of-ui-decline").status == "declined"


def test_buyer_countersigns_confirms_the_delivery_and_pays_the_lender_first(
    page: Page, served: Served
) -> None:
    amount = 5_000_000
    due = _open(served, "o-ui-buyer", amount)
    sign_in(page, served, BUYER, with_key=True)
    page.click("nav a[data-page=orders]")
    page.locator("#orders-to-confirm a", has_text="o-ui-buyer").click()
    expect(page.locator("#order-status")).to_have_text("待买方会签")
    expect(page.locator("#confirm_amount")).to_have_value("50,000.00")
    before = served.log_size()
    page.fill("#confirm_amount", "49,999")
    page.fill("#confirm_due", "")
    page.click("#countersign")
    expect(page.locator("#confirm_amount-error")).to_have_text("与订单不符（订单为 ¥50,000.00）")
    expect(page.locator("#confirm_due-error")).to_have_text("必填")
    assert served.log_size() == before
    page.fill("#confirm_amount", "50,000.00")
    page.fill("#confirm_due", due)
    page.click("#countersign")
    expect(page.locator("#countersign-receipt")).to_be_visible()
    expect(page.locator("#order-status")).to_have_text("双方已签")
    command = served.last_command()
    assert (command["type"], command["actor"], command["payload"]) == (
        "order.confirm",
        BUYER,
        {"order_id": "o-ui-buyer", "amount": amount, "delivery_due": due},
    )

    # financed and drawn; days pass; the goods arrive
    plan = [
        {"supplier": "cai-shirong", "amount": 2_000_000},
        {"supplier": "parts-maker", "amount": 1_500_000},
    ]
    _request(served, "o-ui-buyer", "of-ui-buyer", plan)
    _submit(served, BANK, "order.finance", {"financing_id": "of-ui-buyer", "annual_rate": "0.045"})
    for line in plan:
        draw = {"order_id": "o-ui-buyer", "tranche_id": f"t-{line['supplier']}"} | line
        _submit(served, SELLER, "order.draw", draw)
    for _ in range(3):
        _submit(served, "operator", "clock.close_day", {"date": served.today().isoformat()})
    _delivery_note(served, "dn-ui-buyer", "PO-O-UI-BUYER")

    page.evaluate("sessionStorage.clear()")  # a new session, on the new business date
    sign_in(page, served, BUYER, with_key=True)
    _show(page, "order/o-ui-buyer")
    expect(page.locator("#deliveries")).to_contain_text("dn-ui-buyer")
    before = served.log_size()
    page.click("#pay")
    expect(page.locator("#delivery_ids-error")).to_have_text("请选择已确认的送货单")
    expect(page.locator("#delivery_ids input[value='dn-ui-buyer']")).to_have_count(0)
    expect(page.locator("#delivery_ids input[value='dn-oven-0003']")).to_have_count(0)  # paid for
    assert served.log_size() == before
    page.click("button.confirm-delivery[data-document='dn-ui-buyer']")
    expect(page.locator("#deliveries .receipt-link")).to_be_visible()
    command = served.last_command()
    assert (command["type"], command["payload"]) == (
        "document.confirm",
        {"document_id": "dn-ui-buyer"},
    )

    _show(page, "order/o-ui-buyer")
    with served.platform.engine.connect() as conn:
        split = payment_split(conn, orders.get_order(conn, "o-ui-buyer"))
        owed = lending.settlement_quote(conn, "of-ui-buyer", served.today())["total"]
    assert split["to_lender"] == owed > 3_500_000  # principal and the interest of three days
    expect(page.locator("#quote-lender")).to_have_text(yuan(owed))
    expect(page.locator("#quote-seller")).to_have_text(yuan(amount - owed))
    before = served.log_size()
    page.check("#delivery_ids input[value='dn-ui-buyer']")
    page.click("#pay")
    expect(page.locator("#pay-receipt")).to_be_visible()
    expect(page.locator("#order-status")).to_have_text("已付款")
    assert served.log_size() == before + 1
    command = served.last_command()
    assert (command["type"], command["actor"]) == ("order.pay", BUYER)
    assert (command["payload"]["amount"], command["payload"]["delivery_ids"]) == (
        amount,
        ["dn-ui-buyer"],
    )
    with served.platform.engine.connect() as conn:
        paid = orders.get_order(conn, "o-ui-buyer")
        settled = orders.get_financing(conn, "of-ui-buyer")
    assert (paid.status, paid.to_lender, paid.to_seller) == ("paid", owed, amount - owed)
    assert settled.status == "settled"

    page.click("#trail-link")
    expect(page.locator("#trail-to-lender")).to_have_text(yuan(owed))
    expect(page.locator("#trail-to-seller")).to_have_text(yuan(amount - owed))


def test_regulator_follows_the_demo_order_trail_to_the_log(page: Page, served: Served) -> None:
    sign_in(page, served, "regulator")
    page.click("nav a[data-page=orders]")
    page.locator("#orders a", has_text="order-oven-0003").click()
    page.click("#trail-link")
    with served.platform.engine.connect() as conn:
        order = orders.get_order(conn, "order-oven-0003")
    assert order.to_lender is not None and order.paid_seq is not None
    expect(page.locator("#trail-to-lender")).to_have_text(yuan(order.to_lender))
    expect(page.locator("#trail-documents tr")).to_have_count(4)  # header, PO, delivery, invoice
    draws = page.locator(".trail-draws tr")
    expect(draws).to_have_count(3)  # header and the two tranches
    expect(page.locator(".trail-financing")).to_contain_text("parts-maker")
    page.locator(f"#trail a[href='#/entry/{order.paid_seq}']").click()
    expect(page.locator("#entry-type")).to_have_text("order.pay")
    page.click("#verify-entry")
    expect(page.locator("#verify-result")).to_contain_text("已验证")


def test_a_party_outside_the_trade_does_not_see_its_trail(page: Page, served: Served) -> None:
    sign_in(page, served, "cai-shirong")
    page.evaluate("location.hash = '#/order-trail/order-oven-0003'")
    expect(page.locator("#page-error")).to_contain_text("no order 'order-oven-0003' visible")
    expect(page.locator("#trail")).to_have_count(0)
