"""The ways issue 12 found to fool ``docgen verify``, each closed: a forged page with a pack
manifest that names the genuine PO, a genuine pack with its text changed, and an incremental
update appending a payment instruction. Before signatures, the file's own registered hash and the
printed-text check, every one of these verified."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from docgen.verify import VerifyReport, verify_file
from docgen.workspace import Workspace

FORGED_NAME = "Mallory Trading Ltd."


def _failed(report: VerifyReport) -> dict[str, list[str]]:
    return {c.name: list(c.mismatches) for c in report.checks if not c.ok}


@pytest.fixture
def forged_page(shared_ws: Workspace, tmp_path: Path, tools: Any,
                monkeypatch: pytest.MonkeyPatch) -> Callable[[], Path]:
    """A PO of D-2026-0101 whose page says "920 seat" and another customer, while its embedded
    data stays the genuine PO's (what a forger re-rendering the page would make)."""
    from docgen.render import documents

    real = documents.build_document_context

    class Tampered:
        def __init__(self, ctx: Any) -> None:
            self.ctx = ctx

        def model_dump(self) -> dict[str, Any]:
            data = self.ctx.model_dump()
            (seats,) = [ln for ln in data["lines"] if ln["quantity"] == "120"]
            seats["quantity"] = "920"
            data["customer"]["name"] = FORGED_NAME
            return data

    def make() -> Path:
        with monkeypatch.context() as m:
            m.setattr(documents, "build_document_context",
                      lambda doc, templates_dir: Tampered(real(doc, templates_dir)))
            deal = next((shared_ws.root / "examples" / "deals").glob("D-2026-0101*.yaml"))
            rendered, _ = tools.render(shared_ws, deal, tmp_path / "forged",
                                       number="PO-2026-000042")
        return Path(rendered.paths["pdf"])

    return make


def _with_manifest(pdf: Path, claims_sha256: str, number: str, out: Path) -> Path:
    """`pdf` plus a ``docgen-pack.json`` claiming it was built from the file `claims_sha256`."""
    from docgen.pack import PACK_FORMAT, _attach

    writer = PdfWriter(clone_from=io.BytesIO(pdf.read_bytes()))
    manifest = {"format": PACK_FORMAT, "deal": "D-2026-0101",
                "parts": [{"kind": "po", "number": number, "sha256": claims_sha256}]}
    _attach(writer, "docgen-pack.json", json.dumps(manifest).encode(),
            subtype="/application/json", relationship="/Supplement", description="pack",
            moment="D:20261122000000Z")
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def test_forged_quantity_and_customer_with_a_pack_manifest(
        final_po: Callable[..., Any], forged_page: Callable[[], Path], shared_ws: Workspace,
        tmp_path: Path) -> None:
    # given: the genuine PO, and a forged page ("120 seat" -> "920 seat", another customer)
    #        carrying the genuine data and a manifest naming the genuine PO's SHA-256
    po = final_po()
    genuine_sha = hashlib.sha256(po.pdf.read_bytes()).hexdigest()
    forged = _with_manifest(forged_page(), genuine_sha, po.number, tmp_path / "forged.pdf")
    assert "920 seat" in "\n".join(p.extract_text() for p in PdfReader(forged).pages)
    # when
    report = verify_file(shared_ws, forged, po.registry)
    failed = _failed(report)
    # then: the manifest's claim is not believed, the signature is broken, the page disagrees
    assert not report.ok
    assert any("not the issued file" in m for m in failed["registry"])
    assert failed["signature"]
    assert "line 2 quantity and unit '120 seat' is not on the page" in failed["printed text"]
    assert any(m.startswith("customer name 'Harbor Freight Analytics Inc.'")
               for m in failed["printed text"])


def test_genuine_pack_with_text_changed(final_po: Callable[..., Any], shared_ws: Workspace,
                                        forged_page: Callable[[], Path], tools: Any,
                                        tmp_path: Path) -> None:
    # given: a genuine pack (signed, recorded), then its first page swapped for a forged one
    po = final_po()
    deal = next((shared_ws.root / "examples" / "deals").glob("D-2026-0101*.yaml"))
    sow, _ = tools.render(shared_ws, deal, tmp_path / "sow", number="SOW-D-2026-0101",
                          kind="sow")
    pack = tools.pack(shared_ws, [po.pdf, Path(sow.paths["pdf"])], tmp_path / "pack.pdf",
                      po.registry).path
    assert verify_file(shared_ws, pack, po.registry).ok
    writer = PdfWriter(clone_from=io.BytesIO(pack.read_bytes()))
    writer.insert_page(PdfReader(forged_page()).pages[0], 0)
    writer.remove_page(1)
    changed = tmp_path / "pack-changed.pdf"
    with changed.open("wb") as fh:
        writer.write(fh)
    # when
    report = verify_file(shared_ws, changed, po.registry)
    failed = _failed(report)
    # then
    assert not report.ok
    assert any("the pack is not the issued file" in m for m in failed["registry"])
    assert failed["signature"]
    assert any("'120 seat' is not on the page" in m for m in failed["printed text"])


def _append_payment_instruction(pdf: Path, out: Path) -> Path:
    """An incremental update drawing "Total due $1.00 (pay to IBAN …)" on the last page."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
    )

    writer = PdfWriter(pdf, incremental=True)
    page = writer.pages[-1]
    font = writer._add_object(DictionaryObject({  # noqa: SLF001 - a forger's tool
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    resources = page["/Resources"].get_object()
    fonts = resources.get("/Font")
    if fonts is None:
        resources[NameObject("/Font")] = fonts = DictionaryObject()
    fonts.get_object()[NameObject("/FX0")] = font
    text = DecodedStreamObject()
    text.set_data(b"BT /FX0 12 Tf 40 40 Td (Total due $1.00 \\(pay to IBAN NL91ABNA0417164300\\))"
                  b" Tj ET")
    contents = page["/Contents"]
    old = list(contents) if isinstance(contents, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([*old, writer._add_object(text)])  # noqa: SLF001
    with out.open("wb") as fh:
        writer.write(fh)
    return out


@pytest.mark.parametrize("what", ["po", "pack"])
def test_incremental_update_adding_a_payment_instruction(
        what: str, final_po: Callable[..., Any], shared_ws: Workspace, tools: Any,
        tmp_path: Path) -> None:
    # given: a genuine PO, or a genuine pack of it, with an update appended after signing
    po = final_po()
    target = po.pdf
    if what == "pack":
        deal = next((shared_ws.root / "examples" / "deals").glob("D-2026-0101*.yaml"))
        sow, _ = tools.render(shared_ws, deal, tmp_path / "sow", number="SOW-D-2026-0101",
                              kind="sow")
        target = tools.pack(shared_ws, [po.pdf, Path(sow.paths["pdf"])], tmp_path / "pack.pdf",
                            po.registry).path
    updated = _append_payment_instruction(target, tmp_path / "updated.pdf")
    assert updated.read_bytes().startswith(target.read_bytes())  # the original bytes, untouched
    assert "pay to IBAN" in "\n".join(p.extract_text() for p in PdfReader(updated).pages)
    # when
    report = verify_file(shared_ws, updated, po.registry)
    failed = _failed(report)
    # then
    assert not report.ok
    assert any("does not cover the whole file" in m for m in failed["signature"])
    assert any("not the issued file" in m for m in failed["registry"])
    assert "the page shows the amount '$1.00', which is not in the PO's data" in \
        failed["printed text"]


EXAMPLES = sorted(p.stem[:11] for p in
                  (Path(__file__).resolve().parents[2] / "examples" / "deals").glob("*.yaml"))


@pytest.mark.parametrize("deal", EXAMPLES)
def test_every_sample_final_po_verifies(final_po: Callable[..., Any], shared_ws: Workspace,
                                        deal: str) -> None:
    """No false alarm in any locale: every text and figure is found, no amount is extra."""
    po = final_po(deal)
    report = verify_file(shared_ws, po.pdf, po.registry)
    assert report.ok, report.mismatches


def test_genuine_final_po_verifies_with_its_signature(final_po: Callable[..., Any],
                                                      shared_ws: Workspace) -> None:
    po = final_po()
    report = verify_file(shared_ws, po.pdf, po.registry)
    assert report.ok, report.mismatches
    (sig,) = [c for c in report.checks if c.name == "signature"]
    assert "PAdES, signed 2026-11-22" in sig.summary
    assert "covers the whole file" in sig.summary


def test_a_po_signed_with_another_key_is_refused(final_po: Callable[..., Any],
                                                  shared_ws: Workspace, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a PO signed with some other certificate (a forger's own self-signed one)
    from docgen.signing import ENV_P12, create_self_signed

    other = tmp_path / "other.p12"
    create_self_signed(other, "docgen self-signed (for trying out)")
    monkeypatch.setenv(ENV_P12, str(other))
    po = final_po()
    monkeypatch.delenv(ENV_P12)
    # when
    failed = _failed(verify_file(shared_ws, po.pdf, po.registry))
    # then: only the signature disagrees
    assert list(failed) == ["signature"]
    assert "not with this workspace's signing certificate" in failed["signature"][0]
