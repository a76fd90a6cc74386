"""``docgen pack``: a PO and its SOW in one PDF that keeps the embedded files, the XMP and the
PDF/A markers, and still verifies."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

from docgen.cli import cli
from docgen.errors import InputError
from docgen.pack import pack_pdfs
from docgen.verify import verify_file
from docgen.workspace import Workspace


@pytest.fixture
def po_and_sow(final_po: Callable[..., Any], shared_ws: Workspace, tools: Any,
               tmp_path: Path) -> tuple[Any, Path]:
    """A final PO of D-2026-0101 and its SOW."""
    po = final_po()
    deal = next((shared_ws.root / "examples" / "deals").glob("D-2026-0101*.yaml"))
    sow, _ = tools.render(shared_ws, deal, tmp_path / "out", number="SOW-D-2026-0101",
                          kind="sow")
    return po, Path(sow.paths["pdf"])


def test_pack_keeps_attachments_xmp_and_pdfa_markers(po_and_sow: tuple[Any, Path],
                                                      shared_ws: Workspace, tools: Any,
                                                      tmp_path: Path) -> None:
    # given
    po, sow = po_and_sow
    # when
    result = tools.pack(shared_ws, [po.pdf, sow], tmp_path / "pack.pdf", po.registry)
    reader = PdfReader(result.path)
    root = reader.trailer["/Root"]
    # then
    assert len(reader.pages) == len(PdfReader(po.pdf).pages) + len(PdfReader(sow).pages)
    assert sorted(reader.attachments) == ["docgen-pack.json", "docgen-po.json",
                                          "docgen-sow.json", "order-x.xml"]
    af = [ref.get_object()["/UF"] for ref in root["/AF"]]
    assert sorted(af) == sorted(reader.attachments)  # each once
    assert (reader.xmp_metadata.pdfaid_part, reader.xmp_metadata.pdfaid_conformance) == ("3", "B")
    assert root["/OutputIntents"]
    assert b"<fx:DocumentType>ORDER</fx:DocumentType>" in reader.xmp_metadata.stream.get_data()
    for att in reader.attachment_list:
        assert att.subtype in ("/application/json", "/text/xml")
        assert att.associated_file_relationship in ("/Data", "/Supplement")
    assert reader.attachments["order-x.xml"][0] == PdfReader(po.pdf).attachments["order-x.xml"][0]
    assert result.parts[0]["sha256"] == hashlib.sha256(po.pdf.read_bytes()).hexdigest()
    # signed once, by the pack (the PO's own signature cannot survive the merge)
    from docgen.signing import signature_check, trusted_certificate
    from docgen.verify import _check_pdfa, load_pdf

    summary, problems = signature_check(result.path.read_bytes(), trusted_certificate(shared_ws))
    assert problems == [], summary
    assert _check_pdfa(load_pdf(result.path), ["docgen-po.json", "order-x.xml"]).ok


def test_pack_verifies_by_its_own_recorded_bytes(po_and_sow: tuple[Any, Path],
                                                 shared_ws: Workspace, tools: Any,
                                                 tmp_path: Path) -> None:
    # given
    po, sow = po_and_sow
    pack = tools.pack(shared_ws, [po.pdf, sow], tmp_path / "pack.pdf", po.registry).path
    # when
    report = verify_file(shared_ws, pack, po.registry)
    # then
    assert report.ok, report.mismatches
    # but the same pack unknown to the registry does not, whatever its manifest says
    stranger = tools.FakeRegistry()
    stranger.docs = dict(po.registry.docs)
    failed = verify_file(shared_ws, pack, stranger).mismatches
    sha = hashlib.sha256(pack.read_bytes()).hexdigest()[:16]
    issued = po.registry.docs[po.number].file_sha256[:16]
    assert failed == [f"registry: the pack is not the issued file: SHA-256 {sha}…, the registry "
                      f"has {issued}… (and no pack of {po.number} with that SHA-256)"]


def test_pack_same_input_same_bytes(po_and_sow: tuple[Any, Path], shared_ws: Workspace,
                                    tools: Any, tmp_path: Path) -> None:
    po, sow = po_and_sow
    a = tools.pack(shared_ws, [po.pdf, sow], tmp_path / "a.pdf", po.registry).path.read_bytes()
    b = tools.pack(shared_ws, [po.pdf, sow], tmp_path / "b.pdf", po.registry).path.read_bytes()
    assert a == b


def test_pack_refuses_bad_inputs_and_writes_nothing(po_and_sow: tuple[Any, Path],
                                                    final_po: Callable[..., Any],
                                                    shared_ws: Workspace, tools: Any,
                                                    tmp_path: Path) -> None:
    # given
    po, sow = po_and_sow
    other = final_po("D-2026-0105", number="PO-2026-000043", out=tmp_path / "other")
    plain = tmp_path / "plain.pdf"
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    with plain.open("wb") as fh:
        writer.write(fh)
    pack = tools.pack(shared_ws, [po.pdf, sow], tmp_path / "pack.pdf", po.registry).path
    out = tmp_path / "refused" / "pack.pdf"
    edited = tools.rewrite_attachment(po.pdf, "docgen-po.json", lambda b: b + b" ",
                                      tmp_path / "edited.pdf")
    cases = [([sow, po.pdf], "give the PO (the PDF/A file) first"),
             ([po.pdf, other.pdf], "different deals"),
             ([po.pdf, plain], "no embedded docgen data"),
             ([pack, sow], "already a pack"),
             ([po.pdf, tmp_path / "nope.pdf"], "no such file"),
             ([edited, sow], "is not the file docgen issued as PO-2026-000042")]
    for inputs, message in cases:
        # when / then
        with pytest.raises(InputError, match=re.escape(message)):
            pack_pdfs(inputs, out, registry=po.registry)
    # a PO the registry does not know is not packed either
    with pytest.raises(InputError, match="is not an issued PO"):
        pack_pdfs([po.pdf, sow], out, registry=tools.FakeRegistry())
        assert not out.parent.exists() or not any(out.parent.iterdir())


@pytest.mark.slow
def test_pack_cli_issue_pack_verify(ws_path: Path, tmp_path: Path, admin_token: str) -> None:
    """Through the real store: `po`, `sow`, `pack`, then `verify` of the pack exits 0."""
    runner = CliRunner(env={"DOCGEN_TOKEN": admin_token})
    deal = next((ws_path / "examples" / "deals").glob("D-2026-0101*.yaml"))
    out = tmp_path / "out"
    for kind in ("po", "sow"):
        done = runner.invoke(cli, ["-w", str(ws_path), kind, str(deal), "-o", str(out),
                                   "--date", "2026-11-22", "--format", "pdf"])
        assert done.exit_code == 0, done.output
    po = next(out.glob("D-2026-0101-po*.pdf"))
    sow = next(out.glob("D-2026-0101-sow*.pdf"))
    pack = tmp_path / "cli-pack.pdf"
    ok = runner.invoke(cli, ["-w", str(ws_path), "pack", str(po), str(sow), "-o", str(pack)])
    assert ok.exit_code == 0, ok.output
    assert "packed po PO-2026-000001, sow SOW-D-2026-0101" in ok.output
    verified = runner.invoke(cli, ["-w", str(ws_path), "verify", str(pack)])
    assert verified.exit_code == 0, verified.output
    assert "ok   signature:" in verified.output
    bad = runner.invoke(cli, ["-w", str(ws_path), "pack", str(sow), str(po), "-o",
                              str(tmp_path / "x.pdf")])
    assert bad.exit_code == 2
    assert "give the PO" in bad.output
