"""Fixtures for the verification tests: final POs rendered in process (in the shared workspace of
``tests/conftest.py``), and a registry of issued documents that behaves like the store's."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from docgen.store import IssuedDocument, SignedFile
from docgen.workspace import Workspace

ISSUED = date(2026, 11, 22)


class FakeRegistry:
    """The registry part of the store's interface (``issued(number)``), in memory."""

    def __init__(self) -> None:
        self.docs: dict[str, IssuedDocument] = {}
        self.files: dict[str, SignedFile] = {}

    def record(self, number: str, *, deal_id: str, fingerprint: str, pdf: Path,
               issued_on: date = ISSUED) -> None:
        """Record `pdf` as issued under `number`, as ``docgen po`` does."""
        sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
        self.docs[number] = IssuedDocument(number=number, deal_id=deal_id,
                                           fingerprint=fingerprint, file_sha256=sha,
                                           path=str(pdf), issued_on=issued_on, status="issued")

    def change(self, number: str, **fields: Any) -> None:
        """Alter an entry (to test what verification says about it)."""
        self.docs[number] = replace(self.docs[number], **fields)

    def issued(self, number: str) -> IssuedDocument | None:
        """The entry of `number`, or None."""
        return self.docs.get(number)

    def record_signed_file(self, sha256: str, *, kind: str, number: str, deal_id: str,
                           path: str | None) -> None:
        """Record a signed pack, as ``docgen pack`` does."""
        self.files[sha256] = SignedFile(sha256=sha256, kind=kind, number=number,
                                        deal_id=deal_id, path=path)

    def signed_file(self, sha256: str) -> SignedFile | None:
        """The signed pack recorded with this SHA-256, or None."""
        return self.files.get(sha256)

    def close(self) -> None:
        """Nothing to close."""


@dataclass
class FinalPo:
    """A rendered final PO and what a test needs to check it."""

    pdf: Path
    paths: dict[str, Path]
    number: str
    deal_id: str
    fingerprint: str
    result: Any
    registry: FakeRegistry


def render(ws: Workspace, deal: Path, out_dir: Path, *, number: str | None,
           kind: str = "po", formats: tuple[str, ...] = ("pdf",),
           issue_date: date = ISSUED) -> tuple[Any, Any]:
    """Render one document in process, bypassing the gate (the tests check the representation)."""
    from tests.docs import render_document

    done = render_document(ws, deal, kind, out_dir, formats=formats, number=number,
                           draft=False, issue_date=issue_date)
    return done, done.result


@pytest.fixture
def final_po(shared_ws: Workspace, tmp_path: Path) -> Callable[..., FinalPo]:
    """Render a final PO of a sample deal and record it in a fresh FakeRegistry."""

    def make(deal: str = "D-2026-0101", number: str = "PO-2026-000042",
             formats: tuple[str, ...] = ("pdf",), out: Path | None = None) -> FinalPo:
        path = next((shared_ws.root / "examples" / "deals").glob(f"{deal}*.yaml"))
        rendered, result = render(shared_ws, path, out or tmp_path / "out", number=number,
                                  formats=formats)
        reg = FakeRegistry()
        reg.record(number, deal_id=result.deal.deal, fingerprint=result.priced.fingerprint,
                   pdf=rendered.paths["pdf"])
        return FinalPo(pdf=rendered.paths["pdf"], paths=rendered.paths, number=number,
                       deal_id=result.deal.deal, fingerprint=result.priced.fingerprint,
                       result=result, registry=reg)

    return make


def rewrite_attachment(pdf: Path, name: str, edit: Callable[[bytes], bytes],
                       target: Path | None = None) -> Path:
    """Write a copy of `pdf` whose embedded file `name` went through `edit` (a forger's edit)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(pdf.read_bytes()))
    for ef in writer.attachment_list:
        if ef.name == name:
            ef.content = edit(ef.content)
            break
    else:
        raise AssertionError(f"{pdf} has no attachment {name}")
    out = target or pdf.with_name(pdf.stem + "-edited.pdf")
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def pack(ws: Workspace, paths: list[Path], out: Path, registry: FakeRegistry) -> Any:
    """Pack `paths` as ``docgen pack`` does: signed with `ws`'s key, recorded in `registry`."""
    from docgen.pack import pack_pdfs
    from docgen.signing import sign_pdf, signing_key

    key = signing_key(ws)
    result = pack_pdfs(paths, out, registry=registry,
                       sign=lambda blob, day: sign_pdf(blob, key, signed_on=day))
    if result.number is not None:
        registry.record_signed_file(result.sha256, kind="pack", number=result.number,
                                    deal_id=str(result.deal_id), path=str(result.path))
    return result


@pytest.fixture
def draft_po(shared_ws: Workspace, tmp_path: Path) -> Callable[..., Path]:
    """Render a draft PO (no number) of a sample deal; returns the PDF's path."""

    def make(deal: str = "D-2026-0101") -> Path:
        path = next((shared_ws.root / "examples" / "deals").glob(f"{deal}*.yaml"))
        rendered, _ = render(shared_ws, path, tmp_path / "drafts", number=None)
        return Path(rendered.paths["pdf"])

    return make


@pytest.fixture
def tools() -> Any:
    """Helpers of this folder for tests (the folder is no package, so they come as a fixture)."""

    class Tools:
        FakeRegistry = globals()["FakeRegistry"]
        render = staticmethod(render)
        pack = staticmethod(pack)
        rewrite_attachment = staticmethod(rewrite_attachment)

    return Tools
