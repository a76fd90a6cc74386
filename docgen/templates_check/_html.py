"""The HTML half of ``docgen templates check``: syntax, variables, contract and a trial render
of one ``templates/html`` document, with the layouts it extends and the partials it includes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docgen.templates_check._paths import sample_data, walk_template
from docgen.templates_check._problems import (
    TemplateProblem,
    contract_problems,
    display_path,
    variable_problems,
)

__all__ = ["check_html"]


def _html_loader(templates_dir: Path, root: Path) -> Any:
    """A loader for the walker: a name inside `templates_dir` -> (source, display name)."""
    def load(name: str) -> tuple[str, str] | None:
        path = (templates_dir / name).resolve()
        if not path.is_relative_to(templates_dir.resolve()) or not path.is_file():
            return None
        return path.read_text("utf-8"), display_path(path, root)
    return load


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
