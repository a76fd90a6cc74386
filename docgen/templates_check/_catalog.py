"""The message catalogs of ``docgen templates check``: every label of
``templates/locale/*/LC_MESSAGES/messages.po`` translated, none fuzzy, and the ``{placeholders}``
of each translation equal to its msgid's.
"""

from __future__ import annotations

import re
from pathlib import Path

from docgen.templates_check._problems import TemplateProblem, display_path

__all__ = ["check_catalog"]


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
