"""The console's browser fixtures: Debian's Chromium driven by Playwright, a phone-sized page
that fails the test on any JavaScript error, and one demo-loaded server per backend and test
module. No mocks: the server is the real application on a real store."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from puhui.bootstrap import Platform
from puhui.demo import load_demo
from puhui.kernel import clock, log
from tests.conftest import BACKENDS, platform_on
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


@dataclass
class Served:
    url: str
    platform: Platform
    tokens: dict[str, str]
    keys: Path
    passphrases: dict[str, str]

    def log_size(self) -> int:
        with self.platform.engine.connect() as conn:
            return log.tree_head(conn).size

    def today(self) -> date:
        with self.platform.engine.connect() as conn:
            day = clock.business_date(conn)
        assert day is not None
        return day

    def last_command(self) -> dict[str, Any]:
        with self.platform.engine.connect() as conn:
            body, _leaf = log.entry_body(conn, log.tree_head(conn).size - 1)
        command: dict[str, Any] = json.loads(body)["command"]
        return command


@pytest.fixture(scope="module", params=BACKENDS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp(f"console-{request.param}")
    with platform_on(request.param, directory) as platform:
        demo = load_demo(platform, directory / "demo")
        with serve(platform) as url:
            passphrases = json.loads((directory / "demo" / "passphrases.json").read_text())
            yield Served(url, platform, demo["tokens"], Path(demo["keys"]), passphrases)


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


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def nav_pages(page: Page) -> list[str]:
    return [a.get_attribute("data-page") or "" for a in page.locator("nav a[data-page]").all()]
