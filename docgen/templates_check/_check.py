"""Checking a whole templates folder: which files, which check each gets, and what is missing.

A document template (``po``, ``sow``, ``onboarding``, by name or ``--kind``) gets the full check of
its format; a catalog gets the catalog check; any other template (a layout, a partial, the CS
report) gets its syntax checked where no document already covers it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docgen.errors import InputError, Problem
from docgen.templates_check._catalog import check_catalog, check_labels
from docgen.templates_check._clauses import check_clauses
from docgen.templates_check._docx import check_docx, docx_parts, paragraphs, word_traps
from docgen.templates_check._html import check_html
from docgen.templates_check._paths import syntax_location
from docgen.templates_check._problems import KINDS, TemplateProblem, display_path

__all__ = ["check_templates", "template_files"]


def template_files(templates_dir: Path) -> list[Path]:
    """Every template and catalog of a templates folder, in a stable order."""
    html = sorted((templates_dir / "html").rglob("*.html"))
    docx = sorted(p for p in (templates_dir / "docx").glob("*.docx")
                  if not p.name.startswith("~$"))  # Word's lock files
    po = sorted((templates_dir / "locale").glob("*/LC_MESSAGES/messages.po"))
    labels = sorted((templates_dir / "labels").glob("*.yaml"))
    clauses = [p for p in [templates_dir / "clauses" / "index.yaml"] if p.is_file()]
    return [*html, *docx, *po, *labels, *clauses]


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
    bad += [Problem(str(p), None, "", "is not a template: expected .html, .docx, .po or "
                    "a label file (.yaml)")
            for p in paths if p.is_file()
            and p.suffix.lower() not in (".html", ".docx", ".po", ".yaml", ".yml")]
    if bad:
        raise InputError(bad)
    env = jinja_env(templates_dir)
    out: list[TemplateProblem] = []
    for path in paths:
        doc_kind = kind or (path.stem if path.stem in KINDS else None)
        suffix = path.suffix.lower()
        if suffix == ".po":
            out += check_catalog(path, root)
        elif suffix in (".yaml", ".yml") and path.parent.name == "clauses":
            out += check_clauses(path, templates_dir, root)
        elif suffix in (".yaml", ".yml"):
            out += check_labels(path, root)
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
        out += description_notes(root, templates_dir)
        if not (templates_dir / "clauses" / "index.yaml").is_file():
            out.append(TemplateProblem(display_path(templates_dir, root), "", (
                "clauses/index.yaml is missing: `docgen contract` needs the clause library")))
        for k in KINDS:
            for sub, ext in (("html", "html"), ("docx", "docx")):
                if not (templates_dir / sub / f"{k}.{ext}").is_file():
                    out.append(TemplateProblem(display_path(templates_dir / sub, root), "", (
                        f"{k}.{ext} is missing: `docgen {k}` needs it")))
    return list(dict.fromkeys(out))


def description_notes(root: Path, templates_dir: Path) -> list[TemplateProblem]:
    """Notes listing catalogue descriptions without a text in a language the workspace prints
    (those documents print the English text). Not failures: English is a valid fallback."""
    from docgen.render.clauses import languages
    from docgen.workspace import Workspace

    path = root / "skus" / "catalogue.yaml"
    try:
        skus = Workspace(root).catalogue.skus
    except (InputError, OSError):
        return []  # the catalogue's own problems are reported by the commands that load it
    langs = [lang for lang in languages(templates_dir) if lang != "en"]
    out, english_only = [], []
    for sku in skus:
        missing = [lang for lang in langs if lang not in sku.description_languages()]
        if not missing:
            continue
        if isinstance(sku.description, str):
            english_only.append(sku.code)
        else:
            out.append(TemplateProblem(display_path(path, root), sku.code, (
                f"description has no {', '.join(missing)} text: documents in "
                f"{'that language' if len(missing) == 1 else 'those languages'} print the "
                "English one"), note=True))
    if english_only and langs:
        out.append(TemplateProblem(display_path(path, root), "", (
            f"{len(english_only)} SKU description(s) are English only ({', '.join(english_only)})"
            f": {', '.join(langs)} documents print them in English; write "
            "`description: {en: ..., " + langs[0] + ": ...}` to translate one"), note=True))
    return out


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
    """Jinja syntax of an HTML template; Word's traps of a DOCX one."""
    from jinja2 import TemplateSyntaxError

    if path.suffix.lower() == ".docx":
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
