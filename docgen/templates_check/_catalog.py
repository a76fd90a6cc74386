"""The message catalogs of ``docgen templates check``: every label of
``templates/locale/*/LC_MESSAGES/messages.po`` translated, none fuzzy, and the ``{placeholders}``
of each translation equal to its msgid's.
"""

from __future__ import annotations

import re
from pathlib import Path

from docgen.templates_check._problems import TemplateProblem, display_path

__all__ = ["check_catalog", "check_labels"]


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{(\w*)\}", text))


def check_catalog(path: Path, root: Path) -> list[TemplateProblem]:
    """Every label translated (not fuzzy), placeholders equal to the msgid's.

    An English catalog (``locale/en/…``) only overrides the package's English texts, so it may
    hold as few entries as it likes; a label the workspace overrides in
    ``templates/labels/<lang>.yaml`` needs no entry in that language's catalog.
    """
    from babel.messages.pofile import PoFileError, read_po

    from docgen.render.labels import all_msgids, override_keys

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
    lang = path.parent.parent.name
    if lang.split("_")[0] == "en":
        return out  # an override of the source language: only what it holds is checked
    labels_dir = path.parent.parent.parent.parent / "labels"
    keys = override_keys()
    overridden = set()
    for f in sorted(labels_dir.glob(f"{lang.split('_')[0]}*.yaml")):
        if f.stem.split("_")[0] != lang.split("_")[0]:
            continue
        overridden |= {keys[k] for k in _override_keys_of(f) if k in keys}
    for msgid in all_msgids():
        if msgid in overridden:
            continue
        m = by_id.get(msgid)
        if m is None:
            out.append(TemplateProblem(src, "", f"no entry for the label {msgid!r}: run "
                                       "`docgen i18n update`, then translate it"))
        elif m.fuzzy:
            out.append(TemplateProblem(src, str(m.lineno), f"the translation of {msgid!r} is "
                                       "marked fuzzy: check it, then remove the fuzzy flag"))
        elif not m.string:
            out.append(TemplateProblem(src, str(m.lineno), f"{msgid!r} is not translated"))
    return out


def _override_keys_of(path: Path) -> list[str]:
    """The keys of a label override file (empty when it cannot be read: check_labels says so)."""
    from docgen.errors import InputError
    from docgen.sources import load_file

    try:
        data = load_file(path).data
    except InputError:
        return []
    return [str(k) for k in data] if isinstance(data, dict) else []


def check_labels(path: Path, root: Path) -> list[TemplateProblem]:
    """A label override file (``templates/labels/<locale>.yaml``): a known locale, known label
    keys, texts whose ``{placeholders}`` equal the English msgid's."""
    from babel import Locale, UnknownLocaleError

    from docgen.errors import InputError
    from docgen.render.i18n import parse_overrides
    from docgen.render.labels import override_keys

    src = display_path(path, root)
    out = []
    try:
        Locale.parse(path.stem)
    except (UnknownLocaleError, ValueError):
        out.append(TemplateProblem(src, "", f"{path.stem!r} is not a locale: name the file after "
                                   "the language it overrides (en.yaml, de.yaml, fr_CH.yaml)"))
    try:
        texts, bad = parse_overrides(path)
    except InputError as exc:  # not YAML docgen can read
        bad, texts = exc.problems, {}
    out += [TemplateProblem(src, str(p.line or ""), f"{p.path}: {p.message}" if p.path
                            else p.message) for p in bad]
    keys = override_keys()
    for key, text in texts.items():
        want = _placeholders(keys[key])
        if _placeholders(text) != want:
            out.append(TemplateProblem(src, "", (
                f"{key}: the text has placeholders {_placeholders(text)}, the label has {want}: "
                "keep every {name} exactly as it is")))
    return out
