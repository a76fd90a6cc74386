"""Order-X: every sample deal gives an order that passes the official XSD and Schematron offline,
and the price representation reconciles to the cent whatever the discount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import facturx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from docgen import orderx
from docgen.errors import RenderError
from docgen.money import quantize
from docgen.orderx import NS, build_orderx, line_prices, parse_orderx, read_orderx
from docgen.workspace import Workspace

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "deals").glob("*.yaml"))


def _order(ws: Workspace, deal: Path, vendor: object = None) -> bytes:
    from docgen import api

    with api.Session(ws) as s:
        result = s.validate([deal])[0]
    return build_orderx(result.priced, vendor=vendor or ws.catalogue.catalogue.vendor,
                        number="PO-2026-000001", issue_date=date(2026, 11, 22),
                        valid_until=date(2026, 12, 22))


@pytest.mark.parametrize("deal", EXAMPLES, ids=lambda p: p.stem)
def test_orderx_sample_deals_pass_official_xsd_and_schematron(shared_ws: Workspace,
                                                               deal: Path) -> None:
    # given / when
    xml = _order(shared_ws, deal)
    root = parse_orderx(xml)
    # then: factur-x's own XSD check (offline), our Schematron run, our sums
    assert facturx.xml_check_xsd(xml, flavor="order-x", level="comfort") is True
    assert orderx.check_orderx(root) == []
    assert orderx.arithmetic_problems(read_orderx(root)) == []
    assert facturx.get_level(root, flavor="order-x") == "comfort"
    assert facturx.get_orderx_type(root) == "order"
    assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "220"


def test_orderx_lines_show_gross_allowance_and_net(shared_ws: Workspace) -> None:
    # given: 12 months of LIC-ANL-PRO at USD 1,300.00 with 5 % off
    xml = _order(shared_ws, EXAMPLES[[p.stem for p in EXAMPLES].index("D-2026-0101-clean")])
    item = parse_orderx(xml).find("rsm:SupplyChainTradeTransaction/"
                                  "ram:IncludedSupplyChainTradeLineItem", NS)
    assert item is not None
    gross = item.find("ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice", NS)
    # then
    assert gross.findtext("ram:ChargeAmount", namespaces=NS) == "1300.00"
    allowance = gross.find("ram:AppliedTradeAllowanceCharge", NS)
    assert allowance.findtext("ram:ChargeIndicator/udt:Indicator", namespaces=NS) == "false"
    assert allowance.findtext("ram:ActualAmount", namespaces=NS) == "65.00"
    assert item.findtext("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/"
                         "ram:ChargeAmount", namespaces=NS) == "1235.00"
    assert item.findtext("ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlement"
                         "LineMonetarySummation/ram:LineTotalAmount", namespaces=NS) == "14820.00"
    qty = item.find("ram:SpecifiedLineTradeDelivery/ram:RequestedQuantity", NS)
    assert (qty.text, qty.get("unitCode")) == ("12", "MON")


@pytest.mark.parametrize(
    ("unit", "qty", "list_amount", "discount", "sold", "expected"),
    [
        # per unit when exact: 5 % of 1300.00 is 65.00 a month
        ("1300.00", "12", "15600.00", "780.00", "14820.00", ("1300.00", "65.00", "1235.00", None)),
        # a discount amount that does not divide: priced for the whole quantity
        ("100.00", "3", "300.00", "100.00", "200.00", ("300.00", "100.00", "200.00", "3")),
        # included: the whole gross price is allowed
        ("2600.00", "1", "2600.00", "2600.00", "0.00", ("2600.00", "2600.00", "0.00", None)),
        # a 4-decimal unit price whose list amount was rounded: whole quantity
        ("0.0125", "3", "0.04", "0.00", "0.04", ("0.04", "0.00", "0.04", "3")),
        # JPY (0 decimals): 12.5 % of 1234 rounds to 154
        ("1234", "1", "1234", "154", "1080", ("1234", "154", "1080", None)),
        # BHD (3 decimals), per-unit allowance with more decimals than the price
        ("10.000", "4", "40.000", "1.002", "38.998", ("10.000", "0.2505", "9.7495", None)),
    ],
)
def test_line_prices_reconcile_to_the_cent(unit: str, qty: str, list_amount: str, discount: str,
                                           sold: str, expected: tuple[str, ...]) -> None:
    """The table: (gross, allowance, net, basis quantity) chosen for each line."""
    # when
    p = line_prices(Decimal(unit), Decimal(qty), Decimal(list_amount), Decimal(discount),
                    Decimal(sold))
    # then
    got = (str(p.gross), str(p.allowance), str(p.net), None if p.basis is None else str(p.basis))
    assert got == expected
    assert p.gross - p.allowance == p.net
    assert p.net * Decimal(qty) / (p.basis or 1) == Decimal(sold) == p.total


@settings(max_examples=400, deadline=None)
@given(unit=st.decimals(min_value=0, max_value=100000, places=4, allow_nan=False),
       qty=st.decimals(min_value=Decimal("0.001"), max_value=5000, places=3, allow_nan=False),
       pct=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
       currency=st.sampled_from(["EUR", "JPY", "BHD"]))
def test_line_prices_property_gross_minus_allowance_is_net(unit: Decimal, qty: Decimal,
                                                           pct: Decimal | None,
                                                           currency: str) -> None:
    # given: a line priced the way docgen.pricing prices it (half-up per line)
    list_amount = quantize(unit * qty, currency)
    discount = quantize(list_amount * pct / 100, currency) if pct is not None else \
        quantize(list_amount / 3, currency)
    sold = list_amount - discount
    # when
    p = line_prices(unit, qty, list_amount, discount, sold)
    factor = qty / (p.basis or 1)
    # then: every Order-X identity holds exactly
    assert p.gross - p.allowance == p.net
    assert p.net * factor == sold
    assert p.gross * factor == list_amount
    assert p.allowance * factor == discount


def test_check_orderx_names_schema_and_schematron_failures(shared_ws: Workspace) -> None:
    # given: a valid order, then a bad type code (XSD) and a missing unit code (Schematron)
    xml = _order(shared_ws, EXAMPLES[0])
    bad_type = parse_orderx(xml.replace(b"<ram:TypeCode>220</ram:TypeCode>",
                                        b"<ram:TypeCode>999</ram:TypeCode>"))
    no_unit = parse_orderx(xml.replace(b' unitCode="MON"', b"", 1))
    # then
    assert any("XSD" in p for p in orderx.check_orderx(bad_type))
    problems = orderx.check_orderx(no_unit)
    assert problems and all("Schematron" in p for p in problems)
    assert any("unitCode" in p for p in problems)


def test_arithmetic_problems_catch_a_total_the_xsd_accepts(shared_ws: Workspace) -> None:
    # given: a grand total off by one cent (the XSD does no arithmetic)
    xml = _order(shared_ws, EXAMPLES[0])
    root = parse_orderx(xml)
    grand = root.find(".//ram:GrandTotalAmount", NS)
    grand.text = str(Decimal(grand.text) + Decimal("0.01"))
    # when
    assert orderx.check_orderx(root) == []
    problems = orderx.arithmetic_problems(read_orderx(root))
    # then
    assert any("grand total" in p for p in problems)


def test_orderx_escapes_markup_in_deal_text(shared_ws: Workspace, write_deal: object,
                                            tmp_path: Path) -> None:
    # given: a customer name and custom line full of markup
    import yaml

    data = yaml.safe_load(EXAMPLES[0].read_text("utf-8"))
    data["customer"]["name"] = "ACME <script>alert(1)</script> & ]]> \"Co\""
    data["lines"].append({"custom": {"description": "<![CDATA[x]]> <!ENTITY e SYSTEM "
                                                    "'file:///etc/passwd'> &e;",
                                     "unit_price": "10.00", "quantity": 1}})
    path = write_deal(data)  # type: ignore[operator]
    # when
    xml = _order(shared_ws, path)
    root = parse_orderx(xml)
    # then: the text is element content, read back verbatim; the XML is still a valid order
    assert root.findtext(".//ram:BuyerTradeParty/ram:Name", namespaces=NS) == \
        data["customer"]["name"]
    assert b"<script>" not in xml and b"&lt;script&gt;" in xml
    assert orderx.check_orderx(root) == []
    assert b"root:" not in xml


def test_parse_orderx_does_not_resolve_external_entities(tmp_path: Path) -> None:
    # given: a hostile XML in a received PDF
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    blob = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
            "<r>&e;</r>").encode()
    # when
    root = parse_orderx(blob)
    # then
    assert "TOP-SECRET" not in etree.tostring(root).decode()


def test_vendor_without_a_country_is_refused(shared_ws: Workspace) -> None:
    # given: a vendor address without a country and a VAT id without an ISO prefix
    vendor = shared_ws.catalogue.catalogue.vendor.model_copy(
        update={"address": "Somewhere 1, Nowhere", "vat_id": None})
    # when / then
    with pytest.raises(RenderError, match="country"):
        _order(shared_ws, EXAMPLES[0], vendor=vendor)


def test_orderx_recurring_line_carries_quantity_and_months(shared_ws: Workspace) -> None:
    # given: D-2026-0140 sells 10 viewer seats for the 36-month term at EUR 15.00 a seat-month
    deal = next(p for p in EXAMPLES if p.stem.startswith("D-2026-0140"))
    # when
    root = parse_orderx(_order(shared_ws, deal))
    order = read_orderx(root)
    # then: the quantity is in seats, the gross price covers one seat for the 36 months, and a
    #       note states the months and the monthly price exactly
    line = order.lines[1]
    assert (line.code, line.quantity) == ("LIC-VIEWER", Decimal(10))
    assert line.gross == Decimal("540.00") and line.total == Decimal("5400.00")
    item = root.findall(".//ram:IncludedSupplyChainTradeLineItem", NS)[1]
    notes = [n.text for n in item.findall(".//ram:IncludedNote/ram:Content", NS)]
    assert "Recurring: 10 seat x 36 months at 15.00 per seat per month" in notes
    characteristic = item.find(".//ram:SpecifiedTradeProduct/ram:ApplicableProductCharacteristic",
                               NS)
    assert characteristic is not None
    assert (characteristic.findtext("ram:Description", namespaces=NS),
            characteristic.findtext("ram:Value", namespaces=NS)) == ("Billing months", "36")
    assert orderx.arithmetic_problems(order) == []
