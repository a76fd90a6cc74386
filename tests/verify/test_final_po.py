"""Final POs are PDF/A-3b with the priced deal (JSON) and an Order-X order embedded; the XML's,
the JSON's and the printed totals are equal; drafts stay plain PDFs."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import facturx
import pytest
from babel.numbers import format_currency
from lxml import etree
from pypdf import PdfReader

from docgen.orderx import NS
from docgen.workspace import Workspace

EXAMPLES = sorted(p.stem[:11] for p in
                  (Path(__file__).resolve().parents[2] / "examples" / "deals").glob("*.yaml"))


def _xml_amount(root: etree._Element, path: str) -> Decimal:
    text = root.findtext(path, namespaces=NS)
    assert text is not None, path
    return Decimal(text)


def test_final_po_is_pdfa3b_with_json_and_orderx(final_po: Callable[..., Any]) -> None:
    # given / when
    po = final_po()
    reader = PdfReader(po.pdf)
    root = reader.trailer["/Root"]
    # then: PDF/A-3b claim, sRGB output intent
    xmp = reader.xmp_metadata
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "B")
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert reader.pdf_header == "%PDF-1.7"
    # both files, once each in /AF, with their MIME types and relationships
    af = [ref.get_object()["/UF"] for ref in root["/AF"]]
    assert sorted(af) == ["docgen-po.json", "order-x.xml"]
    by_name = {a.name: a for a in reader.attachment_list}
    assert by_name["order-x.xml"].subtype == "/text/xml"
    assert by_name["docgen-po.json"].subtype == "/application/json"
    assert {a.associated_file_relationship for a in by_name.values()} == {"/Data"}
    # the XMP declares the order (fx: schema with its PDF/A extension description)
    meta = xmp.stream.get_data()
    etree.fromstring(meta)  # well-formed: one rdf:RDF
    assert meta.count(b"<rdf:RDF") == 1
    for needle in (b"<fx:DocumentType>ORDER</fx:DocumentType>",
                   b"<fx:ConformanceLevel>COMFORT</fx:ConformanceLevel>",
                   b"<fx:DocumentFileName>order-x.xml</fx:DocumentFileName>",
                   b"<pdfaSchema:prefix>fx</pdfaSchema:prefix>"):
        assert needle in meta
    # factur-x, as a customer's system would, finds and validates the order
    name, xml = facturx.get_xml_from_pdf(po.pdf.read_bytes(), check_xsd=True)
    assert name == "order-x.xml"
    assert facturx.get_flavor(etree.fromstring(xml)) == "order-x"


def test_final_po_is_signed_and_stays_pdfa(final_po: Callable[..., Any],
                                          shared_ws: Workspace) -> None:
    """The signature is an incremental update after the PDF/A file: the project's PDF/A checks
    still pass on the signed bytes, WeasyPrint's XMP is kept, the signing time is the issue date."""
    from docgen.signing import signature_check, trusted_certificate
    from docgen.verify import _check_pdfa, load_pdf

    # given / when
    po = final_po()
    blob = po.pdf.read_bytes()
    # then: one PAdES signature, with the workspace's certificate, covering every byte
    summary, problems = signature_check(blob, trusted_certificate(shared_ws))
    assert problems == [], summary
    assert "signed 2026-11-22" in summary
    assert b"/SubFilter /ETSI.CAdES.detached" in blob
    assert blob.count(b"%%EOF") == 2  # WeasyPrint's file, then the signature's update
    # the PDF/A checks on the signed file: XMP 3B, output intent, /AF once, annotations
    assert _check_pdfa(load_pdf(po.pdf), ["docgen-po.json", "order-x.xml"]).mismatches == ()
    meta = PdfReader(po.pdf).xmp_metadata.stream.get_data()
    assert b"pyHanko" not in meta
    assert b"<fx:DocumentType>ORDER</fx:DocumentType>" in meta
    # the same PO signed again gives the same bytes
    again = final_po(out=po.pdf.parent / "again")
    assert again.pdf.read_bytes() == blob


def test_draft_po_stays_a_plain_pdf(draft_po: Callable[..., Path]) -> None:
    # given / when
    reader = PdfReader(draft_po())
    # then: not signed, no PDF/A claim, no Order-X order, the JSON still there (the deal file)
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert reader.xmp_metadata is None or not reader.xmp_metadata.pdfaid_part
    assert list(reader.attachments) == ["docgen-po.json"]
    data = json.loads(reader.attachments["docgen-po.json"][0])
    assert data["document"]["draft"] is True
    assert data["deal_file"]["deal"] == data["deal"]


@pytest.mark.parametrize("deal", EXAMPLES)
def test_xml_json_and_printed_totals_are_equal(final_po: Callable[..., Any], deal: str) -> None:
    """Read all three back: XML with lxml, JSON with pypdf, the page with extract_text()."""
    # given
    po = final_po(deal)
    reader = PdfReader(po.pdf)
    data = json.loads(reader.attachments["docgen-po.json"][0])
    xml = etree.fromstring(reader.attachments["order-x.xml"][0])
    text = "\n".join(p.extract_text() for p in reader.pages)
    totals, cur = data["totals"], data["currency"]
    locale = data["customer"]["locale"]
    summation = ("rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
                 "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:")
    # then: XML == JSON
    assert _xml_amount(xml, summation + "LineTotalAmount") == Decimal(totals["sold_subtotal"])
    assert _xml_amount(xml, summation + "TaxBasisTotalAmount") == Decimal(totals["sold_subtotal"])
    assert _xml_amount(xml, summation + "TaxTotalAmount") == Decimal(totals["tax_amount"])
    assert _xml_amount(xml, summation + "GrandTotalAmount") == Decimal(totals["total_due"])
    items = xml.findall("rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem",
                        NS)
    assert len(items) == len(data["lines"])
    for item, line in zip(items, data["lines"], strict=True):
        line_total = _xml_amount(item, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTrade"
                                       "SettlementLineMonetarySummation/ram:LineTotalAmount")
        assert line_total == Decimal(line["sold_amount"])
    # and JSON == printed: every total as Babel formats it for the customer's locale
    for key in ("list_total", "discount_total", "sold_subtotal", "total_due"):
        shown = format_currency(Decimal(totals[key]), cur, locale=locale)
        assert shown in text, (key, shown)
    if totals["tax_rate"] is not None:
        assert format_currency(Decimal(totals["tax_amount"]), cur, locale=locale) in text
    for line in data["lines"]:
        if not line["included"]:
            assert format_currency(Decimal(line["sold_amount"]), cur, locale=locale) in text
    # and the totals reconcile (list - discount = sold; lines add up)
    assert Decimal(totals["list_total"]) - Decimal(totals["discount_total"]) == \
        Decimal(totals["sold_subtotal"])
    assert sum(Decimal(ln["sold_amount"]) for ln in data["lines"]) == \
        Decimal(totals["sold_subtotal"])


def test_embedded_json_carries_the_deal_file_and_reprices_equal(
        final_po: Callable[..., Any], shared_ws: Workspace) -> None:
    # given
    from docgen.models.deal import Deal
    from docgen.pricing import price_deal

    po = final_po("D-2026-0042")
    data = json.loads(PdfReader(po.pdf).attachments["docgen-po.json"][0])
    # when: the deal file alone, priced again
    deal = Deal.model_validate(data["deal_file"])
    again = price_deal(deal, shared_ws.catalogue, shared_ws.policy).to_json()
    # then
    assert again["fingerprint"] == data["fingerprint"] == po.fingerprint
    assert again["lines"] == data["lines"]
    assert again["totals"] == data["totals"]
    assert data["document"] == {"kind": "po", "number": po.number, "draft": False,
                                "issue_date": "2026-11-22", "valid_until": "2026-12-22"}
