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
                                                      tmp_path: Path) -> None:
    # given
    po, sow = po_and_sow
    # when
    result = pack_pdfs([po.pdf, sow], tmp_path / "pack.pdf")
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


def test_pack_verifies_against_the_po_it_was_built_from(po_and_sow: tuple[Any, Path],
                                                        shared_ws: Workspace,
                                                        tmp_path: Path) -> None:
    # given
    po, sow = po_and_sow
    pack = pack_pdfs([po.pdf, sow], tmp_path / "pack.pdf").path
    # when
    report = verify_file(shared_ws, pack, po.registry)
    # then
    assert report.ok, report.mismatches
    # but a pack built from another file than the issued one does not
    po.registry.change(po.number, file_sha256="0" * 64)
    failed = verify_file(shared_ws, pack, po.registry).mismatches
    sha = hashlib.sha256(po.pdf.read_bytes()).hexdigest()[:16]
    expected = (f"registry: the PO this pack was built from is not the issued file: "
                f"SHA-256 {sha}…, the registry has 0000000000000000…")
    assert failed == [expected]


def test_pack_same_input_same_bytes(po_and_sow: tuple[Any, Path], tmp_path: Path) -> None:
    po, sow = po_and_sow
    a = pack_pdfs([po.pdf, sow], tmp_path / "a.pdf").path.read_bytes()
    b = pack_pdfs([po.pdf, sow], tmp_path / "b.pdf").path.read_bytes()
    assert a == b


def test_pack_refuses_bad_inputs_and_writes_nothing(po_and_sow: tuple[Any, Path],
                                                    final_po: Callable[..., Any],
                                                    tmp_path: Path) -> None:
    # given
    po, sow = po_and_sow
    other = final_po("D-2026-0105", number="PO-2026-000043", out=tmp_path / "other")
    plain = tmp_path / "plain.pdf"
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    with plain.open("wb") as fh:
        writer.write(fh)
    pack = pack_pdfs([po.pdf, sow], tmp_path / "pack.pdf").path
    out = tmp_path / "refused" / "pack.pdf"
    cases = [([sow, po.pdf], "give the PO (the PDF/A file) first"),
             ([po.pdf, other.pdf], "different deals"),
             ([po.pdf, plain], "no embedded docgen data"),
             ([pack, sow], "already a pack"),
             ([po.pdf, tmp_path / "nope.pdf"], "no such file")]
    for inputs, message in cases:
        # when / then
        with pytest.raises(InputError, match=re.escape(message)):
            pack_pdfs(inputs, out)
        assert not out.parent.exists() or not any(out.parent.iterdir())


def test_pack_cli(po_and_sow: tuple[Any, Path], shared_ws_path: Path, tmp_path: Path) -> None:
    po, sow = po_and_sow
    out = tmp_path / "cli-pack.pdf"
    runner = CliRunner()
    ok = runner.invoke(cli, ["-w", str(shared_ws_path), "pack", str(po.pdf), str(sow), "-o",
                             str(out)])
    assert ok.exit_code == 0, ok.output
    assert "packed po PO-2026-000042, sow SOW-D-2026-0101" in ok.output
    bad = runner.invoke(cli, ["-w", str(shared_ws_path), "pack", str(sow), str(po.pdf), "-o",
                              str(tmp_path / "x.pdf")])
    assert bad.exit_code == 2
    assert "give the PO" in bad.output
