"""Legal's clause library: which clauses a contract holds, and each clause's text per language.

A workspace keeps it in ``templates/clauses/``::

    index.yaml                  the clauses in contract order, each with the condition it needs
    <clause id>/en.docx         the clause's text in English: a Word file legal edits in Word
    <clause id>/fr.docx         … one file per language the workspace prints (fr_CH.docx wins
                                over fr.docx for a fr_CH customer)

``index.yaml``::

    clauses:
      - id: term                          # always in the contract
      - id: auto_renewal
        when: {renewal: auto}
      - id: data_protection_eu
        when: {territory: [DE, FR, NL]}   # a list: any of them
      - id: professional_services
        when: {families: [workshop, audit, training, onsite, managed_service, custom]}

A clause applies when every field of its ``when`` matches the deal (fields: ``territory``,
``families`` — any line sold, or a service inside a bundle, of these families —,
``payment_type``, ``renewal``, ``new_customer``). In a clause's Word file the first paragraph is its
heading and every other non-empty paragraph a paragraph of text; ``{customer}``, ``{vendor}``,
``{start}``, ``{end}``, ``{term}``, ``{notice_days}`` and ``{payment_terms}`` are filled in for
the deal, already formatted for its locale. Nothing here renders a document.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from docgen.errors import InputError, Problem, RenderError
from docgen.models._base import Input

__all__ = ["CLAUSE_FIELDS", "Clause", "ClauseIndex", "ClauseText", "Condition", "DealFacts",
           "clause_file", "load_index", "read_clause", "selected"]

FamilyOrCustom = Literal["licence", "workshop", "audit", "training", "onsite", "managed_service",
                         "support", "usage", "bundle", "custom"]

#: The placeholders a clause text may use (filled per deal by the context builder).
CLAUSE_FIELDS = ("customer", "vendor", "start", "end", "term", "notice_days", "payment_terms")

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ID = r"^[a-z][a-z0-9_]{0,63}$"


class Condition(Input):
    """When a clause applies: every field given must match (a list matches any of its items)."""

    territory: list[str] | None = Field(default=None, min_length=1)
    families: list[FamilyOrCustom] | None = Field(default=None, min_length=1)
    payment_type: list[Literal["invoice", "direct_debit", "card", "prepayment"]] | None = \
        Field(default=None, min_length=1)
    renewal: Literal["auto", "none"] | None = None
    new_customer: bool | None = None


class Clause(Input):
    """One entry of the index: a clause id (its folder) and when it applies."""

    id: str = Field(pattern=_ID)
    when: Condition = Field(default_factory=Condition)


class ClauseIndex(Input):
    """``templates/clauses/index.yaml``."""

    clauses: list[Clause] = Field(min_length=1)


@dataclass(frozen=True)
class DealFacts:
    """What a condition looks at, taken from a priced deal."""

    territory: str
    families: frozenset[str]
    payment_type: str
    renewal: str
    new_customer: bool

    def matches(self, when: Condition) -> bool:
        """True when every field of `when` matches."""
        return ((when.territory is None or self.territory in when.territory)
                and (when.families is None or bool(self.families & set(when.families)))
                and (when.payment_type is None or self.payment_type in when.payment_type)
                and (when.renewal is None or self.renewal == when.renewal)
                and (when.new_customer is None or self.new_customer == when.new_customer))


@dataclass(frozen=True)
class ClauseText:
    """A clause's heading and paragraphs in one language, as legal wrote them."""

    title: str
    paragraphs: tuple[str, ...]


def index_path(templates_dir: Path) -> Path:
    """Where the index lives."""
    return templates_dir / "clauses" / "index.yaml"


def load_index(templates_dir: Path) -> ClauseIndex:
    """The workspace's clause index; InputError (file, line, field) when it is wrong."""
    path = index_path(templates_dir)
    if not path.is_file():
        raise InputError([Problem(str(path), None, "", "the clause library's index is missing: "
                                  "a contract needs templates/clauses/index.yaml")])
    return _load_index(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _load_index(path: Path, _mtime: int) -> ClauseIndex:
    from docgen.sources import load_file, validate_model

    index = validate_model(ClauseIndex, load_file(path))
    seen: set[str] = set()
    for i, c in enumerate(index.clauses):
        if c.id in seen:
            raise InputError([Problem(str(path), None, f"clauses[{i}].id",
                                      f"the clause {c.id!r} is listed twice")])
        seen.add(c.id)
    return index


def clause_file(templates_dir: Path, clause_id: str, locale: str) -> Path | None:
    """The clause's Word file for `locale`: ``fr_CH.docx``, then ``fr.docx``; None if neither."""
    folder = templates_dir / "clauses" / clause_id
    lang = locale.split("_")[0]
    for tag in dict.fromkeys((locale, lang)):
        path = folder / f"{tag}.docx"
        if path.is_file():
            return path
    return None


def read_clause(path: Path) -> ClauseText:
    """Heading and paragraphs of a clause's Word file (cached while the file is unchanged)."""
    st = path.stat()
    return _read_clause(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=512)
def _read_clause(path: Path, _mtime: int, _size: int) -> ClauseText:
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read("word/document.xml")
        root = etree.fromstring(xml)
    except (zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError) as exc:
        raise RenderError(f"clause {path}: not a Word document ({exc})") from None
    body = root.find(f"{_W}body")
    paras = []
    for p in (body.iter(f"{_W}p") if body is not None else ()):
        parts = []
        for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br"):
            parts.append(node.text or "" if node.tag == f"{_W}t" else " ")
        text = " ".join("".join(parts).split())
        if text:
            paras.append(text)
    if not paras:
        raise RenderError(f"clause {path}: the Word file holds no text")
    return ClauseText(title=paras[0], paragraphs=tuple(paras[1:]))


def placeholders(text: str) -> list[str]:
    """The ``{name}`` placeholders of a clause text."""
    return re.findall(r"\{(\w*)\}", text)


def selected(index: ClauseIndex, facts: DealFacts) -> list[Clause]:
    """The clauses of `index` whose condition the deal meets, in index order."""
    return [c for c in index.clauses if facts.matches(c.when)]


def fill(text: str, values: Mapping[str, str], where: str) -> str:
    """`text` with its placeholders filled; RenderError naming `where` for an unknown one."""
    unknown = [n for n in placeholders(text) if n not in values]
    if unknown:
        raise RenderError(f"{where}: unknown placeholder {{{unknown[0]}}} (use "
                          f"{', '.join('{' + f + '}' for f in CLAUSE_FIELDS)})")
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], text)


def languages(templates_dir: Path) -> list[str]:
    """The languages a workspace prints: English and each language it has a catalog for."""
    langs = {p.parent.parent.name.split("_")[0]
             for p in (templates_dir / "locale").glob("*/LC_MESSAGES/messages.po")}
    return ["en", *sorted(langs - {"en"})]


def texts_for(templates_dir: Path, clauses: Sequence[Clause], locale: str) -> list[ClauseText]:
    """Each clause's text in `locale`, falling back to English (templates check flags a missing
    translation before a contract goes out)."""
    out = []
    for c in clauses:
        path = clause_file(templates_dir, c.id, locale) or clause_file(templates_dir, c.id, "en")
        if path is None:
            raise RenderError(f"clause {c.id}: no text (templates/clauses/{c.id}/en.docx)")
        out.append(read_clause(path))
    return out
