"""Screenshots of the console's main screens, on a phone-sized screen, in Debian's Chromium.

    .venv/bin/python scripts/console_screenshots.py [--out docs/screenshots] [--url URL --demo DIR]

Without ``--url`` it loads the demo into a fresh SQLite file in a temporary directory and serves
it (``puhui db upgrade``, ``puhui demo``, ``puhui serve``) for the time of the run. Fails if a
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
from pathlib import Path

import httpx
from playwright.sync_api import Error, Page, ViewportSize, expect, sync_playwright

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


def sign_in(page: Page, url: str, token: str, lang: str) -> None:
    page.goto(url + "/")
    page.evaluate(f"localStorage.setItem('puhui.lang', '{lang}')")
    page.reload()
    page.fill("#token", token)
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#who")).not_to_be_empty()


def shots(url: str) -> list[tuple[str, str, str, str, Callable[[Page], None]]]:
    """(file name, party, language, route, then-do) for each screen."""

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

    def loaded(selector: str) -> Callable[[Page], None]:
        return lambda page: expect(page.locator(selector).first).to_be_visible()

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
    with demo_server() if args.url is None else _given(args.url, args.demo) as (url, demo):
        tokens = json.loads((demo / "tokens.json").read_text())
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for name, party, lang, route, then in shots(url):
                context = browser.new_context(viewport=PHONE, device_scale_factor=1)
                page = context.new_page()
                errors: list[str] = []

                def failed(exc: Error, errors: list[str] = errors) -> None:
                    errors.append(str(exc))

                page.on("pageerror", failed)
                if party:
                    sign_in(page, url, tokens[party], lang)
                else:
                    page.goto(url + "/")
                page.goto(url + "/" + route.lstrip("/"))
                then(page)
                page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
                context.close()
                if errors:
                    raise SystemExit(f"{name}: the page reported errors: {errors}")
                print(f"{args.out / name}.png")
            browser.close()


@contextmanager
def _given(url: str, demo: Path | None) -> Iterator[tuple[str, Path]]:
    if demo is None:
        raise SystemExit("--url needs --demo (the directory holding tokens.json)")
    yield url, demo


if __name__ == "__main__":
    main()
