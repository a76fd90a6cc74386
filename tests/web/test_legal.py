"""Legal's pages (issue 13 item 5): templates with their check results; a new version is staged,
checked and previewed against a deal before it is activated; a broken one cannot be."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.web.conftest import csrf_of


def _upload(client: Any, name: str, blob: bytes) -> Any:
    return client.post("/templates/upload", data={"name": name, "csrf": csrf_of(client)},
                       files={"file": (Path(name).name, blob)}, follow_redirects=True)


def _post(client: Any, url: str) -> Any:
    return client.post(url, data={"csrf": csrf_of(client)}, follow_redirects=True)


def test_templates_page_lists_templates_with_their_check(client: Any) -> None:
    page = client.get("/templates")
    assert page.status_code == 200
    for name in ("html/po.html", "docx/po.docx", "css/document.css"):
        assert name in page.text
    assert "no problems" in page.text


def test_a_broken_template_shows_its_problem_and_cannot_be_activated(client: Any,
                                                                     web_ws: Path) -> None:
    live = web_ws / "templates" / "html" / "po.html"
    before = live.read_bytes()
    broken = before.replace(b"{% endblock %}", b"{% if deal.customer.name %}{% endblock %}", 1)
    page = _upload(client, "html/po.html", broken)
    assert page.status_code == 200 and "it cannot be activated" in page.text
    problems = re.findall(r'<li class="problem">([^<]*)</li>', page.text)
    assert problems and all(p.startswith("html/po.html") for p in problems)
    r = _post(client, "/templates/staged/html/po.html/activate")
    assert r.status_code == 400 and "not activated" in r.text
    assert live.read_bytes() == before


def test_a_new_version_is_previewed_then_activated(client: Any, web_ws: Path) -> None:
    import io

    from pypdf import PdfReader

    live = web_ws / "templates" / "html" / "po.html"
    before = live.read_bytes()
    version = re.search(r'templates version <span class="code">(\w+)', client.get(
        "/templates").text).group(1)
    marked = before.replace(b"{% endblock %}", b"<p>Reviewed by legal 2026</p>{% endblock %}", 1)
    page = _upload(client, "html/po.html", marked)
    assert "templates check finds no problem" in page.text
    pdf = client.get("/templates/staged/html/po.html/preview",
                     params={"deal": "D-2026-0101", "kind": "po"})
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Reviewed by legal 2026" in text
    # the live document does not have it until the new version is activated
    live_preview = client.get("/deals/D-2026-0101/preview/po").text
    assert "Reviewed by legal 2026" not in live_preview and live.read_bytes() == before

    r = _post(client, "/templates/staged/html/po.html/activate")
    assert r.status_code == 200 and "Activated html/po.html." in r.text
    assert live.read_bytes() == marked
    assert version not in r.text
    assert "Reviewed by legal 2026" in client.get("/deals/D-2026-0101/preview/po").text


def test_uploads_outside_the_templates_are_refused(client: Any, web_ws: Path) -> None:
    for name in ("../skus/policy.yaml", "html/../../x.html", "docx/po.exe", "/etc/passwd"):
        r = _upload(client, name, b"x")
        assert r.status_code == 400, name
        assert "name a template inside templates/" in r.text
    assert not (web_ws / ".docgen" / "staged-templates").exists()
    r = _upload(client, "docx/po.docx", b"<html>not a word file</html>")
    assert r.status_code == 400 and "not a Word (.docx) file" in r.text
