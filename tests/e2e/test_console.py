"""The console in real Chromium (Debian's package, driven by Playwright) against a real server
holding the demo, on SQLite and PostgreSQL: sign in, verify a log entry's inclusion proof in the
browser, catch a tampered entry, and grant access to a document through a form that refuses bad
input beside the field and submits nothing half-done."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from puhui.bootstrap import Platform
from puhui.demo import load_demo
from puhui.kernel import log
from tests.live import serve

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.slow


@dataclass
class Served:
    url: str
    platform: Platform
    tokens: dict[str, str]
    keys: Path

    def log_size(self) -> int:
        with self.platform.engine.connect() as conn:
            return log.tree_head(conn).size


@pytest.fixture
def served(platform: Platform, tmp_path: Path) -> Iterator[Served]:
    demo = load_demo(platform, tmp_path / "demo")
    with serve(platform) as url:
        yield Served(url, platform, demo["tokens"], Path(demo["keys"]))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is not installed (make test installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone's screen
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )  # a refused command's 4xx is expected; the page shows it beside the form
    yield pg
    assert not errors, f"the page reported errors: {errors}"
    context.close()


def sign_in(page: Page, served: Served, party: str, *, with_key: bool = False) -> None:
    page.goto(served.url + "/")
    page.fill("#token", served.tokens[party])
    if with_key:
        page.set_input_files("#keyfile", str(served.keys / f"{party}.key"))
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#who")).to_contain_text(party)


def test_regulator_verifies_an_entry_in_the_browser_and_catches_tampering(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "regulator")
    expect(page.locator("#log-size")).to_have_text(str(served.log_size()))
    page.click("#lang")
    expect(page.locator("nav")).to_contain_text("Overview")
    page.goto(served.url + "/#/entry/3")
    page.click("#verify-entry")
    expect(page.locator("#verify-result")).to_contain_text("Verified")

    def tamper(route: Route) -> None:
        body: dict[str, Any] = json.loads(route.fetch().text())
        body["entry"]["command"]["payload"]["name"] = "Someone else"
        route.fulfill(json=body)

    page.route("**/api/v1/entries/4*", tamper)
    page.goto(served.url + "/#/entry/4")
    page.click("#verify-entry")
    expect(page.locator("#verify-result")).to_contain_text("does not match its leaf hash")


def test_supplier_grants_access_through_the_form_signed_in_the_browser(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "feed-supplier", with_key=True)
    page.goto(served.url + "/#/documents")
    expect(page.locator("#grant-form")).to_be_visible()
    expect(page.locator("table").last).to_contain_text("city-bank")  # the refused read
    before = served.log_size()

    page.fill("#grant_id", "grant from browser")
    page.fill("#valid_until", "2020-01-01")
    page.click("#grant-form button[type=submit]")
    expect(page.locator("#grant_id-error")).to_have_text("只能使用字母、数字、点、横线和下划线")
    expect(page.locator("#grantee-error")).to_have_text("必填")
    expect(page.locator("#valid_until-error")).to_have_text("日期须晚于营业日")
    expect(page.locator("#document_id-error")).to_have_text("请填写单证编号或种类之一")
    assert served.log_size() == before

    page.fill("#grant_id", "g-browser-1")
    page.fill("#grantee", "nobody-such")
    page.fill("#kind", "tax_filing")
    page.fill("#valid_until", "2027-06-30")
    page.click("#grant-form button[type=submit]")
    expect(page.locator("#form-result")).to_contain_text("服务器拒绝")
    assert served.log_size() == before

    page.fill("#grantee", "city-bank")
    page.click("#grant-form button[type=submit]")
    expect(page.locator("#receipt-link")).to_be_visible()
    assert served.log_size() == before + 1
    page.click("#receipt-link")
    expect(page.locator("main")).to_contain_text("consent.grant")
    page.click("#verify-entry")
    expect(page.locator("#verify-result")).to_contain_text("已验证")
