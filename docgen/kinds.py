"""The kinds of document docgen produces, and how their files are named (SPEC §6)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["FORMATS", "DocumentKind", "file_stem"]

#: Output formats of every document kind (``html`` is the page WeasyPrint lays out).
FORMATS = ("pdf", "docx", "html")


class DocumentKind(StrEnum):
    """A document kind; its value is the name used in templates, files and findings' gates."""

    PO = "po"
    SOW = "sow"
    ONBOARDING = "onboarding"

    @property
    def reference_prefix(self) -> str | None:
        """Prefix of a final document's reference when it takes no PO number (SOW-<deal>)."""
        return {DocumentKind.SOW: "SOW", DocumentKind.ONBOARDING: "ONB"}.get(self)


def file_stem(deal_id: str, kind: DocumentKind, number: str | None) -> str:
    """``D-2026-0042-po-PO-2026-000007`` for a final document, ``D-2026-0042-po-draft`` for a
    draft: a final document's name carries its number, so a new issue never lands on an old one."""
    stem = f"{deal_id}-{kind.value}"
    return f"{stem}-{number}" if number is not None else f"{stem}-draft"
