"""``docgen verify``: a final PO verifies; an edited JSON, XML or page fails naming the difference;
a file docgen did not issue is unusable input (exit 2)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter

from docgen.errors import InputError
from docgen.verify import VerifyReport, verify_file
from docgen.workspace import Workspace
from tests.conftest import admin_token_for


def _verify(ws: Workspace, pdf: Path, registry: Any) -> VerifyReport:
    return verify_file(ws, pdf, registry)


def _failed(report: VerifyReport) -> dict[str, list[str]]:
    return {c.name: list(c.mismatches) for c in report.checks if not c.ok}


def test_verify_final_po_passes_every_check(final_po: Callable[..., Any],
                                            shared_ws: Workspace) -> None:
    # given
    po = final_po("D-2026-0042")
    # when
    report = _verify(shared_ws, po.pdf, po.registry)
    # then
    assert report.ok, report.mismatches
    assert [c.name for c in report.checks] == ["registry", "signature", "pricing", "Order-X",
                                               "PDF/A-3b", "printed figures", "printed text"]
    assert (report.number, report.deal) == (po.number, "D-2026-0042")


def test_verify_edited_json_names_the_field(tools: Any, final_po: Callable[..., Any],
                                            shared_ws: Workspace) -> None:
    # given: a forger lowers line 1's sold amount in the embedded JSON
    po = final_po()

    def edit(blob: bytes) -> bytes:
        data = json.loads(blob)
        data["lines"][0]["sold_amount"] = "14000.00"
        return json.dumps(data).encode()

    forged = tools.rewrite_attachment(po.pdf, "docgen-po.json", edit)
    # when
    report = _verify(shared_ws, forged, po.registry)
    failed = _failed(report)
    # then: the recomputation names the field, the registry the file, Order-X and the page
    #       disagree with the edited data
    assert not report.ok
    assert any("lines[0].sold_amount" in m and "14000.00" in m and "14820.00" in m
               for m in failed["pricing"])
    assert any("not the issued file" in m for m in failed["registry"])
    assert failed["signature"]  # rewriting the file broke docgen's signature
    assert any("line 1 line total" in m for m in failed["Order-X"])
    assert any("line 1 sold amount '$14,000.00'" in m for m in failed["printed figures"])


def test_verify_edited_xml_names_the_difference(tools: Any, final_po: Callable[..., Any],
                                                shared_ws: Workspace) -> None:
    # given: the grand total of the order raised by 100
    po = final_po()

    def edit(blob: bytes) -> bytes:
        return re.sub(rb"<ram:GrandTotalAmount>([\d.]+)</ram:GrandTotalAmount>",
                      rb"<ram:GrandTotalAmount>99999.00</ram:GrandTotalAmount>", blob)

    forged = tools.rewrite_attachment(po.pdf, "order-x.xml", edit)
    # when
    report = _verify(shared_ws, forged, po.registry)
    failed = _failed(report)
    # then
    assert set(failed) == {"registry", "signature", "Order-X"}
    assert any("grand total: the XML says 99999.00" in m for m in failed["Order-X"])
    assert any("is not the grand total 99999.00" in m for m in failed["Order-X"])


def test_verify_edited_page_names_the_figure(tools: Any, shared_ws: Workspace, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a PO whose page was re-rendered with another sold amount on line 2, data untouched
    from docgen.render import documents

    FakeRegistry, render = tools.FakeRegistry, tools.render
    real = documents.build_document_context

    class Tampered:
        def __init__(self, ctx: Any) -> None:
            self.ctx = ctx

        def model_dump(self) -> dict[str, Any]:
            data = self.ctx.model_dump()
            data["lines"][1]["sold_amount"] = "$2,900.00"
            return data

    monkeypatch.setattr(documents, "build_document_context",
                        lambda doc, templates_dir: Tampered(real(doc, templates_dir)))
    deal = next((shared_ws.root / "examples" / "deals").glob("D-2026-0101*.yaml"))
    rendered, result = render(shared_ws, deal, tmp_path, number="PO-2026-000042")
    registry = FakeRegistry()
    registry.record("PO-2026-000042", deal_id=result.deal.deal,
                    fingerprint=result.priced.fingerprint, pdf=rendered.paths["pdf"])
    # when
    report = _verify(shared_ws, rendered.paths["pdf"], registry)
    # then: only the page disagrees, and the messages name the line and the figures
    expected = "line 2 sold amount '$2,916.00' is not on the page"
    assert _failed(report) == {
        "printed figures": [expected],
        "printed text": [expected,
                         "the page shows the amount '$2,900.00', which is not in the PO's data"]}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"status": "void"}, "is void in the registry"),
        ({"fingerprint": "0" * 64}, "fingerprint: the registry has 000000000000"),
        ({"file_sha256": "f" * 64}, "is not the issued file"),
        ({"deal_id": "D-2099-0001"}, "was issued for deal D-2099-0001"),
    ],
)
def test_verify_registry_disagreements(final_po: Callable[..., Any], shared_ws: Workspace,
                                       change: dict[str, str], expected: str) -> None:
    # given
    po = final_po()
    po.registry.change(po.number, **change)
    # when
    report = _verify(shared_ws, po.pdf, po.registry)
    # then
    assert list(_failed(report)) == ["registry"]
    assert any(expected in m for m in _failed(report)["registry"])


def test_verify_number_unknown_to_the_registry(tools: Any, final_po: Callable[..., Any],
                                               shared_ws: Workspace) -> None:
    FakeRegistry = tools.FakeRegistry
    po = final_po()
    report = _verify(shared_ws, po.pdf, FakeRegistry())
    expected = f"{po.number} is not in the registry of issued documents"
    assert _failed(report) == {"registry": [expected]}
    assert not _verify(shared_ws, po.pdf, None).ok


def test_verify_draft_is_a_mismatch(tools: Any, draft_po: Callable[..., Path],
                                    shared_ws: Workspace) -> None:
    FakeRegistry = tools.FakeRegistry
    report = _verify(shared_ws, draft_po(), FakeRegistry())
    assert list(_failed(report)) == ["registry"]
    assert "DRAFT" in _failed(report)["registry"][0]


def test_verify_duplicate_attachment_names_are_a_mismatch(final_po: Callable[..., Any],
                                                          shared_ws: Workspace,
                                                          tmp_path: Path) -> None:
    # given: a second, different order-x.xml added next to the real one
    po = final_po()
    writer = PdfWriter(clone_from=io.BytesIO(po.pdf.read_bytes()))
    writer.add_attachment("order-x.xml", b"<r/>")
    forged = tmp_path / "dup.pdf"
    with forged.open("wb") as fh:
        writer.write(fh)
    # when
    failed = _failed(_verify(shared_ws, forged, po.registry))
    # then
    assert "two different files named order-x.xml embedded" in failed["Order-X"]


def test_verify_refuses_files_docgen_did_not_issue(shared_ws: Workspace, tmp_path: Path) -> None:
    # given: a text file, a truncated PDF and a PDF without docgen data
    not_pdf = tmp_path / "x.pdf"
    not_pdf.write_text("hello")
    truncated = tmp_path / "t.pdf"
    truncated.write_bytes(b"%PDF-1.7\n1 0 obj <<")
    plain = tmp_path / "plain.pdf"
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    with plain.open("wb") as fh:
        writer.write(fh)
    # when / then
    for path, message in ((not_pdf, "not a PDF"), (truncated, "PDF"),
                          (plain, "not a PO issued by docgen"),
                          (tmp_path / "missing.pdf", "no such file")):
        with pytest.raises(InputError) as exc:
            _verify(shared_ws, path, None)
        assert message in str(exc.value), path


def test_verify_refuses_when_the_catalogue_differs_from_its_lock(
        final_po: Callable[..., Any], ws: Workspace) -> None:
    # given: a private workspace whose catalogue was edited without a re-lock
    po = final_po()
    cat = ws.catalogue_path
    cat.write_text(cat.read_text("utf-8").replace('USD: "1300.00"', 'USD: "1250.00"', 1), "utf-8")
    from docgen import api

    fresh = api.Session(ws.root, locked=False).workspace
    # when / then
    with pytest.raises(InputError, match="LIC-ANL-PRO"):
        _verify(fresh, po.pdf, po.registry)


def test_verify_after_a_relock_uses_the_pos_recorded_version(
        final_po: Callable[..., Any], ws: Workspace, shared_ws: Workspace,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the PO's catalogue version is recorded; then a price changed under a new version
    #        (both workspaces sign with one company key)
    from docgen import api
    from docgen.signing import ENV_P12, P12_FILE, signing_key

    signing_key(shared_ws)
    monkeypatch.setenv(ENV_P12, str(shared_ws.state_dir / P12_FILE))
    po = final_po()
    with api.Session(ws.root) as s:
        s.versions.record_current()
    cat = ws.catalogue_path
    text = cat.read_text("utf-8").replace('USD: "1300.00"', 'USD: "1250.00"', 1)
    cat.write_text(text.replace('version: "2026.12"', 'version: "2027.01"', 1), "utf-8")
    with api.Session(ws.root, locked=False, token=admin_token_for(ws.root)) as s:
        s.lock_catalogue()
    # when
    with api.Session(ws.root) as s:
        report = verify_file(s.workspace, po.pdf, po.registry,
                             catalogue_for=s.versions.catalogue)
    # then: the genuine earlier PO still verifies, recomputed with 2026.12
    assert report.ok, report.mismatches


def test_verify_names_the_changed_price_when_the_pos_version_is_unknown(
        final_po: Callable[..., Any], ws: Workspace, shared_ws: Workspace,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the catalogue was changed and re-locked, and the PO's version was never recorded
    #        (both workspaces sign with one company key)
    from docgen import api
    from docgen.signing import ENV_P12, P12_FILE, signing_key

    signing_key(shared_ws)
    monkeypatch.setenv(ENV_P12, str(shared_ws.state_dir / P12_FILE))
    po = final_po()
    cat = ws.catalogue_path
    text = cat.read_text("utf-8").replace('USD: "1300.00"', 'USD: "1250.00"', 1)
    cat.write_text(text.replace('version: "2026.12"', 'version: "2027.01"', 1), "utf-8")
    with api.Session(ws.root, locked=False, token=admin_token_for(ws.root)) as s:
        s.lock_catalogue()
    # when
    with api.Session(ws.root) as s:
        failed = _failed(verify_file(s.workspace, po.pdf, po.registry,
                                     catalogue_for=s.versions.catalogue))
    # then
    assert list(failed) == ["pricing"]
    assert any("not recorded" in m for m in failed["pricing"])
    assert any("lines[0].list_unit_price" in m and "1250.00" in m for m in failed["pricing"])


def test_verify_survives_hostile_embedded_files(tools: Any, final_po: Callable[..., Any],
                                                shared_ws: Workspace, tmp_path: Path) -> None:
    # given: a received PDF whose JSON nests 100,000 deep, then one whose deal file smuggles a
    #        control character, then an order with an external entity and an entity bomb
    po = final_po()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711")
    deep = tools.rewrite_attachment(po.pdf, "docgen-po.json", lambda _: b"[" * 100_000 +
                                    b"]" * 100_000, tmp_path / "deep.pdf")

    def smuggle(blob: bytes) -> bytes:
        data = json.loads(blob)
        data["deal_file"]["customer"]["name"] = "ACME\u0007"
        return json.dumps(data).encode()

    control = tools.rewrite_attachment(po.pdf, "docgen-po.json", smuggle, tmp_path / "c.pdf")
    bomb = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY s SYSTEM "{secret.as_uri()}">'
            '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">'
            ']><r>&s;&d;</r>').encode()
    xxe = tools.rewrite_attachment(po.pdf, "order-x.xml", lambda _: bomb, tmp_path / "x.pdf")
    # when
    reports = {name: _verify(shared_ws, path, po.registry)
               for name, path in (("deep", deep), ("control", control), ("xxe", xxe))}
    # then: each is a named mismatch, never a crash, and nothing was read or expanded
    assert _failed(reports["deep"]) == {"embedded data": [
        "docgen-po.json: it is not docgen.priced-deal/1 JSON"]}
    assert any("control character" in m for m in _failed(reports["control"])["pricing"])
    xml_problems = _failed(reports["xxe"])["Order-X"]
    assert xml_problems and "TOP-SECRET" not in " ".join(xml_problems)
    assert "aaaaaaaaaa" not in " ".join(xml_problems)
