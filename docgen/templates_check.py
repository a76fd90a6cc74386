"""``docgen templates check``: every template of a workspace against the document data it gets.

What is checked, for ``templates/html/*.html`` (with the partials and layouts they include or
extend) and ``templates/docx/*.docx`` (body, headers and footers):

- **syntax**: a Jinja error with where it is: the line for HTML, the paragraph's text for DOCX
  (an unclosed ``{% if %}`` is reported where it opens, not at the end of the file);
- **unknown variables**: every dotted path a template uses, with loop variables expanded
  (``{% for l in lines %}{{ l.sold_amount }}`` uses ``lines[].sold_amount``), is looked up in the
  pydantic context model of the document kind (:data:`docgen.render.context.CONTEXT_MODELS`);
- **Word's traps** (DOCX, in the raw XML before docxtpl repairs it): a tag split over several
  runs by a formatting change, and curly quotes typed inside a tag by AutoFormat;
- **the template contract**: what each kind of document must print (a PO: list price, discount %
  and amount, sold amount of every line, and the totals);
- **a trial render** with sample data, for errors only running the template reveals;
- **message catalogs** (``templates/locale/*/LC_MESSAGES/messages.po``): every label translated,
  no fuzzy entries, and the ``{placeholders}`` of each translation equal to its msgid's.

Problems are data (:class:`TemplateProblem`); unusable input (no templates folder, a file that is
not a DOCX) raises :class:`~docgen.errors.InputError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen._jinja_paths import Use, resolve, sample_data, syntax_location, walk_template
from docgen.errors import InputError, Problem

__all__ = ["CONTRACT", "KINDS", "TAG", "TemplateProblem", "check_templates", "contract_problems",
           "display_path", "template_files", "variable_problems"]

KINDS = ("po", "sow", "onboarding")

#: What each kind of document must print: every entry is satisfied by printing any of its paths.
CONTRACT: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "po": (
        (("lines[].code",), "the SKU code of every line"),
        (("lines[].description",), "the catalogue description of every line"),
        (("lines[].quantity",), "the quantity of every line"),
        (("lines[].list_unit_price", "lines[].list_amount"), "the list price of every line"),
        (("lines[].discount_pct",), "the discount % of every line"),
        (("lines[].discount_amount",), "the discount amount of every line"),
        (("lines[].sold_amount",), "the sold amount of every line"),
        (("totals.list_total",), "the list total"),
        (("totals.discount_total",), "the discount total"),
        (("totals.sold_subtotal",), "the sold subtotal"),
        (("totals.total_due",), "the total due"),
    ),
    "sow": (
        (("sow.scope_paragraphs[]",), "the scope"),
        (("sow.deliverables[].description",), "the catalogue description of every deliverable"),
        (("sow.deliverables[].use_by",), "the use-by date of every deliverable"),
        (("sow.acceptance",), "the acceptance terms"),
    ),
    "onboarding": (
        (("onboarding.checklist[].status", "onboarding.checklist[].evidence"),
         "the status of every checklist item"),
        (("onboarding.plan[].date",), "the date of every plan task"),
        (("onboarding.plan[].owner", "onboarding.plan[].owner_id"),
         "the owner of every plan task"),
        (("onboarding.plan[].task",), "every plan task"),
        (("deal.go_live",), "the go-live date"),
    ),
}

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@dataclass(frozen=True, order=True)
class TemplateProblem:
    """One thing wrong with a template: which file, where in it, what."""

    file: str
    where: str
    message: str
    note: bool = False  # information only (e.g. "only the syntax was checked"): not a failure

    def __str__(self) -> str:
        return f"{self.file}:{self.where}: {self.message}" if self.where else \
            f"{self.file}: {self.message}"


# --------------------------------------------------------------------------------------------
# HTML templates

def _html_loader(templates_dir: Path, root: Path) -> Any:
    def load(name: str) -> tuple[str, str] | None:
        path = (templates_dir / name).resolve()
        if not path.is_relative_to(templates_dir.resolve()) or not path.is_file():
            return None
        return path.read_text("utf-8"), display_path(path, root)
    return load


def display_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def check_html(env: Any, path: Path, kind: str | None, templates_dir: Path,
               root: Path) -> list[TemplateProblem]:
    """Syntax, variables, contract and a trial render of one HTML template."""
    from docgen.render.context import CONTEXT_MODELS, DocContext

    src = display_path(path, root)
    source = path.read_text("utf-8")
    w = walk_template(env, source, src, _html_loader(templates_dir, root))
    model = CONTEXT_MODELS.get(kind or "", DocContext)
    out = [TemplateProblem(f, f"{line}", msg) for f, line, msg in w.errors]
    out += variable_problems(w.uses, model, lambda u: (u.src, str(u.lineno)))
    if kind and not w.errors:
        out += contract_problems(src, kind, w.uses)
    if not out:
        out += _trial_render_html(env, source, src, model)
    return out


def variable_problems(uses: Iterable[Use], model: Any, where: Any) -> list[TemplateProblem]:
    out, seen = [], set()
    for u in uses:
        if u.lenient:
            continue
        why = resolve(model, u.path)
        if why is None:
            continue
        f, at = where(u)
        key = (f, at, u.path)
        if key not in seen:
            seen.add(key)
            out.append(TemplateProblem(f, at, f"unknown variable {u.path!r}: {why}"))
    return out


def contract_problems(src: str, kind: str, uses: Iterable[Use]) -> list[TemplateProblem]:
    printed = {u.path for u in uses if u.printed}
    return [TemplateProblem(src, "", f"the {kind} template does not print {what} "
                            f"({' or '.join(paths)}): every {kind} must show it")
            for paths, what in CONTRACT.get(kind, ()) if not printed.intersection(paths)]


def _trial_render_html(env: Any, source: str, src: str, model: Any) -> list[TemplateProblem]:
    from jinja2 import TemplateError

    out = []
    for full in (True, False):
        try:
            env.from_string(source).render(**sample_data(model, full))
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            out.append(TemplateProblem(src, str(line or ""), f"fails with sample data: {exc}"))
            break
        except Exception as exc:  # noqa: BLE001 - any failure of a template is a problem
            out.append(TemplateProblem(src, "", f"fails with sample data: "
                                       f"{type(exc).__name__}: {exc}"))
            break
    return out


# --------------------------------------------------------------------------------------------
# Message catalogs

def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{(\w*)\}", text))


def check_catalog(path: Path, root: Path) -> list[TemplateProblem]:
    """Every label translated (not fuzzy), placeholders equal to the msgid's."""
    from babel.messages.pofile import PoFileError, read_po

    from docgen.render.labels import all_msgids

    src = display_path(path, root)
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, abort_invalid=True)
    except (PoFileError, OSError, ValueError) as exc:
        return [TemplateProblem(src, "", f"cannot be read: {exc}")]
    out = []
    by_id = {m.id: m for m in catalog if m.id}
    for m in by_id.values():
        if not isinstance(m.id, str) or not m.string or not isinstance(m.string, str):
            continue
        if _placeholders(m.id) != _placeholders(m.string):
            out.append(TemplateProblem(src, str(m.lineno), (
                f"the translation of {m.id!r} has placeholders {_placeholders(m.string)}, "
                f"the msgid has {_placeholders(m.id)}: keep every {{name}} exactly as it is")))
        try:
            m.string.format(**{k: "" for k in _placeholders(m.id)})
        except (ValueError, IndexError, KeyError) as exc:
            out.append(TemplateProblem(src, str(m.lineno), (
                f"the translation of {m.id!r} is not a valid text with placeholders ({exc}): "
                "write a literal brace as {{ or }}")))
    for msgid in all_msgids():
        m = by_id.get(msgid)
        if m is None:
            out.append(TemplateProblem(src, "", f"no entry for the label {msgid!r}: run "
                                       "`make i18n-update`, then translate it"))
        elif m.fuzzy:
            out.append(TemplateProblem(src, str(m.lineno), f"the translation of {msgid!r} is "
                                       "marked fuzzy: check it, then remove the fuzzy flag"))
        elif not m.string:
            out.append(TemplateProblem(src, str(m.lineno), f"{msgid!r} is not translated"))
    return out


# --------------------------------------------------------------------------------------------
# The whole workspace

def template_files(templates_dir: Path) -> list[Path]:
    """Every template and catalog of a templates folder, in a stable order."""
    html = sorted((templates_dir / "html").rglob("*.html"))
    docx = sorted(p for p in (templates_dir / "docx").glob("*.docx")
                  if not p.name.startswith("~$"))  # Word's lock files
    po = sorted((templates_dir / "locale").glob("*/LC_MESSAGES/messages.po"))
    return [*html, *docx, *po]


def check_templates(templates_dir: Path, files: Sequence[Path] | None = None, *,
                    kind: str | None = None, root: Path | None = None) -> list[TemplateProblem]:
    """Check `files` (default: every template of `templates_dir`); problems, sorted by file.

    `kind` checks the given files as templates of that kind whatever their names (e.g. a new
    ``po-2027.docx`` before it replaces ``po.docx``). Raises InputError for unusable input.
    """
    from docgen.render.pdf import jinja_env

    root = root or templates_dir.parent
    if not templates_dir.is_dir():
        raise InputError([Problem(str(templates_dir), None, "", "templates folder does not "
                                  "exist")])
    whole = files is None
    paths = template_files(templates_dir) if files is None else list(files)
    bad = [Problem(str(p), None, "", "does not exist") for p in paths if not p.is_file()]
    bad += [Problem(str(p), None, "", "is not a template: expected .html, .docx or .po")
            for p in paths if p.is_file() and p.suffix.lower() not in (".html", ".docx", ".po")]
    if bad:
        raise InputError(bad)
    from docgen._docx_check import check_docx

    env = jinja_env(templates_dir)
    out: list[TemplateProblem] = []
    for path in paths:
        doc_kind = kind or (path.stem if path.stem in KINDS else None)
        suffix = path.suffix.lower()
        if suffix == ".po":
            out += check_catalog(path, root)
        elif doc_kind is not None:
            out += check_docx(env, path, doc_kind, root) if suffix == ".docx" else \
                check_html(env, path, doc_kind, templates_dir, root)
        else:
            # layouts and partials are checked where a document extends or includes them;
            # a template of another kind (the CS report) has no schema here: syntax only
            out += _syntax_only(env, path, root)
            if path.parent.name in ("html", "docx") and not _is_layout(path, templates_dir):
                out.append(TemplateProblem(display_path(path, root), "", (
                    f"not a {', '.join(KINDS)} template, so only its syntax was checked "
                    "(--kind checks it as one)"), note=True))
    if whole:
        for k in KINDS:
            for sub, ext in (("html", "html"), ("docx", "docx")):
                if not (templates_dir / sub / f"{k}.{ext}").is_file():
                    out.append(TemplateProblem(display_path(templates_dir / sub, root), "", (
                        f"{k}.{ext} is missing: `docgen {k}` needs it")))
    return list(dict.fromkeys(out))


def _is_layout(path: Path, templates_dir: Path) -> bool:
    """True when a document template extends or includes `path` (e.g. html/base.html)."""
    if path.suffix.lower() != ".html":
        return False
    name = path.resolve().relative_to(templates_dir.resolve()).as_posix() \
        if path.resolve().is_relative_to(templates_dir.resolve()) else path.name
    for k in KINDS:
        doc = templates_dir / "html" / f"{k}.html"
        if doc.is_file() and (f'"{name}"' in doc.read_text("utf-8")
                              or f"'{name}'" in doc.read_text("utf-8")):
            return True
    return False


def _syntax_only(env: Any, path: Path, root: Path) -> list[TemplateProblem]:
    from jinja2 import TemplateSyntaxError

    if path.suffix.lower() == ".docx":
        from docgen._docx_check import docx_parts, paragraphs, word_traps

        src = display_path(path, root)
        out = []
        for label, xml in docx_parts(path, src):
            out += word_traps(src, paragraphs(label, xml))
        return out
    source = path.read_text("utf-8")
    try:
        env.parse(source)
    except TemplateSyntaxError as exc:
        line, msg = syntax_location(env, source, exc)
        return [TemplateProblem(display_path(path, root), str(line), msg)]
    return []
