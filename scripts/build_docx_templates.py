"""Build the starting DOCX templates in templates/docx/ with python-docx.

Legal owns these files and edits them in Word; this script only produced their first version and
is kept so that a lost template can be rebuilt. Running it overwrites templates/docx/*.docx:
    .venv/bin/python scripts/build_docx_templates.py [po|sow|onboarding ...]
Then run `docgen templates check`.

Every tag is written into a single run (one `add_run` / `cell.text`), so no tag is split by
formatting; tables get explicit column widths (Word and LibreOffice otherwise share the width
evenly, which made the PO's description column very narrow).
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
#: Usable width between the margins (A4, 14 mm margins).
PORTRAIT_MM = 210 - 28
LANDSCAPE_MM = 297 - 28


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
    table.autofit = False
    tbl_pr = table._tbl.tblPr  # noqa: SLF001
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(int(sum(Mm(w).twips for w in widths_mm))))  # type: ignore[attr-defined]
    for col, w in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(w)


def new_document(landscape: bool = False):  # noqa: ANN201
    """A document with A4 pages, Carlito/Calibri body text and the standard header and footer."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    if landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_height, sec.page_width = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Mm(14))
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(18)
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(9)
    style.paragraph_format.space_after = Pt(2)
    head = sec.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run("{% if doc.draft %}{{ label.draft }} · {{ doc.draft_notice }}"
                       "{% else %}{{ vendor.name }}{% endif %}")
    run.font.size = Pt(8)
    run.font.color.rgb = RED
    foot = sec.footer.paragraphs[0]
    r = foot.add_run("{{ doc.footer }}    {{ label.page }} ")
    r.font.size = Pt(8)
    add_field(foot, "PAGE")
    foot.add_run(" {{ label.of }} ").font.size = Pt(8)
    add_field(foot, "NUMPAGES")
    return doc


def heading(doc, var: str) -> None:  # noqa: ANN001
    """A section heading printing a label."""
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(8)
    run = p.add_run("{{ " + var + " }}")
    run.bold = True
    run.font.size = Pt(10)
    run.font.color.rgb = GREY


def draft_block(doc) -> None:  # noqa: ANN001
    """The DRAFT box listing what blocks the document."""
    doc.add_paragraph("{%p if doc.draft %}")
    p = doc.add_paragraph()
    run = p.add_run("{{ label.draft }} · {{ doc.draft_notice }}")
    run.bold = True
    run.font.color.rgb = RED
    doc.add_paragraph("{%p for b in doc.blockers %}")
    doc.add_paragraph("{{ label.blocked_by }}: {{ b }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endif %}")


def parties(doc, width: float) -> None:  # noqa: ANN001
    """Vendor and customer blocks side by side."""
    t = doc.add_table(rows=2, cols=2)
    t.style = "Table Grid"
    t.cell(0, 0).text = "{{ label.vendor }}"
    t.cell(0, 1).text = "{{ label.customer }}"
    for j in (0, 1):
        t.cell(0, j).paragraphs[0].runs[0].bold = True
    v = t.cell(1, 0)
    v.text = "{{ vendor.name }}"
    v.add_paragraph("{% for l in vendor.address_lines %}{{ l }}{% if not loop.last %}, "
                    "{% endif %}{% endfor %}")
    v.add_paragraph("{{ label.vat_id }}: {{ vendor.vat_id }}")
    v.add_paragraph("{{ vendor.email }}")
    c = t.cell(1, 1)
    c.text = "{{ customer.name }}"
    c.add_paragraph("{% for l in billing_address %}{{ l }}{% if not loop.last %}, "
                    "{% endif %}{% endfor %}")
    c.add_paragraph("{{ label.vat_id }}: {{ customer.vat_id }}")
    c.add_paragraph("{{ label.invoice_contact }}: {{ invoice_contact.name }}, "
                    "{{ invoice_contact.email }} {{ invoice_contact.phone }}")
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
                      ("label.currency", "deal.currency", "label.territory", "deal.territory"),
                      ("label.contract_start", "deal.contract_start", "label.term", "deal.term"),
                      ("label.payment_terms", "deal.payment_terms", "label.sales_rep",
                       "deal.sales_rep")], width)


def doc_facts(doc, width: float) -> None:  # noqa: ANN001
    """Reference, deal and contract dates of a SOW or an onboarding form."""
    facts_table(doc, [("label.reference", "doc.number", "label.deal", "deal.id"),
                      ("label.issue_date", "doc.issue_date", "label.sales_rep", "deal.sales_rep"),
                      ("label.contract_start", "deal.contract_start", "label.term", "deal.term"),
                      ("label.go_live", "deal.go_live", "label.territory", "deal.territory")],
                width)


def grid(doc, header: Sequence[str], loop: str, cells: Sequence[str | Sequence[str]],  # noqa: ANN001
         widths: Sequence[float], right: Sequence[int] = ()):  # noqa: ANN201
    """A table: a bold header row of labels, then one row per item of `loop` ("x in items").

    Each entry of `cells` is one cell: a string (one paragraph) or several paragraphs.
    """
    t = doc.add_table(rows=4, cols=len(header))
    t.style = "Table Grid"
    for j, label in enumerate(header):
        cell = t.cell(0, j)
        cell.text = "{{ " + label + " }}"
        cell.paragraphs[0].runs[0].bold = True
        if j in right:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    t.cell(1, 0).text = "{%tr for " + loop + " %}"
    for j, content in enumerate(cells):
        cell = t.cell(2, j)
        paras = [content] if isinstance(content, str) else list(content)
        cell.text = paras[0]
        for extra in paras[1:]:
            cell.add_paragraph(extra)
        if j in right:
            for p in cell.paragraphs:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    t.cell(3, 0).text = "{%tr endfor %}"
    set_widths(t, widths)
    return t


def po(doc) -> None:  # noqa: ANN001
    """The purchase order body (landscape)."""
    width = LANDSCAPE_MM
    doc.add_heading("{{ doc.title }}", level=1)
    draft_block(doc)
    parties(doc, width)
    po_facts(doc, width)
    header = ["label.line_no", "label.sku", "label.description", "label.quantity", "label.unit",
              "label.list_unit_price", "label.list_amount", "label.discount_pct",
              "label.discount_amount", "label.sold_amount"]
    cells: list[str | list[str]] = [
        "{{ l.no }}", "{{ l.code }}",
        ["{{ l.name }}", "{%p if not l.custom %}", "{{ l.description }}", "{%p endif %}",
         "{%p for d in l.details %}", "{{ d }}", "{%p endfor %}"],
        "{{ l.quantity }}", "{{ l.unit }}", "{{ l.list_unit_price }}", "{{ l.list_amount }}",
        "{{ l.discount_pct }}", "{{ l.discount_amount }}", "{{ l.sold_amount }}"]
    #          no  sku  desc qty unit lup  la  d%  da  sold
    widths = [8, 31, 77, 17, 21, 24, 25, 15, 25, 26]
    t = grid(doc, header, "l in lines", cells, widths, right=range(3, 10))
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
        "{{ d.quantity }} {{ d.unit }}",
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


BUILDERS: dict[str, tuple[Callable[..., None], bool]] = {
    "po": (po, True), "sow": (sow, False), "onboarding": (onboarding, False)}


def main(names: list[str]) -> None:
    """Build the named templates (all when none is named)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names or list(BUILDERS):
        build, landscape = BUILDERS[name]
        doc = new_document(landscape=landscape)
        build(doc)
        doc.core_properties.author = "docgen"
        doc.save(OUT / f"{name}.docx")
        print(f"wrote {OUT / f'{name}.docx'}")


if __name__ == "__main__":
    main(sys.argv[1:])
