"""Build the starting DOCX templates in templates/docx/ with python-docx.

Legal owns these files and edits them in Word; this script only produced their first version and
is kept so that a lost template can be rebuilt. Running it overwrites templates/docx/*.docx:
    .venv/bin/python scripts/build_docx_templates.py [po|sow|onboarding ...]
Then run `docgen templates check`.

Every tag is written into a single run (one `add_run` / `cell.text`), so no tag is split by
formatting; tables get explicit column widths (Word and LibreOffice otherwise share the width
evenly, which made the PO's description column very narrow).

The files must stay valid against the WordprocessingML schema (tests/render/test_docx_schema.py):
properties are inserted in the schema's element order and never twice (python-docx's
``table.autofit = False`` already writes ``w:tblLayout``), and the ``stylesWithEffects`` part of
python-docx's default template, which no longer matches ``styles.xml`` once headers and footers
add their styles, is dropped. Every document is portrait A4, in the PDF's design: the PO has the
PDF's columns, a table's header row repeats on each page, no table row splits across pages and
the totals stay together.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "templates" / "docx"
RED = RGBColor(0xB0, 0x00, 0x20)
GREY = RGBColor(0x55, 0x55, 0x55)
#: Background of a table's header row (the PDF's ``.lines th``).
HEADER_FILL = "EEF0F3"
#: Usable width between the margins (A4, 14 mm margins).
PORTRAIT_MM = 210 - 28
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
#: Children of w:trPr and w:tcPr after the ones added here, in schema order.
_TRPR_AFTER_CANTSPLIT = ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden",
                         "w:ins", "w:del", "w:trPrChange")
_TRPR_AFTER_TBLHEADER = _TRPR_AFTER_CANTSPLIT[2:]
_TCPR_AFTER_SHD = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
                   "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge",
                   "w:tcPrChange")
_TBLPR_AFTER_TBLW = ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                     "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                     "w:tblDescription", "w:tblPrChange")
_TBLPR_AFTER_CELLMAR = _TBLPR_AFTER_TBLW[7:]


def add_field(paragraph, instr: str) -> None:  # noqa: ANN001 - python-docx objects
    """Insert a Word field (PAGE, NUMPAGES) into `paragraph`."""
    run = paragraph.add_run()
    run.font.size = Pt(8)
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", "1"),
                       ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)  # noqa: SLF001


def set_widths(table, widths_mm: Sequence[float]) -> None:  # noqa: ANN001
    """Fixed column widths: grid columns, every cell, and a fixed layout (Word and LibreOffice)."""
    # autofit = False is python-docx's way of writing <w:tblLayout w:type="fixed"/>; adding one
    # more made every table schema-invalid (two w:tblLayout in w:tblPr)
    table.autofit = False
    tbl_pr = table._tbl.tblPr  # noqa: SLF001
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.insert_element_before(tbl_w, *_TBLPR_AFTER_TBLW)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(int(sum(Mm(w).twips for w in widths_mm))))  # type: ignore[attr-defined]
    for col, w in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(w)


def cell_margins(table, mm: float) -> None:  # noqa: ANN001
    """Left and right cell margins of every cell of `table` (Word's default is 1.9 mm)."""
    tbl_pr = table._tbl.tblPr  # noqa: SLF001
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(Mm(mm).twips))  # type: ignore[attr-defined]
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tbl_pr.insert_element_before(mar, *_TBLPR_AFTER_CELLMAR)


def keep_rows_whole(table) -> None:  # noqa: ANN001
    """No row of `table` splits across two pages (``w:cantSplit``)."""
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()  # noqa: SLF001
        if tr_pr.find(qn("w:cantSplit")) is None:
            tr_pr.insert_element_before(OxmlElement("w:cantSplit"), *_TRPR_AFTER_CANTSPLIT)


def header_row(table, size: float | None = None) -> None:  # noqa: ANN001
    """Row 0 of `table` repeats at the top of each page (``w:tblHeader``), bold, shaded."""
    row = table.rows[0]
    tr_pr = row._tr.get_or_add_trPr()  # noqa: SLF001
    tr_pr.insert_element_before(OxmlElement("w:tblHeader"), *_TRPR_AFTER_TBLHEADER)
    for cell in row.cells:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), HEADER_FILL)
        cell._tc.get_or_add_tcPr().insert_element_before(shd, *_TCPR_AFTER_SHD)  # noqa: SLF001
        for p in cell.paragraphs:
            for run in p.runs:
                run.bold = True
                if size:
                    run.font.size = Pt(size)


def keep_together(table) -> None:  # noqa: ANN001
    """`table` stays on one page: rows never split, each row kept with the next."""
    keep_rows_whole(table)
    for row in table.rows[:-1]:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def drop_styles_with_effects(doc) -> None:  # noqa: ANN001
    """Remove the Word 2010 ``stylesWithEffects`` part of python-docx's default template.

    It is optional, and it no longer matches ``styles.xml`` once the header and footer add their
    styles (openxml-audit: "styles.xml contains 4 style(s) not in stylesWithEffects").
    """
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype == STYLES_WITH_EFFECTS:
            doc.part.drop_rel(rid)


def new_document():  # noqa: ANN201
    """A portrait A4 document with Calibri body text and the standard header and footer."""
    doc = Document()
    drop_styles_with_effects(doc)
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Mm(14))
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(18)
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(9)
    style.paragraph_format.space_after = Pt(2)
    # as in the PDF: a quotation's, draft's or internal copy's word and notice in bold red,
    # centred ("QUOTATION · Not an order"); on the customer's final copy the vendor in grey,
    # right (two paragraphs, one of them empty, each a whole tag: legal can restyle either)
    draft = sec.header.paragraphs[0]
    draft.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = draft.add_run("{% if doc.watermark %}{{ doc.watermark }} · {{ doc.header_notice }}"
                        "{% endif %}")
    run.bold = True
    run.font.size = Pt(9)
    run.font.color.rgb = RED
    issued = sec.header.add_paragraph()
    issued.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = issued.add_run("{% if not doc.watermark %}{{ vendor.name }}{% endif %}")
    run.font.size = Pt(8)
    run.font.color.rgb = GREY
    for p in (draft, issued):
        p.paragraph_format.space_after = Pt(0)
    add_watermark(draft)
    foot = sec.footer.paragraphs[0]
    r = foot.add_run("{{ doc.footer }}    {{ label.page }} ")
    r.font.size = Pt(8)
    add_field(foot, "PAGE")
    foot.add_run(" {{ label.of }} ").font.size = Pt(8)
    add_field(foot, "NUMPAGES")
    return doc


#: Word's own watermark (Design > Watermark): a VML text shape in the header, centred on every
#: page, drawn behind the text. It prints doc.watermark (QUOTATION, DRAFT, INTERNAL) and is left
#: out of a customer's final copy; in Word legal changes it like any watermark.
_SHAPETYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(f'<v:f eqn="{e}"/>' for e in (
        "sum #0 0 10800", "prod #0 2 1", "sum 21600 0 @1", "sum 0 0 @2", "sum 21600 0 @3",
        "if @0 @3 0", "if @0 21600 @1", "if @0 0 @2", "if @0 @4 21600", "mid @5 @6",
        "mid @8 @5", "mid @7 @8", "mid @6 @7", "sum @6 0 @5"))
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" '
    'xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/>'
    '</v:shapetype>')
WATERMARK_XML = (
    '{% if doc.watermark %}<w:r><w:rPr><w:noProof/></w:rPr><w:pict>' + _SHAPETYPE +
    '<v:shape id="docgenWatermark" o:spid="_x0000_s1025" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:440pt;height:110pt;'
    'rotation:315;z-index:-251657216;mso-position-horizontal:center;'
    'mso-position-horizontal-relative:margin;mso-position-vertical:center;'
    'mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="silver" '
    'stroked="f"><v:fill opacity=".5"/><v:textpath style="font-family:&quot;Calibri&quot;;'
    'font-size:1pt" string="{{ doc.watermark }}"/></v:shape></w:pict></w:r>{% endif %}')


def add_watermark(paragraph) -> None:  # noqa: ANN001 - a python-docx paragraph
    """Append the watermark run (inside a Jinja condition) to a header paragraph."""
    from lxml import etree

    ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"')
    # the Jinja tags around the run are text between elements: carried by the paragraph's tail
    before, rest = WATERMARK_XML.split("<w:r>", 1)
    run_xml, after = ("<w:r>" + rest).rsplit("</w:r>", 1)
    frag = etree.fromstring(f"<w:p {ns}>{run_xml}</w:r></w:p>")
    run = frag[0]
    p = paragraph._p  # noqa: SLF001 - python-docx has no API for VML
    last = p[-1]
    last.tail = (last.tail or "") + before
    p.append(run)
    run.tail = after


def heading(doc, var: str) -> None:  # noqa: ANN001
    """A section heading printing a label."""
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(8)
    run = p.add_run("{{ " + var + " }}")
    run.bold = True
    run.font.size = Pt(10)
    run.font.color.rgb = GREY


def draft_block(doc) -> None:  # noqa: ANN001
    """Under the title: an internal copy's notice and what blocks the document (the customer's
    quotation or draft never lists blockers)."""
    doc.add_paragraph("{%p if doc.internal %}")
    p = doc.add_paragraph()
    run = p.add_run("{{ label.internal_notice }}")
    run.bold = True
    run.font.color.rgb = RED
    doc.add_paragraph("{%p for b in doc.blockers %}")
    doc.add_paragraph("{{ label.blocked_by }}: {{ b }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endif %}")


def optional(cell, var: str, text: str) -> None:  # noqa: ANN001
    """A paragraph of `cell` printed only when `var` has a value (docxtpl's ``{%p if %}``)."""
    cell.add_paragraph("{%p if " + var + " %}")
    cell.add_paragraph(text)
    cell.add_paragraph("{%p endif %}")


def parties(doc, width: float) -> None:  # noqa: ANN001
    """Vendor and customer blocks side by side."""
    t = doc.add_table(rows=2, cols=2)
    t.style = "Table Grid"
    t.cell(0, 0).text = "{{ label.vendor }}"
    t.cell(0, 1).text = "{{ label.customer }}"
    for j in (0, 1):
        t.cell(0, j).paragraphs[0].runs[0].bold = True
    # like the PDF's parties: a line without a value (VAT ID, e-mail, invoice contact) is left
    # out, not printed as an empty "VAT ID:"
    v = t.cell(1, 0)
    v.text = "{{ vendor.name }}"
    v.add_paragraph("{% for l in vendor.address_lines %}{{ l }}{% if not loop.last %}, "
                    "{% endif %}{% endfor %}")
    optional(v, "vendor.vat_id", "{{ label.vat_id }}: {{ vendor.vat_id }}")
    optional(v, "vendor.email", "{{ vendor.email }}")
    c = t.cell(1, 1)
    c.text = "{{ customer.name }}"
    c.add_paragraph("{% for l in billing_address %}{{ l }}{% if not loop.last %}, "
                    "{% endif %}{% endfor %}")
    optional(c, "customer.vat_id", "{{ label.vat_id }}: {{ customer.vat_id }}")
    optional(c, "invoice_contact.name",
             "{{ label.invoice_contact }}: {{ invoice_contact.name }}"
             "{% if invoice_contact.email %}, {{ invoice_contact.email }}{% endif %}"
             "{% if invoice_contact.phone %}, {{ invoice_contact.phone }}{% endif %}")
    set_widths(t, [width / 2, width / 2])
    doc.add_paragraph()


def facts_table(doc, rows: Sequence[tuple[str, str, str, str]], width: float) -> None:  # noqa: ANN001
    """Label/value pairs, two per row."""
    t = doc.add_table(rows=len(rows), cols=4)
    for i, row in enumerate(rows):
        for j, var in enumerate(row):
            t.cell(i, j).text = "{{ " + var + " }}"
            if j % 2 == 0:
                t.cell(i, j).paragraphs[0].runs[0].font.color.rgb = GREY
    set_widths(t, [width * 0.18, width * 0.32, width * 0.18, width * 0.32])
    doc.add_paragraph()


def po_facts(doc, width: float) -> None:  # noqa: ANN001
    """PO number, dates, currency, terms."""
    facts_table(doc, [("label.po_number", "doc.number", "label.deal", "deal.id"),
                      ("label.issue_date", "doc.issue_date", "label.valid_until", "doc.valid_until"),
                      ("label.currency", "deal.currency", "label.territory", "deal.territory_name"),
                      ("label.contract_start", "deal.contract_start", "label.term", "deal.term"),
                      ("label.payment_terms", "deal.payment_terms", "label.sales_rep",
                       "deal.sales_rep")], width)


def doc_facts(doc, width: float) -> None:  # noqa: ANN001
    """Reference, deal and contract dates of a SOW or an onboarding form."""
    facts_table(doc, [("label.reference", "doc.number", "label.deal", "deal.id"),
                      ("label.issue_date", "doc.issue_date", "label.sales_rep", "deal.sales_rep"),
                      ("label.contract_start", "deal.contract_start", "label.term", "deal.term"),
                      ("label.go_live", "deal.go_live", "label.territory", "deal.territory_name")],
                width)


def grid(  # noqa: ANN201, PLR0913
        doc, header: Sequence[str], loop: str,  # noqa: ANN001
        cells: Sequence[str | Sequence[str]], widths: Sequence[float], right: Sequence[int] = (),
        size: float | None = None):
    """A table: a header row of labels repeated on each page, then one row per item of `loop`
    ("x in items"); no row splits across pages.

    Each entry of `cells` is one cell: a string (one paragraph) or several paragraphs; a header
    entry is a label path or a template text (``{{ … }}``). `size` is the font size in points.
    """
    t = doc.add_table(rows=4, cols=len(header))
    t.style = "Table Grid"
    for j, label in enumerate(header):
        cell = t.cell(0, j)
        cell.text = label if "{{" in label else "{{ " + label + " }}"
        if j in right:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    t.cell(1, 0).text = "{%tr for " + loop + " %}"
    for j, content in enumerate(cells):
        cell = t.cell(2, j)
        paras = [content] if isinstance(content, str) else list(content)
        cell.text = paras[0]
        for extra in paras[1:]:
            cell.add_paragraph(extra)
        for p in cell.paragraphs:
            if j in right:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if size:
                for run in p.runs:
                    run.font.size = Pt(size)
    t.cell(3, 0).text = "{%tr endfor %}"
    set_widths(t, widths)
    header_row(t, size=size - 1 if size else None)
    keep_rows_whole(t)
    return t


def po(doc) -> None:  # noqa: ANN001
    """The purchase order body: the PDF's columns (SKU and description in one, quantity with its
    unit), portrait."""
    width = PORTRAIT_MM
    doc.add_heading("{{ doc.title }}", level=1)
    draft_block(doc)
    parties(doc, width)
    po_facts(doc, width)
    header = ["label.line_no", "{{ label.sku }} / {{ label.description }}", "label.quantity",
              "label.list_unit_price", "label.list_amount", "label.discount_pct",
              "label.discount_amount", "label.sold_amount"]
    cells: list[str | list[str]] = [
        "{{ l.no }}",
        ["{% if l.code %}{{ l.code }} · {% endif %}{{ l.name }}", "{%p if not l.custom %}",
         "{{ l.description }}", "{%p endif %}", "{%p for d in l.details %}", "{{ d }}",
         "{%p endfor %}"],
        "{{ l.quantity_text }}", "{{ l.list_unit_price }}", "{{ l.list_amount }}",
        "{{ l.discount_pct }}", "{{ l.discount_amount }}", "{{ l.sold_amount }}"]
    #         no desc qty lup  la  d%  da sold   (182 mm)
    widths = [6, 60, 17, 21, 22, 13, 21, 22]
    t = grid(doc, header, "l in lines", cells, widths, right=range(2, 8), size=8)
    cell_margins(t, 1)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    doc.add_paragraph()
    tt = doc.add_table(rows=5, cols=2)
    tt.alignment = WD_TABLE_ALIGNMENT.RIGHT
    totals = [("{{ label.list_total }}", "{{ totals.list_total }}"),
              ("{{ label.discount_total }} ({{ totals.discount_pct }})",
               "{{ totals.discount_total }}"),
              ("{{ label.sold_subtotal }}", "{{ totals.sold_subtotal }}"),
              ("{% if totals.has_tax %}{{ totals.tax_label }}{% endif %}",
               "{% if totals.has_tax %}{{ totals.tax_amount }}{% endif %}"),
              ("{{ label.total_due }}", "{{ totals.total_due }}")]
    for i, (a, b) in enumerate(totals):
        tt.cell(i, 0).text = a
        tt.cell(i, 1).text = b
        tt.cell(i, 1).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    tt.cell(4, 0).paragraphs[0].runs[0].bold = True
    tt.cell(4, 1).paragraphs[0].runs[0].bold = True
    set_widths(tt, [60, 35])
    keep_together(tt)
    doc.add_paragraph("{%p for n in notes %}")
    doc.add_paragraph("{{ n }}")
    doc.add_paragraph("{%p endfor %}")


def sow(doc) -> None:  # noqa: ANN001
    """The statement of work (portrait)."""
    width = PORTRAIT_MM
    doc.add_heading("{{ doc.title }}", level=1)
    draft_block(doc)
    parties(doc, width)
    doc_facts(doc, width)
    heading(doc, "label.scope")
    # a paragraph per scope paragraph; its line breaks become Word line breaks
    doc.add_paragraph("{%p for p in sow.scope_paragraphs %}")
    doc.add_paragraph("{{ p }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if not sow.has_scope %}")
    doc.add_paragraph("{{ label.no_scope }}").runs[0].font.color.rgb = RED
    doc.add_paragraph("{%p endif %}")
    heading(doc, "label.deliverables")
    doc.add_paragraph("{%p if sow.deliverables %}")
    cells: list[str | list[str]] = [
        "{{ d.no }}",
        ["{% if d.code %}{{ d.code }} · {% endif %}{{ d.name }}",
         "{%p if not d.custom %}", "{{ d.description }}", "{%p endif %}",
         "{%p if d.part_of %}", "{{ d.part_of }}", "{%p endif %}",
         "{%p for n in d.notes %}", "{{ n }}", "{%p endfor %}"],
        "{{ d.family_label }}",
        "{{ d.quantity_text }}",
        ["{%p for i in d.includes %}", "{{ i }}", "{%p endfor %}", "{{ d.use_by }}"]]
    grid(doc, ["label.line_no", "label.deliverable", "label.service_type", "label.quantity",
               "label.included"], "d in sow.deliverables", cells, [9, 95, 26, 18, 34],
         right=(3,))
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("{{ label.no_services }}")
    doc.add_paragraph("{%p endif %}")
    heading(doc, "label.assumptions")
    doc.add_paragraph("{%p for a in sow.assumptions %}")
    doc.add_paragraph("{{ a }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if not sow.assumptions %}")
    doc.add_paragraph("{{ label.no_assumptions }}")
    doc.add_paragraph("{%p endif %}")
    heading(doc, "label.acceptance")
    doc.add_paragraph("{{ sow.acceptance }}")
    heading(doc, "label.signatures")
    t = doc.add_table(rows=1, cols=2)
    for j, (who, party) in enumerate((("label.for_vendor", "vendor.name"),
                                      ("label.for_customer", "customer.name"))):
        cell = t.cell(0, j)
        cell.text = "{{ " + who + " }}"
        cell.paragraphs[0].runs[0].bold = True
        cell.add_paragraph("{{ " + party + " }}")
        for label in ("label.name", "label.job_title", "label.date", "label.signature"):
            p = cell.add_paragraph()
            p.paragraph_format.space_before = Pt(14)
            p.add_run("{{ " + label + " }}: ____________________________________")
    set_widths(t, [width / 2, width / 2])
    keep_rows_whole(t)


def onboarding(doc) -> None:  # noqa: ANN001
    """The onboarding form (portrait)."""
    width = PORTRAIT_MM
    doc.add_heading("{{ doc.title }}", level=1)
    draft_block(doc)
    parties(doc, width)
    doc_facts(doc, width)
    heading(doc, "label.contacts")
    grid(doc, ["label.name", "label.role", "label.email", "label.phone"], "c in contacts",
         ["{{ c.name }}", "{{ c.role }}", "{{ c.email }}", "{{ c.phone }}"], [45, 40, 62, 35])
    heading(doc, "label.billing_details")
    rows = [("label.invoice_contact",
             "{{ invoice_contact.name }} {{ invoice_contact.email }} {{ invoice_contact.phone }}"),
            ("label.billing_address",
             ("{% for l in billing_address %}{{ l }}{% if not loop.last %}, {% endif %}"
              "{% else %}{{ label.missing }}{% endfor %}")),
            ("label.vat_id", "{{ customer.vat_id or label.none }}"),
            ("label.currency", "{{ deal.currency }}"),
            ("label.payment_terms", "{{ deal.payment_terms }}")]
    t = doc.add_table(rows=len(rows), cols=2)
    for i, (label, value) in enumerate(rows):
        t.cell(i, 0).text = "{{ " + label + " }}"
        t.cell(i, 0).paragraphs[0].runs[0].font.color.rgb = GREY
        t.cell(i, 1).text = value
    set_widths(t, [width * 0.25, width * 0.75])
    heading(doc, "label.checklist")
    doc.add_paragraph("{{ onboarding.summary }}")
    grid(doc, ["label.item", "label.status", "label.date", "label.evidence_by",
               "label.evidence_ref"], "c in onboarding.checklist",
         ["{{ c.label }}", "{{ c.status }}", "{{ c.date }}", "{{ c.by }}", "{{ c.ref }}"],
         [62, 24, 30, 36, 30])
    heading(doc, "label.plan")
    grid(doc, ["label.week", "label.date", "label.owner", "label.task"], "t in onboarding.plan",
         ["{{ t.week }}", "{{ t.date }}", "{{ t.owner }}",
          "{{ t.task }}{% if t.touchpoint %} ({{ label.touchpoint }}){% endif %}"],
         [18, 30, 36, 98], right=(0,))


def signatures(doc, width: float) -> None:  # noqa: ANN001
    """Signature blocks side by side: heading, party, name/title/date/signature lines."""
    heading(doc, "label.signatures")
    t = doc.add_table(rows=1, cols=2)
    for j, (who, party) in enumerate((("label.for_vendor", "vendor.name"),
                                      ("label.for_customer", "customer.name"))):
        cell = t.cell(0, j)
        cell.text = "{{ " + who + " }}"
        cell.paragraphs[0].runs[0].bold = True
        cell.add_paragraph("{{ " + party + " }}")
        for label in ("label.name", "label.job_title", "label.date", "label.signature"):
            p = cell.add_paragraph()
            p.paragraph_format.space_before = Pt(14)
            p.add_run("{{ " + label + " }}: ____________________________________")
    set_widths(t, [width / 2, width / 2])
    keep_rows_whole(t)


def contract(doc) -> None:  # noqa: ANN001
    """The order form / contract (portrait): parties, terms, products, clauses, signatures."""
    width = PORTRAIT_MM
    doc.add_heading("{{ doc.title }}", level=1)
    draft_block(doc)
    parties(doc, width)
    heading(doc, "label.contract_terms")
    facts_table(doc, [("label.reference", "doc.number", "label.deal", "deal.id"),
                      ("label.contract_start", "contract.start_date", "label.end_date",
                       "contract.end_date"),
                      ("label.term", "contract.term", "label.currency", "deal.currency"),
                      ("label.payment_type", "contract.payment_type", "label.payment_terms",
                       "contract.payment_terms")], width)
    p = doc.add_paragraph()
    p.add_run("{{ label.renewal }}: ").bold = True
    p.add_run("{{ contract.renewal }}")
    heading(doc, "label.products")
    cells: list[str | list[str]] = [
        "{{ l.no }}",
        ["{% if l.code %}{{ l.code }} · {% endif %}{{ l.name }}", "{%p if not l.custom %}",
         "{{ l.description }}", "{%p endif %}", "{%p for d in l.details %}", "{{ d }}",
         "{%p endfor %}"],
        "{{ l.quantity_text }}", "{{ l.list_amount }}", "{{ l.discount_pct }}",
        "{{ l.sold_amount }}"]
    t = grid(doc, ["label.line_no", "{{ label.sku }} / {{ label.description }}",
                   "label.quantity", "label.list_amount", "label.discount_pct",
                   "label.sold_amount"], "l in lines", cells, [7, 84, 22, 25, 17, 27],
             right=range(2, 6), size=8)
    cell_margins(t, 1)
    doc.add_paragraph()
    tt = doc.add_table(rows=2, cols=2)
    tt.alignment = WD_TABLE_ALIGNMENT.RIGHT
    for i, (a, b) in enumerate((("{{ label.sold_subtotal }}", "{{ totals.sold_subtotal }}"),
                                ("{{ label.total_due }}", "{{ totals.total_due }}"))):
        tt.cell(i, 0).text = a
        tt.cell(i, 1).text = b
        tt.cell(i, 1).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    tt.cell(1, 0).paragraphs[0].runs[0].bold = True
    tt.cell(1, 1).paragraphs[0].runs[0].bold = True
    set_widths(tt, [60, 35])
    keep_together(tt)
    heading(doc, "label.terms_and_conditions")
    doc.add_paragraph("{%p for c in contract.clauses %}")
    p = doc.add_paragraph()
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_before = Pt(6)
    p.add_run("{{ c.no }}. {{ c.title }}").bold = True
    doc.add_paragraph("{%p for para in c.paragraphs %}")
    doc.add_paragraph("{{ para }}").alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endfor %}")
    signatures(doc, width)


BUILDERS: dict[str, Callable[..., None]] = {"po": po, "sow": sow, "onboarding": onboarding,
                                            "contract": contract}


def main(names: list[str]) -> None:
    """Build the named templates (all when none is named)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names or list(BUILDERS):
        doc = new_document()
        BUILDERS[name](doc)
        doc.core_properties.author = "docgen"
        doc.save(OUT / f"{name}.docx")
        print(f"wrote {OUT / f'{name}.docx'}")


if __name__ == "__main__":
    main(sys.argv[1:])
