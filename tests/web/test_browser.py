"""End to end in a real browser (issue 13): Playwright for Python driving Debian's Chromium
against ``docgen serve`` on the loopback. Screenshots of each page are kept as test artifacts
(``test-artifacts/web/``) and axe-core (fetched at set-up) scans each page for accessibility."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from docgen import api
from tests.conftest import REPO

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "tests" / "web" / "vendor" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts" / "web"
#: Flags that keep Chromium off the network it cannot reach here (LIBRARIES.md §9).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``docgen serve`` on a fresh workspace, on a free loopback port."""
    root = tmp_path_factory.mktemp("web") / "acme"
    api.init_workspace(root)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    proc = subprocess.Popen([sys.executable, "-m", "docgen", "-w", str(root), "serve",
                             "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"docgen serve exited: {proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("docgen serve did not start listening within 60 s")
    try:
        yield url, root
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make setup` (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp: the app's Content-Security-Policy would block the injected axe-core script
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def shoot(page: Any, name: str) -> None:
    """Keep a screenshot of the page as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make setup` (scripts/web-assets.sh --test)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} node(s))" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_presales_builds_a_deal_from_the_catalogue(server: tuple[str, Path], page: Any) -> None:
    url, root = server
    page.goto(f"{url}/deals")
    shoot(page, "01-deal-list")
    assert serious_violations(page) == []

    page.get_by_role("link", name="New deal").click()
    page.get_by_label("Deal id").fill("D-2026-5001")
    page.get_by_label("Name", exact=True).fill("Initech GmbH")
    page.get_by_label("Territory").select_option("DE")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Locale (e.g. de_DE)").fill("de_DE")
    due = page.locator("#check tr.due td")
    first_total = due.inner_text()
    # pick a second line from the catalogue: the total updates as you type (htmx)
    page.get_by_label("SKU of line 1").fill("SUP-PREM")
    page.get_by_label("Quantity of line 1").fill("12")
    try:
        page.wait_for_function("t => { const e = document.querySelector('#check tr.due td');"
                               " return e !== null && e.innerText !== t; }", arg=first_total,
                               timeout=10_000)
    finally:
        shoot(page, "02-deal-editor")
    assert due.inner_text() != first_total and "€" in due.inner_text()
    shoot(page, "02-deal-editor")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{url}/deals/D-2026-5001?saved=1")
    assert page.get_by_role("status").inner_text() == "Saved."
    assert "SUP-PREM" in (root / "deals" / "D-2026-5001.yaml").read_text("utf-8")

    page.goto(f"{url}/deals/D-2026-5001/preview/po")
    assert "Initech GmbH" in page.content()
    shoot(page, "03-po-preview")


def test_editor_is_usable_on_a_phone(server: tuple[str, Path], browser: Any) -> None:
    url, _ = server
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    try:
        pg.goto(f"{url}/deals/D-2026-0042")
        width = pg.evaluate("document.documentElement.scrollWidth")
        shoot(pg, "04-editor-390px")
        assert width <= 390 + 1, f"the page scrolls sideways: {width}px"
    finally:
        context.close()
