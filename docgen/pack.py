"""``docgen pack``: one PDF of a PO and its SOW that keeps the embedded data and PDF/A markers.

``PdfWriter().append(po)`` would drop the attachments, the XMP metadata and the output intent
(LIBRARIES.md §6), leaving a file that is no longer PDF/A and carries no data. So the pack is a
*clone* of the first file (the PO: its XMP, output intent, ``/AF`` and embedded files survive),
and every further file's pages are appended to it. The embedded files of the further files
(``docgen-sow.json``) are copied in and listed in ``/AF`` as well, and a manifest,
``docgen-pack.json``, records each part's SHA-256, so that ``docgen verify`` can tell that the PO
inside is the file that was issued. The same inputs give the same bytes; the write is atomic.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.errors import InputError, Problem
from docgen.io import write_atomic
from docgen.verify import PACK_JSON, EmbeddedPdf, load_pdf

__all__ = ["PackResult", "pack_pdfs"]

PACK_FORMAT = "docgen.pack/1"


@dataclass(frozen=True)
class PackResult:
    """What was packed: the output file, its pages and the parts."""

    path: Path
    pages: int
    parts: tuple[dict[str, Any], ...]
    sha256: str


def _part(pdf: EmbeddedPdf) -> dict[str, Any]:
    data = pdf.docgen_json()
    if data is None:
        raise InputError([Problem(pdf.file, None, "", "not a document docgen made: it has no "
                                                      "embedded docgen data")])
    if pdf.one(PACK_JSON) is not None:
        raise InputError([Problem(pdf.file, None, "", "is already a pack; pack the original "
                                                      "documents instead")])
    doc = data.get("document") if isinstance(data.get("document"), dict) else {}
    return {"file": Path(pdf.file).name, "kind": doc.get("kind"), "number": doc.get("number"),
            "deal": data.get("deal"), "sha256": pdf.sha256, "pages": len(pdf.reader.pages),
            "issue_date": doc.get("issue_date")}


def _is_pdfa(pdf: EmbeddedPdf) -> bool:
    try:
        xmp = pdf.reader.xmp_metadata
        return bool(xmp and xmp.pdfaid_part)
    except Exception:  # noqa: BLE001 - damaged XMP is simply not PDF/A
        return False


def _check_inputs(pdfs: Sequence[EmbeddedPdf], parts: Sequence[dict[str, Any]]) -> None:
    problems = []
    deals = {p["deal"] for p in parts}
    if len(deals) > 1:
        problems.append(Problem(pdfs[0].file, None, "", "the files belong to different deals ("
                                + ", ".join(sorted(map(str, deals))) + "); a pack is one deal's "
                                "documents"))
    if not _is_pdfa(pdfs[0]) and any(_is_pdfa(p) for p in pdfs[1:]):
        problems.append(Problem(pdfs[0].file, None, "", "give the PO (the PDF/A file) first: the "
                                "pack keeps the first file's PDF/A markers"))
    seen: dict[str, tuple[str, bytes]] = {}
    for pdf in pdfs:
        for name, contents in pdf.files.items():
            if name in seen and seen[name][1] != contents[0]:
                problems.append(Problem(pdf.file, None, "", f"embeds a different {name} than "
                                                            f"{seen[name][0]}"))
            seen.setdefault(name, (pdf.file, contents[0]))
    if problems:
        raise InputError(problems)


def _attach(writer: Any, name: str, data: bytes, *, subtype: str, relationship: str,
            description: str, moment: str) -> None:
    """Embed a file as a PDF/A-3 associated file: MIME subtype, dates, /AF entry."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    ef = writer.add_attachment(name, data)
    spec = ef.pdf_object
    spec[NameObject("/UF")] = TextStringObject(name)
    spec[NameObject("/Desc")] = TextStringObject(description)
    spec[NameObject("/AFRelationship")] = NameObject(relationship)
    stream = spec["/EF"]["/F"].get_object()
    stream[NameObject("/Subtype")] = NameObject(subtype)
    stream[NameObject("/Params")] = DictionaryObject({
        NameObject("/Size"): NumberObject(len(data)),
        NameObject("/ModDate"): TextStringObject(moment),
        NameObject("/CreationDate"): TextStringObject(moment)})
    root = writer.root_object
    if "/AF" not in root:
        root[NameObject("/AF")] = ArrayObject()
    root["/AF"].get_object().append(spec.indirect_reference)


def _source_spec(pdf: EmbeddedPdf, name: str) -> tuple[str, str, str]:
    """(MIME subtype, AFRelationship, description) of an embedded file of `pdf`."""
    for ef in pdf.reader.attachment_list:
        if ef.name == name:
            subtype = ef.subtype or "/application/octet-stream"
            rel = ef.associated_file_relationship
            # a plain (non-PDF/A) SOW has no relationship: its data supplements the pack
            rel = "/Supplement" if rel in (None, "", "/Unspecified") else rel
            return str(subtype), str(rel), str(ef.description or name)
    return "/application/octet-stream", "/Supplement", name


def pack_pdfs(paths: Sequence[str | Path], out: Path) -> PackResult:
    """Merge `paths` (the PO first) into `out`, keeping embedded files, XMP and PDF/A markers."""
    from pypdf import PdfWriter

    if not paths:
        raise InputError([Problem("PDF", None, "", "give at least one PDF to pack")])
    pdfs = [load_pdf(p) for p in paths]
    parts = [_part(p) for p in pdfs]
    _check_inputs(pdfs, parts)
    base = pdfs[0]
    day = str(parts[0].get("issue_date") or "1980-01-01").replace("-", "")
    moment = f"D:{day}000000Z"
    try:
        writer = PdfWriter(clone_from=io.BytesIO(base.blob))
        present = set(base.files)
        for pdf in pdfs[1:]:
            writer.append(pdf.reader)
            for name, contents in pdf.files.items():
                if name in present:
                    continue
                subtype, rel, desc = _source_spec(pdf, name)
                _attach(writer, name, contents[0], subtype=subtype, relationship=rel,
                        description=desc, moment=moment)
                present.add(name)
        manifest = {"format": PACK_FORMAT, "deal": parts[0]["deal"], "parts": parts}
        _attach(writer, PACK_JSON, json.dumps(manifest, indent=2, sort_keys=True).encode(),
                subtype="/application/json", relationship="/Supplement",
                description="docgen pack: the documents this file was made from",
                moment=moment)
        buf = io.BytesIO()
        writer.write(buf)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf on damaged input
        raise InputError([Problem(str(paths[0]), None, "", f"cannot merge the files: "
                                  f"{type(exc).__name__}: {exc}")]) from None
    blob = buf.getvalue()
    write_atomic(out, blob)
    return PackResult(path=out, pages=sum(p["pages"] for p in parts), parts=tuple(parts),
                      sha256=hashlib.sha256(blob).hexdigest())
