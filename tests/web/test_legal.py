"""Legal's pages (issue 13 item 5): templates with their check results; a new version is staged,
checked and previewed against a deal before it is activated; a broken one cannot be."""

from __future__ import annotations

import json
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
    r = _upload(client, "docx/po.docx", b"<html>not a word file</html>")
    assert r.status_code == 400 and "not a Word (.docx) file" in r.text
    from docgen import api

    with api.Session(web_ws) as s:  # nothing was staged
        assert s.staged_templates() == []


# -- staged uploads live in the database; activations are recorded (issue 16 item 2) -----------

def _marked(web_ws: Path, text: bytes = b"Reviewed by legal 2026") -> bytes:
    live = (web_ws / "templates" / "html" / "po.html").read_bytes()
    return live.replace(b"{% endblock %}", b"<p>" + text + b"</p>{% endblock %}", 1)


def test_staging_is_kept_in_the_database_and_activation_is_recorded_and_audited(
        client: Any, web_ws: Path, web_admin: str) -> None:
    from docgen import api
    from docgen.template_versions import templates_version

    # when: a new version is uploaded, then activated
    marked = _marked(web_ws)
    _upload(client, "html/po.html", marked)

    # then: it is staged in the database (by the signed-in person), not in a folder
    with api.Session(web_ws) as s:
        (staged,) = s.staged_templates()
    assert (staged.name, staged.staged_by) == ("html/po.html", "admin@acme.example")
    assert not (web_ws / ".docgen" / "staged-templates").exists()
    assert "staged by admin@acme.example" in client.get("/templates").text

    r = _post(client, "/templates/staged/html/po.html/activate")
    assert r.status_code == 200 and "Activated html/po.html." in r.text
    with api.Session(web_ws) as s:
        (act,) = s.template_activations()
        assert s.staged_templates() == []
        rows = [e for e in s.audit_log() if e.action.startswith("template.")]
        assert s.verify_audit()[1] == []
    assert (act.name, act.activated_by) == ("html/po.html", "admin@acme.example")
    assert act.templates_version == templates_version(web_ws / "templates")
    assert [(e.action, e.actor, e.subject) for e in rows] == [
        ("template.stage", "admin@acme.example", "html/po.html"),
        ("template.activate", "admin@acme.example", "html/po.html")]
    assert rows[1].data["templates_version"] == act.templates_version
    assert act.templates_version[:12] in r.text  # the page's "Recent activations"


def test_discarding_a_staged_version_is_recorded(client: Any, web_ws: Path) -> None:
    from docgen import api

    _upload(client, "html/po.html", _marked(web_ws))
    r = _post(client, "/templates/staged/html/po.html/discard")
    assert r.status_code == 200
    with api.Session(web_ws) as s:
        assert s.staged_templates() == []
        assert [e.action for e in s.audit_log()][-1] == "template.discard"
    assert client.get("/templates/staged/html/po.html").status_code == 400


# -- each issued document records the templates' version that rendered it (issue 13 item 5) ----

def test_each_document_records_the_templates_version_it_was_rendered_with(
        client: Any, web_ws: Path, web_admin: str) -> None:
    from datetime import date

    from click.testing import CliRunner

    from docgen import api
    from docgen.cli import cli
    from docgen.template_versions import templates_version

    deals = web_ws / "examples" / "deals"
    first, second = (next(deals.glob(f"{d}*.yaml")) for d in ("D-2026-0101", "D-2026-0105"))
    out = web_ws / "out"
    # given: a PO issued with the templates as they are
    before = templates_version(web_ws / "templates")
    with api.Session(web_ws, token=web_admin) as s:
        assert not s.render("po", [first], out_dir=out, issue_date=date(2026, 11, 22)).failed
    # when: legal activates a changed PO template, and another deal's PO is issued
    _upload(client, "html/po.html", _marked(web_ws))
    assert _post(client, "/templates/staged/html/po.html/activate").status_code == 200
    after = templates_version(web_ws / "templates")
    with api.Session(web_ws, token=web_admin) as s:
        assert not s.render("po", [second], out_dir=out, issue_date=date(2026, 11, 23)).failed
        docs = {d.deal_id: d for d in s.documents()}

    # then: each row carries the version the templates folder hashed to when it was issued
    assert before != after
    assert docs["D-2026-0101"].template_version == before
    assert docs["D-2026-0105"].template_version == after
    # ... shown by `docgen documents`, `docgen history`, the history page and the JSON API
    runner = CliRunner()
    listed = runner.invoke(cli, ["-w", str(web_ws), "documents"])
    assert "D-2026-0101  po  dated 2026-11-22  revision" in listed.output
    assert f"templates {before[:12]}" in listed.output
    assert f"templates {after[:12]}" in listed.output
    hist = runner.invoke(cli, ["-w", str(web_ws), "history", "D-2026-0105"])
    assert f"issued, dated 2026-11-23, templates {after[:12]} ->" in hist.output
    as_json = runner.invoke(cli, ["-w", str(web_ws), "history", "D-2026-0105", "--json"])
    issued = [e for e in json.loads(as_json.output)["events"] if e["event"] == "issued"]
    assert issued[0]["template_version"] == after
    page = client.get("/deals/D-2026-0101/history")
    assert f"templates {before[:12]}" in page.text
    api_docs = client.get("/api/v1/documents", headers={"Authorization": f"Bearer {web_admin}"})
    assert api_docs.status_code == 200
    assert {d["deal"]: d["template_version"] for d in api_docs.json()["documents"]} == {
        "D-2026-0101": before, "D-2026-0105": after}
    bad = client.get("/api/v1/documents", params={"status": "bogus"},
                     headers={"Authorization": f"Bearer {web_admin}"})
    assert bad.status_code == 400 and "unknown status 'bogus'" in bad.json()["problems"][0]
    assert client.get("/api/v1/documents").status_code == 401  # a page session is no token


def test_a_template_changed_while_a_po_renders_voids_its_number(
        web_ws: Path, web_admin: str, monkeypatch: Any) -> None:
    from datetime import date

    from docgen import api
    from docgen.render.documents import Renderer

    deal = next((web_ws / "examples" / "deals").glob("D-2026-0101*.yaml"))
    css = web_ws / "templates" / "css" / "document.css"
    original = Renderer.render

    def render_then_edit(self: Any, doc: Any, formats: Any) -> Any:
        done = original(self, doc, formats)
        css.write_text(css.read_text("utf-8") + "\n/* edited meanwhile */\n", "utf-8")
        return done

    monkeypatch.setattr(Renderer, "render", render_then_edit)
    with api.Session(web_ws, token=web_admin) as s:
        batch = s.render("po", [deal], out_dir=web_ws / "out", issue_date=date(2026, 11, 22),
                         jobs=1)
        (doc,) = s.documents()
    assert not batch.rendered and "the templates changed while" in batch.failed[0][1]
    assert doc.status == "void" and not list((web_ws / "out").glob("*.pdf"))
