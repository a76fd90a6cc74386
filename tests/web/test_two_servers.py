"""Two ``docgen serve`` instances behind one reverse proxy share the database (issue 16 item 2).

Set-up tested here: one database (``DOCGEN_DATABASE_URL``; SQLite through a URL stands in for
the shared PostgreSQL) and one audit key (``DOCGEN_SECRET_KEY``), and each server with its own
copy of the workspace folder, as on two machines. A sign-in made on one server is good on the
other; a template staged through one is listed, checked, previewed and activated through the
other; the activating server writes its own templates folder, and the other brings its copy up
to that activation on its next request (and an issuing run on it, before it takes numbers) —
unless the file there was changed since, which it leaves alone and shows.
"""

from __future__ import annotations

import io
import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from docgen import api
from docgen.template_versions import templates_version
from tests.web.conftest import ADMIN, set_password, sign_in

PO = Path("templates") / "html" / "po.html"


@pytest.fixture
def servers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
            ) -> Iterator[tuple[Any, Any, Path, Path]]:
    """Two applications over one database, each on its own copy of the workspace; the first
    administrator signed in on the first, and the same session cookie used on the second."""
    monkeypatch.setenv("DOCGEN_DATABASE_URL", f"sqlite:///{tmp_path / 'shared.db'}")
    monkeypatch.setenv("DOCGEN_SECRET_KEY", "k" * 64)
    init = api.init_workspace(tmp_path / "one", admin_email=ADMIN)
    one = init.workspace.root
    two = tmp_path / "two"
    shutil.copytree(one, two, ignore=shutil.ignore_patterns(".docgen"))
    assert init.token
    set_password(one, init.token, ADMIN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

    from docgen.web import create_app

    with TestClient(create_app(one), base_url="https://testserver") as a, \
            TestClient(create_app(two), base_url="https://testserver") as b:
        assert sign_in(a, ADMIN).status_code == 303
        b.cookies.set("docgen_session", a.cookies.get("docgen_session"))
        request.node.admin_token = init.token
        yield a, b, one, two


def _csrf(client: Any) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/deals").text).group(1)


def _upload(client: Any, blob: bytes) -> Any:
    return client.post("/templates/upload", data={"name": "html/po.html", "csrf": _csrf(client)},
                       files={"file": ("po.html", blob)}, follow_redirects=True)


def _activate(client: Any) -> Any:
    return client.post("/templates/staged/html/po.html/activate",
                       data={"csrf": _csrf(client)}, follow_redirects=True)


def _mark(path: Path, text: str) -> bytes:
    return path.read_bytes().replace(b"{% endblock %}",
                                     f"<p>{text}</p>{{% endblock %}}".encode(), 1)


def test_a_template_staged_on_one_server_is_previewed_and_activated_on_the_other(
        servers: tuple[Any, Any, Path, Path]) -> None:
    from pypdf import PdfReader

    a, b, one, two = servers
    marked = _mark(one / PO, "Reviewed by legal on server one")
    before = (two / PO).read_bytes()

    # when: uploaded through the first server
    assert _upload(a, marked).status_code == 200

    # then: the second lists it with who staged it, checks it and previews it
    listed = b.get("/templates")
    assert listed.status_code == 200
    assert 'href="/templates/staged/html/po.html"' in listed.text
    assert "staged by admin@acme.example" in listed.text
    assert "templates check finds no problem" in b.get("/templates/staged/html/po.html").text
    pdf = b.get("/templates/staged/html/po.html/preview",
                params={"deal": "D-2026-0101", "kind": "po"})
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Reviewed by legal on server one" in text
    assert (two / PO).read_bytes() == before  # not live anywhere yet

    # when: activated through the second server
    done = _activate(b)

    # then: the second server's file is the new version, the activation is recorded once with
    # who and the version, and nothing is staged any more on either server
    assert done.status_code == 200 and "Activated html/po.html." in done.text
    assert (two / PO).read_bytes() == marked
    with api.Session(two) as s:
        (act,) = s.template_activations()
        assert s.verify_audit()[1] == []
    assert act.activated_by == ADMIN
    assert act.templates_version == templates_version(two / "templates")
    assert 'href="/templates/staged/' not in a.get("/templates").text
    # and the first server brought its own copy up to the activation on that request
    assert (one / PO).read_bytes() == marked
    assert templates_version(one / "templates") == act.templates_version


def test_a_file_changed_on_one_server_is_left_alone_and_shown(
        servers: tuple[Any, Any, Path, Path]) -> None:
    a, b, one, two = servers
    # given: the first server's copy was edited by hand (e.g. a git checkout of another branch)
    mine = _mark(one / PO, "Edited by hand on server one")
    (one / PO).write_bytes(mine)

    # when: another version is staged and activated through the second server
    _upload(b, _mark(two / PO, "Activated on server two"))
    assert _activate(b).status_code == 200

    # then: the first server's edited file is kept, and its templates page says so
    page = a.get("/templates")
    assert (one / PO).read_bytes() == mine
    assert "html/po.html on this server is not the version activated on" in page.text


def test_an_activation_undone_by_hand_is_not_applied_again(
        servers: tuple[Any, Any, Path, Path]) -> None:
    a, b, one, _two = servers
    original = (one / PO).read_bytes()
    _upload(b, _mark(one / PO, "Activated on server two"))
    assert _activate(b).status_code == 200
    assert a.get("/templates").status_code == 200
    assert (one / PO).read_bytes() != original  # brought up to date

    # when: the first server's copy is put back by hand, and the first server is used again
    (one / PO).write_bytes(original)
    page = a.get("/templates")

    # then: it stays as it was put back (and the page shows it is not the activated version)
    assert (one / PO).read_bytes() == original
    assert "html/po.html on this server is not the version activated on" in page.text


def test_issuing_on_a_copy_behind_applies_the_activation_first(
        servers: tuple[Any, Any, Path, Path], request: pytest.FixtureRequest) -> None:
    from datetime import date

    a, b, one, two = servers
    token = request.node.admin_token
    # given: a version activated through the second server; the first has not served since
    _upload(b, _mark(two / PO, "Activated on server two"))
    assert _activate(b).status_code == 200
    with api.Session(two) as s:
        (act,) = s.template_activations()
    assert templates_version(one / "templates") != act.templates_version

    # when: a PO is issued from the first server's copy (as `docgen po` there would)
    deal = next((one / "examples" / "deals").glob("D-2026-0101*.yaml"))
    with api.Session(one, token=token) as s:
        batch = s.render("po", [deal], out_dir=one / "out", issue_date=date(2026, 11, 22))
        (doc,) = s.documents()

    # then: it was rendered with the activated template, and records that version
    assert not batch.failed
    assert (one / PO).read_bytes() == (two / PO).read_bytes()
    assert doc.template_version == act.templates_version
