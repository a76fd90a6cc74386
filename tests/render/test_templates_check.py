"""``docgen templates check``: the shipped templates pass; each kind of broken template fails
with a line that points to the spot (the line of an HTML file, the paragraph of a DOCX)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from docgen.cli import cli
from docgen.render.context import DocContext, SowContext
from docgen.templates_check import resolve


def _check(ws_path: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["-w", str(ws_path), "templates", "check", *args])


def _edit(path: Path, old: str, new: str) -> int:
    """Replace `old` (once) in a text file; the 1-based line of the change."""
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")
    return text[:text.index(old)].count("\n") + 1


def _docx(path: Path) -> Any:
    from docx import Document

    return Document(str(path))


def _replace_in_docx(path: Path, old: str, new: str) -> None:
    doc = _docx(path)
    hits = 0
    paragraphs = list(doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs += cell.paragraphs
    for p in paragraphs:
        for r in p.runs:
            if old in r.text:
                r.text = r.text.replace(old, new)
                hits += 1
    assert hits, old
    doc.save(str(path))


def test_shipped_templates_pass(ws_path: Path) -> None:
    # when
    res = _check(ws_path)
    # then
    assert res.exit_code == 0, res.output
    assert "no problems" in res.output


def test_html_unclosed_if_is_reported_at_its_line(ws_path: Path) -> None:
    # given: po.html with an {% if %} that is never closed
    po = ws_path / "templates" / "html" / "po.html"
    line = _edit(po, '{% if l.includes %}<p class="detail">{{ l.includes }}</p>{% endif %}',
                 '{% if l.includes %}<p class="detail">{{ l.includes }}</p>')
    # when
    res = _check(ws_path)
    # then
    assert res.exit_code == 1
    assert f"templates/html/po.html:{line}: {{% if %}} is never closed" in res.output


def test_html_syntax_error_names_its_line(ws_path: Path) -> None:
    sow = ws_path / "templates" / "html" / "sow.html"
    line = _edit(sow, "{{ label.scope }}", "{{ label.scope ) }}")
    res = _check(ws_path)
    assert res.exit_code == 1
    assert re.search(rf"templates/html/sow.html:{line}: syntax error: unexpected '\)'",
                     res.output), res.output


def test_html_unknown_variable_has_full_dotted_path(ws_path: Path) -> None:
    # given: a typo in a loop variable's field, and one in a partial
    po = ws_path / "templates" / "html" / "po.html"
    line = _edit(po, "{{ l.sold_amount }}", "{{ l.sold_amout }}")
    partial = ws_path / "templates" / "html" / "partials" / "parties.html"
    pline = _edit(partial, "{{ vendor.email }}", "{{ vendor.contact.email }}")
    # when
    res = _check(ws_path)
    # then
    assert res.exit_code == 1
    assert (f"templates/html/po.html:{line}: unknown variable 'lines[].sold_amout': lines[] "
            "has no field 'sold_amout'; did you mean 'sold_amount'?") in res.output
    assert (f"templates/html/partials/parties.html:{pline}: unknown variable "
            "'vendor.contact.email'") in res.output
    # and the contract notices the sold amount is gone
    assert "does not print the sold amount of every line" in res.output


def test_po_template_without_sold_amount_fails_the_contract(ws_path: Path) -> None:
    # given: HTML and DOCX POs that print no sold amount
    _edit(ws_path / "templates" / "html" / "po.html",
          '<td class="num sold">{{ l.sold_amount }}</td>', '<td class="num sold"></td>')
    _replace_in_docx(ws_path / "templates" / "docx" / "po.docx", "{{ l.sold_amount }}", "")
    # when
    res = _check(ws_path)
    # then
    assert res.exit_code == 1
    for f in ("templates/html/po.html", "templates/docx/po.docx"):
        assert (f"{f}: the po template does not print the sold amount of every line "
                "(lines[].sold_amount)") in res.output


def test_docx_unclosed_if_names_the_paragraph(ws_path: Path) -> None:
    # given: a paragraph "{%p if doc.final %}" with no endif, typed in Word before the scope
    path = ws_path / "templates" / "docx" / "sow.docx"
    doc = _docx(path)
    scope = next(p for p in doc.paragraphs if p.text == "{{ label.scope }}")
    scope.insert_paragraph_before("{%p if doc.final %}")
    doc.save(str(path))
    # when
    res = _check(ws_path)
    # then
    assert res.exit_code == 1
    assert re.search(r"templates/docx/sow\.docx: body, paragraph \d+ \u201c\{%p if doc\.final "
                     r"%\}\u201d: \{% if %\} is never closed", res.output), res.output


def test_docx_unknown_variable_names_the_paragraph(ws_path: Path) -> None:
    # given: a typo in a table cell of the PO's line rows
    _replace_in_docx(ws_path / "templates" / "docx" / "po.docx", "{{ l.discount_amount }}",
                     "{{ l.discount_amnt }}")
    # when
    res = _check(ws_path)
    # then
    assert res.exit_code == 1
    assert re.search(r"templates/docx/po\.docx: body, paragraph \d+ \u201c\{\{ l\.discount_amnt "
                     r"\}\}\u201d: unknown variable 'lines\[\]\.discount_amnt'", res.output), \
        res.output


def test_docx_tag_split_by_formatting_is_caught(ws_path: Path) -> None:
    # given: Word stored "{{ deal.id }}" as two runs, the second one bold
    path = ws_path / "templates" / "docx" / "onboarding.docx"
    doc = _docx(path)
    p = doc.add_paragraph()
    p.add_run("Deal {{ deal.")
    p.add_run("id }}").bold = True
    doc.save(str(path))
    # when
    res = _check(ws_path)
    # then
    assert res.exit_code == 1
    assert ("templates/docx/onboarding.docx: body, paragraph" in res.output
            and "the tag {{ deal.id }} is split over 2 runs (its formatting changes inside the "
            "tag)" in res.output), res.output


def test_docx_curly_quotes_in_a_tag_are_caught(ws_path: Path) -> None:
    path = ws_path / "templates" / "docx" / "sow.docx"
    doc = _docx(path)
    doc.add_paragraph("{{ label[\u201cscope\u201d] }}")
    doc.save(str(path))
    res = _check(ws_path)
    assert res.exit_code == 1
    assert "curly quote \u201c \u201d inside the tag {{ label[\u201cscope\u201d] }}" in res.output


def test_docx_header_is_checked_too(ws_path: Path) -> None:
    path = ws_path / "templates" / "docx" / "po.docx"
    doc = _docx(path)
    doc.sections[0].header.paragraphs[0].runs[0].text = "{{ vendor.nam }}"
    doc.save(str(path))
    res = _check(ws_path)
    assert res.exit_code == 1
    assert ("templates/docx/po.docx: header, paragraph 1 \u201c{{ vendor.nam }}\u201d: unknown "
            "variable 'vendor.nam'") in res.output


def test_a_new_file_is_checked_as_the_kind_given(ws_path: Path, tmp_path: Path) -> None:
    # given: legal's new PO template, outside the workspace, with one typo
    import shutil

    new = tmp_path / "po-2027.docx"
    shutil.copy(ws_path / "templates" / "docx" / "po.docx", new)
    _replace_in_docx(new, "{{ totals.total_due }}", "{{ totals.due }}")
    # when
    res = _check(ws_path, str(new), "--kind", "po")
    # then
    assert res.exit_code == 1
    assert "unknown variable 'totals.due'" in res.output
    assert "does not print the total due" in res.output


def test_unusable_input_exits_2(ws_path: Path, tmp_path: Path) -> None:
    # given: a "DOCX" that is not one, and a file that does not exist
    (ws_path / "templates" / "docx" / "sow.docx").write_bytes(b"not a zip")
    # when
    broken = _check(ws_path)
    missing = _check(ws_path, str(tmp_path / "nope.docx"))
    # then
    assert broken.exit_code == 2
    assert "templates/docx/sow.docx: cannot be read as a Word document" in broken.output
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_catalog_with_broken_placeholder_or_missing_label_fails(ws_path: Path) -> None:
    # given: a French translation that renamed {date}, and a German label left empty
    fr = ws_path / "templates" / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
    line = _edit(fr, 'msgstr "À utiliser avant le {date}"', 'msgstr "À utiliser avant le {jour}"')
    de = ws_path / "templates" / "locale" / "de" / "LC_MESSAGES" / "messages.po"
    _edit(de, 'msgstr "Nettobetrag"', 'msgstr ""')
    # when
    res = _check(ws_path)
    # then
    assert res.exit_code == 1
    assert (f"templates/locale/fr/LC_MESSAGES/messages.po:{line - 1}: the translation of "
            "'Use by {date}' has placeholders ['jour']") in res.output
    assert "templates/locale/de/LC_MESSAGES/messages.po" in res.output
    assert "'Sold amount' is not translated" in res.output


@pytest.mark.parametrize(("model", "path", "problem"), [
    (DocContext, "lines[].sold_amount", None),
    (DocContext, "lines[].components[].use_by", None),
    (DocContext, "label.sold_amount", None),
    (DocContext, "label.nope", "label has no field 'nope'"),
    (DocContext, "lines.sold_amount", "lines is a list"),
    (DocContext, "doc.title.upper", None),
    (DocContext, "doc.title.x", "doc.title is text, it has no field 'x'"),
    (DocContext, "sow.scope_paragraphs", "there is no variable 'sow'"),
    (SowContext, "sow.deliverables[].use_by", None),
    (SowContext, "sow.deliverables[].includes[]", None),
    (SowContext, "totals[]", "totals is not a list"),
])
def test_resolve_compares_full_paths_with_the_schema(model: Any, path: str,
                                                      problem: str | None) -> None:
    found = resolve(model, path)
    assert (found is None) if problem is None else (found is not None and problem in found), found


def test_walk_expands_loop_variables_sets_and_default(ws_path: Path) -> None:
    # given: a template using a loop, a {% set %}, | default and a nested include
    from docgen.render.pdf import jinja_env
    from docgen.templates_check import walk_template

    env = jinja_env(ws_path / "templates")
    src = ("{% for l in lines %}{% set c = l.components %}{% for x in c %}{{ x.code }}"
           "{% endfor %}{{ l.nope | default('') }}{{ loop.index }}{% endfor %}")
    # when
    w = walk_template(env, src, "t.html", lambda _n: None)
    # then
    paths = {(u.path, u.lenient) for u in w.uses}
    assert ("lines[].components[].code", False) in paths
    assert ("lines[].nope", True) in paths
    assert not any("loop" in p for p, _ in paths)
