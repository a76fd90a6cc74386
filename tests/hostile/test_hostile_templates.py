"""A malicious template can neither reach Python objects nor fetch anything outside the templates
folder: the render fails, nothing is written, nothing is fetched."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import Result

Run = Callable[..., Result]


def _render(cli_run: Run, ws_path: Path, out: Path) -> Result:
    deal = next((ws_path / "examples" / "deals").glob("D-2026-0101*.yaml"))
    return cli_run("po", deal, "-o", out, "--draft", "--date", "2026-11-22", "--format", "pdf")


def _set_template(ws_path: Path, body: str) -> None:
    (ws_path / "templates" / "html" / "po.html").write_text(
        '{% extends "html/base.html" %}{% block content %}' + body + "{% endblock %}", "utf-8")


@pytest.mark.parametrize("body", [
    "{{ doc.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ doc.model_dump() }}",
    "{{ lines[0].model_copy() }}",
    "{{ lines.append(1) }}",
    "{{ doc.update({'number': 'PO-FAKE'}) }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ '{0.__class__}'.format(doc) }}",
    "{% include '/etc/passwd' %}",
    "{% include '../../skus/policy.yaml' %}",
    "{{ 'x' * 100000000 }}",
    "{{ 10 ** 100 }}",
    "{% for i in range(1000000000) %}{% endfor %}",
    "{{ 'a'|center(1000000000) }}",
    "{{ lipsum(100000) }}",
], ids=lambda b: b[:40])
def test_sandbox_exposes_plain_data_only(cli_run: Run, ws_path: Path, tmp_path: Path,
                                         body: str) -> None:
    # given
    _set_template(ws_path, body)
    out = tmp_path / "out"
    # when
    result = _render(cli_run, ws_path, out)
    # then: a clear failure (exit 2), never an internal error, and no file
    assert result.exit_code == 2, result.output
    assert "failed: D-2026-0101" in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_template_context_is_plain_data(ws: Any) -> None:
    """What a template receives holds only dicts, lists, strings, numbers and booleans."""
    from tests.docs import document_context

    deal = next((ws.root / "examples" / "deals").glob("D-2026-0042*.yaml"))
    ctx = document_context(ws.root, deal, "po").model_dump()

    def walk(value: Any, path: str) -> Iterator[str]:
        if isinstance(value, dict):
            for k, v in value.items():
                assert isinstance(k, str)
                yield from walk(v, f"{path}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from walk(v, f"{path}[{i}]")
        elif not (value is None or type(value) in (str, int, bool)):
            yield f"{path}: {type(value).__name__}"

    assert list(walk(ctx, "ctx")) == []


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:  # the stdlib's name
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    """A local HTTP server that records every request it gets."""
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the templates folder that must never reach a PDF."""
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-4711\n")
    return path


@pytest.mark.parametrize("kind", ["attachment", "attachment-etc", "img-http", "style-import",
                                  "css-file-import", "symlink", "relative-escape",
                                  "css-url-http"])
def test_pdf_fetcher_reaches_only_the_templates_folder(cli_run: Run, ws_path: Path,
                                                       tmp_path: Path, http_server: str,
                                                       secret: Path, kind: str) -> None:
    # given: a template (or stylesheet) that tries to read a file or call a URL
    templates = ws_path / "templates"
    bodies = {
        "attachment": f'<link rel="attachment" href="{secret.as_uri()}">',
        "attachment-etc": '<link rel="attachment" href="file:///etc/passwd">',
        "img-http": f'<img src="{http_server}/latest/meta-data/">',
        "style-import": f"<style>@import url({secret.as_uri()});</style>",
        "css-file-import": "",
        "symlink": '<link rel="attachment" href="secret-link.txt">',
        "relative-escape": '<link rel="attachment" href="../skus/policy.yaml">',
        "css-url-http": f'<div style="background: url({http_server}/bg.png)">x</div>',
    }
    _set_template(ws_path, bodies[kind] + "<p>{{ doc.title }}</p>")
    if kind == "css-file-import":
        css = templates / "css" / "document.css"
        css.write_text(f'@import url("file:///etc/hostname");\n@import url("{secret.as_uri()}");\n'
                       + css.read_text("utf-8"), "utf-8")
    if kind == "symlink":
        (templates / "html" / "secret-link.txt").symlink_to(secret)
        (templates / "secret-link.txt").symlink_to(secret)
    out = tmp_path / "out"
    # when
    result = _render(cli_run, ws_path, out)
    # then: the render fails naming the blocked URL, nothing is written, nothing was requested
    assert result.exit_code == 2, result.output
    assert "blocked URL" in result.output or "warned" in result.output, result.output
    assert not out.exists() or list(out.iterdir()) == []
    assert _Recorder.hits == []


def test_assets_inside_the_templates_folder_still_load(cli_run: Run, ws_path: Path,
                                                       tmp_path: Path) -> None:
    # given: a stylesheet-free page with an image that lives in templates/
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
           b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
           b"5\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
    (ws_path / "templates" / "logo.png").write_bytes(png)
    _set_template(ws_path, '<img src="logo.png" alt=""><p>{{ doc.title }}</p>')
    out = tmp_path / "out"
    # when
    result = _render(cli_run, ws_path, out)
    # then
    assert result.exit_code == 0, result.output
    assert (out / "D-2026-0101-po-draft.pdf").is_file()
