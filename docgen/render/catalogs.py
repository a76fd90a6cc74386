"""The message catalogs of a workspace: extract, update, compile and start them (``docgen i18n``).

Every workspace carries its own catalogs in ``templates/locale`` (``docgen init`` copies the
sample's), so translating needs neither the repository nor ``make``: the msgids come from the
installed package (``docgen/render/labels.py``, read by Babel's extractor) and the workspace's own
policy (its onboarding-plan tasks). Nothing here renders.

- :func:`extract` writes ``templates/locale/messages.pot``;
- :func:`update` merges it into each ``<lang>/LC_MESSAGES/messages.po`` (new entries empty,
  changed ones fuzzy, dropped ones removed);
- :func:`compile_catalogs` compiles each catalog in memory (syntax, plural forms) and reports its
  statistics; ``docgen i18n compile`` then runs the catalog checks of ``templates check``;
- :func:`init` starts a catalog for a new language.

docgen reads ``.po`` files directly at run time, so there is nothing to ship after compiling.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from docgen.errors import InputError, Problem

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

__all__ = ["CatalogStats", "catalog_paths", "compile_catalogs", "extract", "init", "update"]

#: Keywords of labels.py: N_(msgid) and Nn_(singular, plural).
KEYWORDS = {"N_": None, "Nn_": (1, 2)}
COMMENT_TAGS = ("TRANSLATORS:",)
#: A fixed creation date keeps the template's bytes stable from one run to the next.
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CatalogStats:
    """What one catalog holds after an update or a compile."""

    lang: str
    path: Path
    total: int
    translated: int
    fuzzy: int

    @property
    def untranslated(self) -> int:
        """Entries with no translation."""
        return self.total - self.translated - self.fuzzy


def catalog_paths(templates_dir: Path) -> list[tuple[str, Path]]:
    """(language, path) of every ``templates/locale/<lang>/LC_MESSAGES/messages.po``."""
    return [(p.parent.parent.name, p)
            for p in sorted((templates_dir / "locale").glob("*/LC_MESSAGES/messages.po"))]


def _template(policy_path: Path | None) -> Catalog:
    """The catalog template: every label of the package and the policy's plan tasks."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    from docgen.render import labels

    cat = Catalog(project="docgen", copyright_holder="docgen authors", creation_date=_EPOCH,
                  fuzzy=False)
    src = Path(labels.__file__)
    for lineno, message, comments, context in extract_from_file(
            "python", str(src), keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
            strip_comment_tags=True):
        cat.add(message, None, [("docgen/render/labels.py", lineno)],
                auto_comments=comments, context=context)
    if policy_path is not None and policy_path.is_file():
        with policy_path.open("rb") as fh:
            for lineno, _func, message, comments in labels.extract_policy(fh, None, None, None):
                cat.add(message, None, [("skus/policy.yaml", lineno)], auto_comments=comments)
    return cat


def _write(cat: Catalog, path: Path) -> None:
    from babel.messages.pofile import write_po

    from docgen.io import write_atomic

    buf = io.BytesIO()
    write_po(buf, cat, width=100, sort_by_file=True, omit_header=False)
    write_atomic(path, buf.getvalue())


def _read(path: Path, lang: str | None = None) -> Catalog:
    from babel.messages.pofile import PoFileError, read_po

    try:
        with path.open("rb") as fh:
            return read_po(fh, locale=lang, abort_invalid=True)
    except (PoFileError, OSError, ValueError) as exc:
        raise InputError([Problem(str(path), None, "", f"cannot be read as a catalog: "
                                  f"{exc}")]) from None


def extract(templates_dir: Path, policy_path: Path | None) -> Path:
    """Write ``templates/locale/messages.pot`` from the package's labels and the policy."""
    pot = templates_dir / "locale" / "messages.pot"
    _write(_template(policy_path), pot)
    return pot


def _stats(lang: str, path: Path, cat: Catalog) -> CatalogStats:
    msgs = [m for m in cat if m.id]
    fuzzy = sum(1 for m in msgs if m.fuzzy)
    done = sum(1 for m in msgs if not m.fuzzy and m.string
               and (all(m.string) if isinstance(m.string, tuple | list) else True))
    return CatalogStats(lang, path, len(msgs), done, fuzzy)


def update(templates_dir: Path, policy_path: Path | None) -> list[CatalogStats]:
    """Extract, then merge the template into every language's catalog."""
    template = _template(policy_path)
    _write(template, templates_dir / "locale" / "messages.pot")
    out = []
    for lang, path in catalog_paths(templates_dir):
        cat = _read(path, lang)
        cat.update(template, no_fuzzy_matching=False, update_header_comment=False)
        cat.obsolete.clear()
        _write(cat, path)
        out.append(_stats(lang, path, cat))
    return out


def init(templates_dir: Path, policy_path: Path | None, lang: str) -> Path:
    """Start ``templates/locale/<lang>/LC_MESSAGES/messages.po`` (refused when it exists)."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        raise InputError([Problem(lang, None, "", "not a language Babel knows (e.g. es, "
                                  "it, pt_BR)")]) from None
    path = templates_dir / "locale" / lang / "LC_MESSAGES" / "messages.po"
    if path.exists():
        raise InputError([Problem(str(path), None, "", "exists already: use `docgen i18n "
                                  "update`")])
    template = _template(policy_path)
    from babel.messages.catalog import Catalog

    cat = Catalog(locale=lang, project="docgen", copyright_holder="docgen authors",
                  creation_date=_EPOCH, fuzzy=False)
    for m in template:
        if m.id:
            cat.add(m.id, None, m.locations, auto_comments=m.auto_comments)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(cat, path)
    return path


def compile_catalogs(templates_dir: Path) -> list[CatalogStats]:
    """Compile every catalog in memory (what ``msgfmt`` would refuse raises InputError)."""
    from babel.messages.mofile import write_mo

    out = []
    problems = []
    for lang, path in catalog_paths(templates_dir):
        try:
            cat = _read(path, lang)
            write_mo(io.BytesIO(), cat, use_fuzzy=False)
        except InputError as exc:
            problems += exc.problems
            continue
        except Exception as exc:  # noqa: BLE001 - Babel raises assorted errors on bad catalogs
            problems.append(Problem(str(path), None, "", f"does not compile: {exc}"))
            continue
        out.append(_stats(lang, path, cat))
    if problems:
        raise InputError(problems)
    return out
