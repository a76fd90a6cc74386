"""The clause library of ``docgen templates check``: ``templates/clauses/index.yaml`` against its
schema (an unknown field in a condition, a value no deal can have), and every clause's Word files:
one per language the workspace prints, readable, with a heading and text, using only the
placeholders docgen fills in.
"""

from __future__ import annotations

from pathlib import Path

from docgen.templates_check._problems import TemplateProblem, display_path

__all__ = ["check_clauses"]


def check_clauses(index: Path, templates_dir: Path, root: Path) -> list[TemplateProblem]:
    """Problems of the clause index at `index` and of the clause files it names."""
    from docgen.errors import InputError, RenderError
    from docgen.render.clauses import (
        CLAUSE_FIELDS,
        clause_file,
        languages,
        load_index,
        placeholders,
        read_clause,
    )

    src = display_path(index, root)
    try:
        lib = load_index(templates_dir)
    except InputError as exc:
        return [TemplateProblem(src, str(p.line or ""), f"{p.path}: {p.message}" if p.path
                                else p.message) for p in exc.problems]
    out: list[TemplateProblem] = []
    folder = templates_dir / "clauses"
    for clause in lib.clauses:
        for lang in languages(templates_dir):
            path = clause_file(templates_dir, clause.id, lang)
            if path is None or path.stem.split("_")[0] != lang:
                out.append(TemplateProblem(src, "", (
                    f"the clause {clause.id!r} has no {lang} text: add "
                    f"templates/clauses/{clause.id}/{lang}.docx (without it a {lang} contract "
                    "prints the English text)")))
                continue
            where = display_path(path, root)
            try:
                text = read_clause(path)
            except RenderError as exc:
                out.append(TemplateProblem(where, "", str(exc).split(": ", 1)[-1]))
                continue
            if not text.paragraphs:
                out.append(TemplateProblem(where, "", "holds a heading but no text: the first "
                                           "paragraph is the heading, the others the clause"))
            for p in (text.title, *text.paragraphs):
                for name in placeholders(p):
                    if name not in CLAUSE_FIELDS:
                        out.append(TemplateProblem(where, "", (
                            f"unknown placeholder {{{name}}}: use "
                            f"{', '.join('{' + f + '}' for f in CLAUSE_FIELDS)}")))
    listed = {c.id for c in lib.clauses}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        if sub.name not in listed:
            out.append(TemplateProblem(display_path(sub, root), "", (
                "not in clauses/index.yaml, so no contract prints it"), note=True))
    return out
