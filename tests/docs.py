"""The one render helper and the one PDF-text helper of the test suite.

Tests that check what a document shows render it in process through the session, bypassing the
issuing gate (blockers, numbers, the registry): :func:`render_document` builds the document input
exactly as ``docgen po`` does, renders it with a :class:`~docgen.render.documents.Renderer` and
writes the files the way the CLI names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from docgen import api
from docgen.io import write_atomic
from docgen.render.documents import Renderer
from docgen.validate import DealResult
from docgen.workspace import Workspace

ISSUED = date(2026, 11, 22)

__all__ = ["ISSUED", "Rendered", "document_context", "pdf_text", "render_document"]


@dataclass(frozen=True)
class Rendered:
    """What :func:`render_document` wrote, and the validated deal it came from."""

    paths: dict[str, Path]
    sha256: dict[str, str]
    result: DealResult
    number: str | None

    @property
    def pdf(self) -> Path:
        """The PDF's path."""
        return self.paths["pdf"]


def _input(ws: Workspace | Path, deal: Path, kind: str, *, number: str | None,
           draft: bool | None, issue_date: date,
           internal: bool = False) -> tuple[Any, DealResult, Workspace]:
    with api.Session(ws if isinstance(ws, Workspace) else Path(ws)) as s:
        (result,) = s.validate([deal])
        doc = s.document_input(result, kind, issue_date=issue_date, number=number, draft=draft,
                               internal=internal)
        return doc, result, s.workspace


def render_document(ws: Workspace | Path, deal: Path, kind: str, out_dir: Path, *,
                    formats: tuple[str, ...] = ("pdf",), number: str | None = None,
                    draft: bool | None = None, issue_date: date = ISSUED,
                    internal: bool = False) -> Rendered:
    """Render one document of `deal` in process and write it to `out_dir` (the customer's copy,
    or the `internal` one)."""
    doc, result, workspace = _input(ws, deal, kind, number=number, draft=draft,
                                    issue_date=issue_date, internal=internal)
    out = Renderer(workspace.templates_dir).render(doc, formats)
    paths = {}
    for fmt, blob in out.outputs.items():
        paths[fmt] = out_dir / f"{out.stem}.{fmt}"
        write_atomic(paths[fmt], blob)
    return Rendered(paths=paths, sha256=out.sha256, result=result, number=number)


def document_context(ws: Workspace | Path, deal: Path, kind: str, *, number: str | None = None,
                     issue_date: date = ISSUED) -> Any:
    """The template context of one document of `deal` (what the templates see)."""
    doc, _, workspace = _input(ws, deal, kind, number=number, draft=None, issue_date=issue_date)
    return Renderer(workspace.templates_dir).context(doc)


def pdf_text(path: Path) -> str:
    """The text of every page of a PDF, read with pypdf."""
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(path).pages)
