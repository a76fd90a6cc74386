"""Hostile deal text is shown verbatim or refused, never executed or fetched; oversized input gets
a clear error (exit 2); writes are atomic."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

import pytest
import yaml
from click.testing import Result
from pypdf import PdfReader

from docgen.models._base import MAX_TEXT
from docgen.models.deal import MAX_LINES
from docgen.sources import MAX_FILE_BYTES

Run = Callable[..., Result]

HTML = '<script>alert("x")</script><img src="file:///etc/passwd">'
JINJA = "{{ 7*7 }} {% for x in range(3) %}loop{% endfor %} {{ config }}"
URLS = "file:///etc/passwd http://169.254.169.254/latest/meta-data/"


def _squash(text: str) -> str:
    return "".join(text.split())


def _docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("payload", [HTML, JINJA, URLS], ids=["html", "jinja", "urls"])
def test_hostile_text_is_printed_verbatim(cli_run: Run, write_deal: Callable[..., Path],
                                          sample_deal: Callable[..., dict[str, Any]],
                                          tmp_path: Path, payload: str) -> None:
    # given: the payload in every free-text field that reaches the PO
    data = sample_deal()
    data["customer"]["name"] = payload
    data["customer"]["billing_address"]["street"] = payload
    data["customer"]["invoice_contact"]["name"] = payload
    data["sales_rep"]["name"] = payload
    data["contract"]["payment_terms"] = payload
    data["lines"].append({"custom": {"description": payload, "unit_price": "10.00",
                                     "quantity": 1}})
    deal = write_deal(data)
    out = tmp_path / "out"
    # when
    result = cli_run("po", deal, "-o", out, "--draft", "--date", "2026-11-22",
                     "--format", "pdf,html,docx")
    # then: rendered, the text shown as text everywhere
    assert result.exit_code == 0, result.output
    html = (out / f"{data['deal']}-po-draft.html").read_text("utf-8")
    assert "<script>" not in html and "<img src=\"file:" not in html
    assert payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&#34;") in html
    pdf = PdfReader(out / f"{data['deal']}-po-draft.pdf")
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert _squash(text).count(_squash(payload)) >= 5
    assert list(pdf.attachments) == ["docgen-po.json"]  # nothing fetched or attached
    assert "root:x:0:0" not in text
    docx = _docx_text(out / f"{data['deal']}-po-draft.docx")
    assert payload in docx


@pytest.mark.parametrize(
    ("where", "raw"),
    [
        ("customer.name", 'name: "ACME\\vCorp"'),
        ("customer.name", 'name: "ACME\\x07Corp"'),
        ("customer.name", 'name: "ACME\\uFFFECorp"'),
        ("contract.payment_terms", 'payment_terms: "30 days\\x1b[31m net"'),
    ],
)
def test_control_characters_are_refused_naming_the_field(
        cli_run: Run, write_deal: Callable[..., Path], sample_deal: Callable[..., dict[str, Any]],
        tmp_path: Path, where: str, raw: str) -> None:
    # given: a control character in a field (YAML escapes make it real)
    data = sample_deal()
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    key = raw.split(":")[0]
    old = f"  {key}: {yaml.safe_dump(data[where.split('.')[0]][key]).splitlines()[0]}"
    assert old in text, old
    deal = write_deal(text.replace(old, f"  {raw}", 1))
    out = tmp_path / "out"
    # when
    for args in (("validate", deal), ("po", deal, "-o", out, "--draft", "--date", "2026-11-22")):
        result = cli_run(*args)
        # then: exit 2, the file, line and field named; nothing written
        assert result.exit_code == 2, result.output
        assert f"{deal}:" in result.output and where in result.output
        assert "control character" in result.output
    assert not out.exists()


def test_control_character_in_json_deal_is_refused(cli_run: Run, write_deal: Callable[..., Path],
                                                   sample_deal: Callable[..., Any]) -> None:
    data = sample_deal()
    data["sow"]["scope"] = "scope\u0000with NUL"
    deal = write_deal(json.dumps(data, default=str), suffix=".json")
    result = cli_run("validate", deal)
    assert result.exit_code == 2
    assert "sow.scope" in result.output and "U+0000" in result.output


def test_too_many_lines_is_a_clear_error(cli_run: Run, write_deal: Callable[..., Path],
                                         sample_deal: Callable[..., Any]) -> None:
    data = sample_deal()
    data["lines"] = [{"sku": "SUP-STD", "quantity": 1}] * (MAX_LINES + 1)
    result = cli_run("validate", write_deal(data))
    assert result.exit_code == 2
    assert "lines" in result.output and f"{MAX_LINES}" in result.output
    assert result.output.count("\n") < 5  # one clear message, not ten thousand


def test_one_megabyte_of_text_in_a_field_is_a_clear_error(
        cli_run: Run, write_deal: Callable[..., Path], sample_deal: Callable[..., Any]) -> None:
    data = sample_deal()
    data["sow"]["scope"] = "x" * (1024 * 1024)
    data["customer"]["name"] = "y" * (1024 * 1024)
    result = cli_run("validate", write_deal(data))
    assert result.exit_code == 2
    assert "sow.scope" in result.output and f"{MAX_TEXT}" in result.output
    assert "customer.name" in result.output
    assert len(result.output) < 2000  # the text itself is not echoed back


def test_file_above_the_size_limit_is_refused_unread(cli_run: Run, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    result = cli_run("validate", big)
    assert result.exit_code == 2
    assert "limit" in result.output and str(MAX_FILE_BYTES) in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
            f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)), "YAML aliases"),
        ("deal: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 64 levels deep"),
    ],
    ids=["billion-laughs", "deep-nesting"],
)
def test_expanding_or_deep_yaml_is_refused(cli_run: Run, write_deal: Callable[..., Path],
                                           text: str, message: str) -> None:
    result = cli_run("validate", write_deal(text))
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_deep_json_is_refused(cli_run: Run, write_deal: Callable[..., Path]) -> None:
    result = cli_run("validate", write_deal('{"deal": ' + "[" * 5000 + "]" * 5000 + "}",
                                            suffix=".json"))
    assert result.exit_code == 2
    assert "nested too deeply" in result.output


# --------------------------------------------------------------------------------------------
# Atomic writes


def test_failing_render_leaves_no_file(cli_run: Run, ws_path: Path, tmp_path: Path,
                                       no_leftovers: Callable[[Path], list[str]]) -> None:
    # given: the DOCX template is broken, so the second format of the job fails
    (ws_path / "templates" / "docx" / "po.docx").write_bytes(b"not a zip")
    deal = next((ws_path / "examples" / "deals").glob("D-2026-0101*.yaml"))
    out = tmp_path / "out"
    out.mkdir()
    # when
    result = cli_run("po", deal, "-o", out, "--draft", "--date", "2026-11-22",
                     "--format", "pdf,docx")
    # then: exit 2, and not even the PDF (rendered first, in memory) was written
    assert result.exit_code == 2, result.output
    assert "failed: D-2026-0101" in result.output
    assert list(out.iterdir()) == []
    assert no_leftovers(out) == []


def test_crash_during_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               no_leftovers: Callable[[Path], list[str]]) -> None:
    # given: a PO written before, then a write that dies at the rename
    from docgen.io import write_atomic

    target = tmp_path / "po.pdf"
    write_atomic(target, b"%PDF-old")

    def boom(src: object, dst: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", boom)
    # when
    with pytest.raises(OSError, match="disk gone"):
        write_atomic(target, b"%PDF-new" * 1000)
    # then
    assert target.read_bytes() == b"%PDF-old"
    assert no_leftovers(tmp_path) == []


def test_interrupted_render_leaves_no_file(ws_path: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           no_leftovers: Callable[[Path], list[str]]) -> None:
    # given: the process is interrupted (Ctrl-C) while the PDF's bytes are being written
    from datetime import date

    import docgen.io as dio
    from docgen import api
    from docgen.api import _render as documents

    real_write, real_fdopen = documents.write_temp, os.fdopen

    class Dying:
        def __init__(self, fh: Any) -> None:
            self.fh = fh

        def __enter__(self) -> Self:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def write(self, _data: bytes) -> int:
            raise KeyboardInterrupt

    def dying_write(path: Path, data: bytes) -> Path:
        with monkeypatch.context() as m:
            m.setattr(dio.os, "fdopen", lambda fd, mode: Dying(real_fdopen(fd, mode)))
            return real_write(path, data)

    monkeypatch.setattr(documents, "write_temp", dying_write)
    deal = next((ws_path / "examples" / "deals").glob("D-2026-0101*.yaml"))
    out = tmp_path / "out"
    # when
    with pytest.raises(KeyboardInterrupt):
        with api.Session(ws_path) as s:
            s.render("po", [deal], formats=("pdf",), out_dir=out, draft=True,
                     issue_date=date(2026, 11, 22), jobs=1)
    # then
    assert list(out.iterdir()) == []
    assert no_leftovers(out) == []
