"""The DOCX half of ``docgen templates check``: Word's traps, tags located by paragraph.

Word keeps a paragraph's text in runs, one per stretch of equal formatting. docxtpl repairs some
tags that Word split, but not all, and silently drops the formatting; so the raw XML is checked
first (a tag over several runs, curly quotes inside a tag). Then docxtpl's own patching gives the
Jinja source, with a line break before every paragraph and every tag: a Jinja line number then
names one tag, and so the paragraph an author sees in Word.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.errors import InputError, Problem
from docgen.templates_check._paths import Use, sample_data, walk_template
from docgen.templates_check._problems import (
    TAG,
    TemplateProblem,
    contract_problems,
    display_path,
    variable_problems,
)

__all__ = ["check_docx", "docx_parts", "paragraphs", "word_traps"]

_CURLY = "\u201c\u201d\u2018\u2019\u201e\u201a\u00ab\u00bb\u2039\u203a"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

@dataclass(frozen=True)
class _Para:
    """A paragraph of a DOCX part: its position, its text, and each run's text."""

    part: str
    index: int
    runs: tuple[tuple[str, bytes], ...]  # (text, run properties XML)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.runs)

    def where(self) -> str:
        text = " ".join(self.text.split())
        short = text if len(text) <= 70 else text[:67] + "..."
        return f" {self.part}, paragraph {self.index} \u201c{short}\u201d"


def docx_parts(path: Path, src: str) -> list[tuple[str, str]]:
    """(label, xml) of the body, headers and footers; InputError when it is not a DOCX."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if "word/document.xml" not in names:
                raise InputError([Problem(src, None, "", "not a Word document (no "
                                          "word/document.xml inside)")])
            parts = [("body", zf.read("word/document.xml").decode("utf-8"))]
            for prefix in ("header", "footer"):
                found = sorted((n for n in names if re.fullmatch(rf"word/{prefix}\d*\.xml", n)),
                               key=lambda n: int(re.sub(r"\D", "", n) or 0))
                for n, name in enumerate(found, 1):
                    label = prefix if len(found) == 1 else f"{prefix} {n}"
                    parts.append((label, zf.read(name).decode("utf-8")))
            return parts
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(src, None, "", f"cannot be read as a Word document: "
                                  f"{exc}")]) from None


def paragraphs(label: str, xml: str) -> list[_Para]:
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"))
    out = []
    for i, p in enumerate(root.iter(f"{_W}p"), 1):
        runs = []
        for r in p.iter(f"{_W}r"):
            text = "".join(t.text or "" for t in r.iter(f"{_W}t"))
            if not text:
                continue
            rpr = r.find(f"{_W}rPr")
            runs.append((text, etree.tostring(rpr) if rpr is not None else b""))
        out.append(_Para(label, i, tuple(runs)))
    return out


def word_traps(src: str, paras: Sequence[_Para]) -> list[TemplateProblem]:
    """Tags split over several runs, and curly quotes inside tags."""
    out = []
    for p in paras:
        text = p.text
        bounds, pos = [], 0
        for t, _ in p.runs:
            bounds.append((pos, pos + len(t)))
            pos += len(t)
        for m in TAG.finditer(text):
            tag = m.group()
            runs = [i for i, (a, b) in enumerate(bounds) if a < m.end() and b > m.start()]
            if len(runs) > 1:
                styles = {p.runs[i][1] for i in runs}
                why = ("its formatting changes inside the tag" if len(styles) > 1 else
                       "Word stored it in pieces while it was edited")
                out.append(TemplateProblem(src, p.where(), (
                    f"the tag {tag} is split over {len(runs)} runs ({why}): select the whole "
                    "tag, clear its formatting (Ctrl+Space) and type it again in one go")))
            curly = sorted({c for c in tag if c in _CURLY})
            if curly:
                out.append(TemplateProblem(src, p.where(), (
                    f"curly quote {' '.join(curly)} inside the tag {tag}: Word's AutoFormat "
                    "replaced a straight quote; type ' or \" (turn off 'Replace straight quotes "
                    "with smart quotes')")))
        for m in re.finditer(r"\{[{%#]", text):
            if not TAG.match(text, m.start()):
                out.append(TemplateProblem(src, p.where(), (
                    f"the tag starting {text[m.start():m.start() + 20]!r} is not closed in "
                    "the same paragraph")))
                break
    return out


def _normal_tag(tag: str) -> str:
    """`{%tr for x in y %}` and `{%p if a %}` as docxtpl hands them to Jinja, spaces collapsed."""
    tag = re.sub(r"^\{%-?\s*(?:p|tr|tc|r)\s+", "{% ", tag)
    return " ".join(tag.replace("\u201c", '"').replace("\u201d", '"')
                    .replace("\u2018", "'").replace("\u2019", "'").split())


def check_docx(env: Any, path: Path, kind: str | None, root: Path) -> list[TemplateProblem]:
    """Word's traps, syntax, variables, contract and a trial render of one DOCX template."""
    from docxtpl import DocxTemplate

    from docgen.render.context import CONTEXT_MODELS, DocContext

    src = display_path(path, root)
    model = CONTEXT_MODELS.get(kind or "", DocContext)
    parts = docx_parts(path, src)
    tpl = DocxTemplate(str(path))
    out: list[TemplateProblem] = []
    all_uses: list[Use] = []
    failed = False
    for label, xml in parts:
        paras = paragraphs(label, xml)
        traps = word_traps(src, paras)
        out += traps
        raw_tags = [(m.group(), p) for p in paras for m in TAG.finditer(p.text)]
        patched = tpl.patch_xml(tpl.xml_to_string(_strip_decl(xml)))
        # one tag per line: a Jinja line number then names one tag, hence one paragraph
        lined = re.sub(r"(\{[{%#])", r"\n\1", re.sub(r"<w:p([ >])", r"\n<w:p\1", patched))
        locate = _docx_locator(lined, raw_tags, paras)
        w = walk_template(env, lined, label, lambda _name: None)
        for _src, line, msg in w.errors:
            failed = True
            out.append(TemplateProblem(src, locate(line), msg))
        out += variable_problems(w.uses, model,
                                 lambda u, at=locate: (src, at(u.lineno)))
        all_uses += w.uses
    if kind and not failed:
        out += contract_problems(src, kind, all_uses)
    if not out:
        out += _trial_render_docx(env, path, src, model)
    return out


def _strip_decl(xml: str) -> Any:
    from lxml import etree

    return etree.fromstring(xml.encode("utf-8"))


def _docx_locator(lined: str, raw_tags: Sequence[tuple[str, _Para]],
                  paras: Sequence[_Para]) -> Any:
    """line number of the lined, patched XML -> ' body, paragraph 12 “…”'."""
    lines = lined.split("\n")
    raw_norm = [(_normal_tag(t), p) for t, p in raw_tags]

    def locate(lineno: int) -> str:
        if not 1 <= lineno <= len(lines):
            return paras[-1].where() if paras else ""
        line = lines[lineno - 1]
        m = TAG.match(line)
        if m:
            # the n-th occurrence of this tag in the patched XML is its n-th in the document
            tag = _normal_tag(m.group())
            nth = sum(1 for ln in lines[:lineno - 1]
                      if (mm := TAG.match(ln)) and _normal_tag(mm.group()) == tag)
            hits = [p for t, p in raw_norm if t == tag]
            if hits:
                return hits[min(nth, len(hits) - 1)].where()
        text = re.sub(r"<[^>]+>", "", line).strip()
        for p in paras:
            if text and text in p.text:
                return p.where()
        return f" line {lineno} of the document XML"

    return locate


def _trial_render_docx(env: Any, path: Path, src: str, model: Any) -> list[TemplateProblem]:
    import io

    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    for full in (True, False):
        tpl = DocxTemplate(str(path))
        try:
            tpl.render(sample_data(model, full), jinja_env=env, autoescape=True)
            tpl.save(io.BytesIO())
        except TemplateError as exc:
            near = [t.strip() for t in getattr(exc, "docx_context", None) or [] if t.strip()]
            where = f" near \u201c{' / '.join(near)[:70]}\u201d" if near else ""
            return [TemplateProblem(src, where, f"fails with sample data: {exc}")]
        except Exception as exc:  # noqa: BLE001 - any failure of a template is a problem
            return [TemplateProblem(src, "", f"fails with sample data: "
                                    f"{type(exc).__name__}: {exc}")]
    return []
