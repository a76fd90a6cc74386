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
    #: the order form / contract from legal's templates and clause library (SPEC §6)
    CONTRACT = "contract"

    @property
    def reference_prefix(self) -> str | None:
        """Prefix of a final document's reference when it takes no PO number (SOW-<deal>).

        A contract is referenced by its deal (``CTR-D-2026-0042``), not numbered like a PO:
        its identity is the deal it puts into force, and a new revision is a new draft to sign.
        """
        return {DocumentKind.SOW: "SOW", DocumentKind.ONBOARDING: "ONB",
                DocumentKind.CONTRACT: "CTR"}.get(self)


def file_stem(deal_id: str, kind: DocumentKind, number: str | None, *,
              internal: bool = False) -> str:
    """``D-2026-0042-po-PO-2026-000007`` for a final document, ``D-2026-0042-po-draft`` for a
    draft: a final document's name carries its number, so a new issue never lands on an old one.
    An internal copy adds ``-internal`` (it is never the issued file)."""
    stem = f"{deal_id}-{kind.value}"
    stem = f"{stem}-{number}" if number is not None else f"{stem}-draft"
    return f"{stem}-internal" if internal else stem
