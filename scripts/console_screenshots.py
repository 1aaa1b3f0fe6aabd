"""Screenshots of the console's main screens, on a phone-sized screen, in Debian's Chromium.

    .venv/bin/python scripts/console_screenshots.py [--out docs/screenshots] [--url URL --demo DIR]

Without ``--url`` it loads the demo into a fresh SQLite file in a temporary directory and serves
it (``puhui db upgrade``, ``puhui demo``, ``puhui serve``) for the time of the run, then signs —
through the SDK, with the demo parties' keys — four more trade orders at the steps the order
screens act on (one to countersign, one asking the bank, one to pay, one to finance); a server
given with ``--url`` is not written to and the order action screens are left out. Fails if a
page reports a JavaScript error."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Error, Page, ViewportSize, expect, sync_playwright

from puhui.client import Client, Identity
from puhui.client_orders import plan_line
from puhui.demo_orders import USCC

PHONE: ViewportSize = {"width": 390, "height": 844}
SERVER_START_S_MAX = 30
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
PUHUI = Path(sys.executable).with_name("puhui")


@contextmanager
def demo_server() -> Iterator[tuple[str, Path]]:
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"PUHUI_DATABASE_URL": f"sqlite:///{tmp}/puhui.db"}
        subprocess.run([PUHUI, "db", "upgrade"], env=env, check=True, capture_output=True)
        demo = Path(tmp) / "demo"
        subprocess.run(
            [PUHUI, "demo", "--directory", str(demo)], env=env, check=True, capture_output=True
        )
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server_log = (Path(tmp) / "serve.log").open("w")
        server = subprocess.Popen(
            [PUHUI, "serve", "--port", str(port)], env=env, stdout=server_log, stderr=server_log
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + SERVER_START_S_MAX
            while True:
                try:
                    httpx.get(url + "/api/v1/clock").raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        log = (Path(tmp) / "serve.log").read_text()
                        raise SystemExit(f"the server did not start:\n{log}") from None
                    time.sleep(0.2)
            yield url, demo
        finally:
            server.terminate()
            server.wait(timeout=SERVER_START_S_MAX)
            server_log.close()


def _order(maker: Client, core: Client, order_id: str, amount: int, confirm: bool) -> None:
    """A purchase order of the maker to the bakery chain, opened as a trade order (and
    countersigned by the buyer if ``confirm``)."""
    due = maker.business_date() + timedelta(days=60)
    body = {
        "order_no": order_id.upper(),
        "buyer_uscc": USCC["bakery-core"],
        "seller_uscc": USCC["oven-maker"],
        "goods": "proving cabinets",
        "quantity": 4,
        "unit": "set",
        "amount": amount,
        "ordered_on": maker.business_date().isoformat(),
        "delivery_due": due.isoformat(),
    }
    maker.documents.register(f"po-{order_id}", "purchase_order", body, counterparty="bakery-core")
    maker.orders.open(order_id, document_id=f"po-{order_id}", amount=amount, delivery_due=due)
    if confirm:
        core.orders.confirm(order_id, amount=amount, delivery_due=due)


def prepare_orders(url: str, demo: Path) -> None:
    """The order screens' states: o-shot-a waits for the buyer, o-shot-b asks the city bank,
    o-shot-c is financed, drawn and delivered (to pay), o-shot-d is signed by both."""
    tokens = json.loads((demo / "tokens.json").read_text())

    def client(party: str) -> Client:
        ident = Identity.from_key_file(party, demo / "keys" / f"{party}.key")
        return Client(url, ident, token=tokens[party])

    maker, core, bank, operator = (
        client(p) for p in ("oven-maker", "bakery-core", "city-bank", "operator")
    )
    plan = [plan_line("cai-shirong", 3_000_000), plan_line("parts-maker", 2_600_000)]
    ask: dict[str, Any] = {"bank": "city-bank", "product_id": "order-90d", "plan": plan}
    _order(maker, core, "o-shot-a", 12_000_000, confirm=False)
    _order(maker, core, "o-shot-b", 8_000_000, confirm=True)
    maker.orders.request_financing("of-shot-b", "o-shot-b", annual_rate_max="0.05", **ask)
    _order(maker, core, "o-shot-c", 8_000_000, confirm=True)
    maker.orders.request_financing("of-shot-c", "o-shot-c", annual_rate_max="0.05", **ask)
    bank.orders.finance("of-shot-c", "0.0435")
    for line in plan:
        maker.orders.draw("o-shot-c", f"t-{line['supplier']}", **line)
    operator.submit("clock.close_day", {"date": operator.business_date().isoformat()})
    note = {
        "note_no": "DN-O-SHOT-C",
        "supplier_uscc": USCC["oven-maker"],
        "buyer_uscc": USCC["bakery-core"],
        "order_no": "O-SHOT-C",
        "goods": "proving cabinets",
        "quantity": 4,
        "unit": "set",
        "shipped_on": operator.business_date().isoformat(),
    }
    maker.documents.register("dn-o-shot-c", "delivery_note", note, counterparty="bakery-core")
    core.documents.confirm("dn-o-shot-c")
    _order(maker, core, "o-shot-d", 6_000_000, confirm=True)
    for c in (maker, core, bank, operator):
        c.close()


def sign_in(page: Page, url: str, token: str, lang: str) -> None:
    page.goto(url + "/")
    page.evaluate(f"localStorage.setItem('puhui.lang', '{lang}')")
    page.reload()
    page.fill("#token", token)
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#who")).not_to_be_empty()


Shot = tuple[str, str, str, str, Callable[[Page], None]]


def loaded(selector: str) -> Callable[[Page], None]:
    return lambda page: expect(page.locator(selector).first).to_be_visible()


def order_shots() -> list[Shot]:
    """The order action screens, on the states ``prepare_orders`` signs."""

    def plan(page: Page) -> None:
        page.select_option("#bank", "city-bank")
        expect(page.locator("#product_id option[value='order-90d']")).to_have_count(1)
        page.select_option("#product_id", "order-90d")
        page.fill("#annual_rate_max", "5")
        page.select_option("#plan_supplier_0", "cai-shirong")
        page.fill("#plan_amount_0", "25,000")
        page.select_option("#plan_supplier_1", "parts-maker")
        page.fill("#plan_amount_1", "17,000")

    def pay(page: Page) -> None:
        page.check("#delivery_ids input[value='dn-o-shot-c']")

    return [
        ("seller-request", "oven-maker", "zh-CN", "#/order/o-shot-d", plan),
        (
            "buyer-countersign",
            "bakery-core",
            "zh-CN",
            "#/order/o-shot-a",
            loaded("#confirm-order-form"),
        ),
        ("buyer-pay", "bakery-core", "zh-CN", "#/order/o-shot-c", pay),
        ("bank-order-desk", "city-bank", "en", "#/order-desk", loaded("#order-requests")),
        ("bank-order-finance", "city-bank", "zh-CN", "#/order/o-shot-b", loaded("#trade-check")),
    ]


def shots() -> list[Shot]:
    """(file name, party, language, route, then-do) for each screen of the demo as loaded."""

    def offer(page: Page) -> None:
        page.click("#calculate")
        expect(page.locator("#offer-apr")).not_to_be_empty()

    def verify(page: Page) -> None:
        page.fill("#seq", "65")
        page.click("#verify-form button[type=submit]")
        expect(page.locator("#verify-result")).not_to_be_empty()

    def quote(page: Page) -> None:
        page.fill("#annual_rate", "4.2")
        page.click("#quote-button")
        expect(page.locator("#quote-price")).not_to_be_empty()

    return [
        ("signin", "", "zh-CN", "/", loaded("#signin-form")),
        ("bank-applications", "coop-bank", "zh-CN", "#/applications", loaded("#applications")),
        ("bank-approve", "coop-bank", "zh-CN", "#/application/loan-feed-wc-1", offer),
        ("bank-portfolio", "coop-bank", "en", "#/portfolio", loaded("#history-chart")),
        ("bank-decision", "coop-bank", "zh-CN", "#/decision/dec-coop-0001", loaded("#reproduced")),
        ("bank-alerts", "coop-minhou", "zh-CN", "#/alerts", loaded("#open-alerts")),
        ("bank-financings", "coop-bank", "en", "#/financings", loaded("#financing-requests")),
        ("bank-financing", "coop-bank", "zh-CN", "#/financing/fin-oven-0002", quote),
        (
            "regulator-supervision",
            "regulator",
            "zh-CN",
            "#/supervision",
            loaded("#concentration-lender"),
        ),
        (
            "regulator-trace",
            "regulator",
            "en",
            "#/trace?loan=loan-li-flock-1",
            loaded("#trace-payees"),
        ),
        ("regulator-checkpoint", "regulator", "en", "#/checkpoint", loaded("#witnesses")),
        ("regulator-verify", "regulator", "zh-CN", "#/verify", verify),
        ("farmer-loan", "farmer-li", "zh-CN", "#/my-loan", loaded("#stages")),
        ("farmer-flock", "farmer-li", "zh-CN", "#/flock", loaded(".alerts")),
        ("supplier-wallet", "cai-shirong", "zh-CN", "#/wallet", loaded("#wallet")),
        (
            "supplier-split",
            "cai-shirong",
            "zh-CN",
            "#/piece/rcv-bakery-0002.cai",
            loaded("#split-form"),
        ),
        ("supplier-documents", "feed-supplier", "zh-CN", "#/documents", loaded("#grant-form")),
        ("supplier-received", "feed-supplier", "en", "#/received", loaded("#received")),
        ("core-confirm", "core-poultry", "zh-CN", "#/confirm", loaded("#to-confirm")),
        ("core-payables", "bakery-core", "zh-CN", "#/issued", loaded("#payables-chart")),
        ("core-graph", "bakery-core", "en", "#/graph/rcv-bakery-0001", loaded("#graph li")),
        (
            "regulator-order-trail",
            "regulator",
            "en",
            "#/order-trail/order-oven-0003",
            loaded("#trail"),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--url", help="a running server holding the demo (with --demo)")
    parser.add_argument("--demo", type=Path, help="the demo directory of that server")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is not installed (make browser)")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    if not fonts.strip():
        raise SystemExit("no Chinese font: apt-get install fonts-wqy-microhei (make screenshots)")
    args.out.mkdir(parents=True, exist_ok=True)
    own = args.url is None
    with demo_server() if own else _given(args.url, args.demo) as (url, demo):
        tokens = json.loads((demo / "tokens.json").read_text())
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for shot in shots():
                shoot(browser, url, tokens, args.out, shot)
            if own:  # after the demo's own screens, which keep the demo's business date
                prepare_orders(url, demo)
                for shot in order_shots():
                    shoot(browser, url, tokens, args.out, shot)
            browser.close()


def shoot(browser: Browser, url: str, tokens: dict[str, str], out: Path, shot: Shot) -> None:
    name, party, lang, route, then = shot
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []

    def failed(exc: Error) -> None:
        errors.append(str(exc))

    page.on("pageerror", failed)
    if party:
        sign_in(page, url, tokens[party], lang)
    else:
        page.goto(url + "/")
    page.goto(url + "/" + route.lstrip("/"))
    then(page)
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    context.close()
    if errors:
        raise SystemExit(f"{name}: the page reported errors: {errors}")
    print(f"{out / name}.png")


@contextmanager
def _given(url: str, demo: Path | None) -> Iterator[tuple[str, Path]]:
    if demo is None:
        raise SystemExit("--url needs --demo (the directory holding tokens.json)")
    yield url, demo


if __name__ == "__main__":
    main()
