"""Build the starting DOCX templates in templates/docx/ with python-docx.

Legal owns these files and edits them in Word; this script only produced their first version and
is kept so that a lost template can be rebuilt. Running it overwrites templates/docx/*.docx:
    .venv/bin/python scripts/build_docx_templates.py [po|sow|onboarding ...]
Then run `docgen templates check`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "templates" / "docx"


def add_field(paragraph, instr: str) -> None:  # noqa: ANN001 - python-docx objects
    """Insert a Word field (PAGE, NUMPAGES) into `paragraph`."""
    run = paragraph.add_run()
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
    head = sec.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run("{% if doc.draft %}{{ label.draft }}: {{ label.draft_notice }}"
                       "{% else %}{{ vendor.name }}{% endif %}")
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
    foot = sec.footer.paragraphs[0]
    r = foot.add_run("{{ doc.footer }}    {{ label.page }} ")
    r.font.size = Pt(8)
    add_field(foot, "PAGE")
    foot.add_run(" {{ label.of }} ").font.size = Pt(8)
    add_field(foot, "NUMPAGES")
    return doc


def draft_block(doc) -> None:  # noqa: ANN001
    """The DRAFT box listing what blocks the document."""
    doc.add_paragraph("{%p if doc.draft %}")
    p = doc.add_paragraph()
    run = p.add_run("{{ label.draft }}: {{ label.draft_notice }}")
    run.bold = True
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
    doc.add_paragraph("{%p for b in doc.blockers %}")
    doc.add_paragraph("{{ label.blocked_by }}: {{ b }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endif %}")


def parties(doc) -> None:  # noqa: ANN001
    """Vendor and customer blocks side by side."""
    t = doc.add_table(rows=2, cols=2)
    t.style = "Table Grid"
    t.cell(0, 0).text = "{{ label.vendor }}"
    t.cell(0, 1).text = "{{ label.customer }}"
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
    doc.add_paragraph()


def facts(doc) -> None:  # noqa: ANN001
    """PO number, dates, currency, terms."""
    rows = [("label.po_number", "doc.number", "label.deal", "deal.id"),
            ("label.issue_date", "doc.issue_date", "label.valid_until", "doc.valid_until"),
            ("label.currency", "deal.currency", "label.territory", "deal.territory"),
            ("label.contract_start", "deal.contract_start", "label.term", "deal.term"),
            ("label.payment_terms", "deal.payment_terms", "label.sales_rep", "deal.sales_rep")]
    t = doc.add_table(rows=len(rows), cols=4)
    for i, row in enumerate(rows):
        for j, var in enumerate(row):
            t.cell(i, j).text = "{{ " + var + " }}"
    doc.add_paragraph()


def po(doc) -> None:  # noqa: ANN001
    """The purchase order body."""
    doc.add_heading("{{ doc.title }}", level=1)
    draft_block(doc)
    parties(doc)
    facts(doc)
    cols = [("label.line_no", "l.no"), ("label.sku", "l.code"),
            ("label.description", None), ("label.quantity", "l.quantity"),
            ("label.unit", "l.unit"), ("label.list_unit_price", "l.list_unit_price"),
            ("label.list_amount", "l.list_amount"), ("label.discount_pct", "l.discount_pct"),
            ("label.discount_amount", "l.discount_amount"), ("label.sold_amount", "l.sold_amount")]
    t = doc.add_table(rows=4, cols=len(cols))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for j, (label, _) in enumerate(cols):
        cell = t.cell(0, j)
        cell.text = "{{ " + label + " }}"
        cell.paragraphs[0].runs[0].bold = True
    t.cell(1, 0).text = "{%tr for l in lines %}"
    for j, (_, var) in enumerate(cols):
        cell = t.cell(2, j)
        if var is None:
            cell.text = "{{ l.name }}"
            cell.add_paragraph("{% if not l.custom %}{{ l.description }}{% endif %}")
            cell.add_paragraph("{%p for d in l.details %}")
            cell.add_paragraph("{{ d }}")
            cell.add_paragraph("{%p endfor %}")
        else:
            cell.text = "{{ " + var + " }}"
            if j >= 5:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    t.cell(3, 0).text = "{%tr endfor %}"
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
    doc.add_paragraph("{%p for n in notes %}")
    doc.add_paragraph("{{ n }}")
    doc.add_paragraph("{%p endfor %}")


BUILDERS: dict[str, tuple[Callable[..., None], bool]] = {"po": (po, True)}


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
