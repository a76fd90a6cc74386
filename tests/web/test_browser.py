"""End to end in a real browser (issue 13): Playwright for Python driving Debian's Chromium
against ``docgen serve`` on the loopback. Screenshots of each page are kept as test artifacts
(``test-artifacts/web/``) and axe-core (fetched at set-up) scans each page for accessibility."""

from __future__ import annotations

import os
import re
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


PASSWORD = "correct horse battery staple"
ADMIN = "admin@acme.example"
SELLER = "sam.seller@brightfield.example"
CS = "cs.lead@brightfield.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``docgen serve`` on a fresh workspace, on a free loopback port, with three people who
    sign in with a password: the administrator, a seller and the CS lead."""
    root = tmp_path_factory.mktemp("web") / "acme"
    made = api.init_workspace(root, admin_email=ADMIN)
    with api.Session(root, token=made.token) as s:
        s.add_user(SELLER, name="Sam Seller")
        s.add_user(CS, name="Casey Lead")
        for who in (ADMIN, SELLER, CS):
            s.set_password(who, PASSWORD)
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


def sign_in(page: Any, url: str, who: str) -> None:
    """Sign in through the form, as a person does."""
    page.goto(f"{url}/deals")
    assert page.url.startswith(f"{url}/login")
    page.get_by_label("E-mail").fill(who)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/deals")


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
    shoot(page, "00-sign-in")
    assert serious_violations(page) == []
    sign_in(page, url, SELLER)
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

    # the new customer's paperwork is missing: the PO cannot be issued yet, and the page says why
    page.goto(f"{url}/deals/D-2026-5001")
    page.get_by_role("button", name="Issue the final PO").click()
    assert "The PO cannot be issued yet" in page.get_by_role("alert").inner_text()

    # a clean sample deal is issued: numbered, signed, recorded and downloadable
    page.goto(f"{url}/deals/D-2026-0101")
    page.get_by_role("button", name="Issue the final PO").click()
    page.wait_for_url(f"{url}/deals/D-2026-0101?issued=*")
    status = page.get_by_role("status").inner_text()
    assert status.startswith("Issued PO-") and ".pdf" in status
    shoot(page, "04-po-issued")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"D-2026-0101-po-PO-.*\.pdf")).click()
    assert info.value.suggested_filename.endswith(".pdf")


def test_cs_approves_from_the_inbox_and_the_po_becomes_issuable(
        server: tuple[str, Path], page: Any) -> None:
    url, root = server
    # given: the seller submitted the exceptions of D-2026-0042 (four approvals needed)
    sign_in(page, url, SELLER)
    page.goto(f"{url}/deals/D-2026-0042")
    page.get_by_role("button", name="Submit exceptions for approval").click()
    assert "Submitted: 4 new approval request(s)." in page.get_by_role("status").inner_text()
    page.context.clear_cookies()
    # when: CS signs in and approves the two exceptions only CS can approve, from the inbox
    sign_in(page, url, CS)
    page.goto(f"{url}/inbox")
    shoot(page, "05-cs-inbox")
    assert serious_violations(page) == []
    for code in ("CAT002", "CAT007"):
        row = page.locator("tr", has_text=code)
        row.get_by_label("Note").fill("checked with the customer")
        row.get_by_role("button", name="Approve").click()
        assert f"Recorded your decision on {code}." in page.get_by_role("status").inner_text()
    # then: those rows are gone from the inbox; what is left waits for other roles too
    assert page.locator("tr", has_text="CAT002").count() == 0
    page.goto(f"{url}/report")
    shoot(page, "06-report")
    assert serious_violations(page) == []


def test_legal_sees_a_broken_template_before_activating(server: tuple[str, Path],
                                                        page: Any) -> None:
    url, root = server
    sign_in(page, url, ADMIN)
    page.goto(f"{url}/templates")
    shoot(page, "08-templates")
    live = (root / "templates" / "html" / "po.html").read_bytes()
    broken = root.parent / "po.html"
    broken.write_bytes(live.replace(b"{% endblock %}", b"{% if deal %}{% endblock %}", 1))
    page.get_by_label("Template").select_option("html/po.html")
    page.get_by_label("File").set_input_files(str(broken))
    page.get_by_role("button", name="Upload and check").click()
    alert = page.get_by_role("alert").inner_text()
    assert "html/po.html" in alert
    assert page.get_by_role("button", name="Activate").is_disabled()
    shoot(page, "07-template-problem")
    assert serious_violations(page) == []
    assert (root / "templates" / "html" / "po.html").read_bytes() == live


def test_editor_is_usable_on_a_phone(server: tuple[str, Path], browser: Any) -> None:
    url, _ = server
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    try:
        sign_in(pg, url, SELLER)
        pg.goto(f"{url}/deals/D-2026-0042")
        width = pg.evaluate("document.documentElement.scrollWidth")
        shoot(pg, "04-editor-390px")
        assert width <= 390 + 1, f"the page scrolls sideways: {width}px"
    finally:
        context.close()
