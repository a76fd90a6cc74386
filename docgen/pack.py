"""``docgen pack``: one PDF of a PO and its SOW that keeps the embedded data and PDF/A markers.

``PdfWriter().append(po)`` would drop the attachments, the XMP metadata and the output intent
(LIBRARIES.md §6), leaving a file that is no longer PDF/A and carries no data. So the pack is a
*clone* of the first file (the PO: its XMP, output intent, ``/AF`` and embedded files survive),
and every further file's pages are appended to it. The embedded files of the further files
(``docgen-sow.json``) are copied in and listed in ``/AF`` as well, and a manifest,
``docgen-pack.json``, records each part's SHA-256, so that ``docgen verify`` can tell that the PO
inside is the file that was issued. The same inputs give the same bytes; the write is atomic.

A pack of a final PO is itself signed (PAdES, :mod:`docgen.signing`) and its own SHA-256 is
recorded in the registry by the session: the signature of the PO inside cannot survive the
merge (the PO's signature field is removed), so the pack carries docgen's signature instead.
Only the PO docgen issued can be packed: its bytes must be the ones the registry recorded.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
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
    #: the PO number the pack holds, when it is a signed pack of a final PO
    number: str | None = None
    deal_id: str | None = None


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


def _check_issued(pdfs: Sequence[EmbeddedPdf], parts: Sequence[dict[str, Any]],
                  registry: Any) -> None:
    """A numbered PO may be packed only as the very file docgen issued."""
    problems = []
    for pdf, part in zip(pdfs, parts, strict=True):
        if part.get("kind") != "po" or not part.get("number"):
            continue
        rec = registry.issued(str(part["number"])) if registry is not None else None
        if rec is None or rec.status != "issued":
            problems.append(Problem(pdf.file, None, "", f"{part['number']} is not an issued PO in "
                                    "this workspace's registry; only issued POs can be packed"))
        elif rec.file_sha256 != part["sha256"]:
            problems.append(Problem(pdf.file, None, "", f"is not the file docgen issued as "
                                    f"{part['number']} (its SHA-256 differs): pack the issued PO"))
    if problems:
        raise InputError(problems)


def _drop_signatures(writer: Any) -> None:
    """Remove signature fields (and their widgets) copied from the PO: the merge breaks them."""
    from pypdf.generic import ArrayObject, NameObject

    def is_sig(obj: Any) -> bool:
        obj = obj.get_object()
        return obj.get("/FT") == "/Sig" or ("/Parent" in obj and
                                            obj["/Parent"].get_object().get("/FT") == "/Sig")

    for page in writer.pages:
        annots = page.get("/Annots")
        if annots is not None:
            kept = [a for a in annots.get_object() if not is_sig(a)]
            if kept:
                page[NameObject("/Annots")] = ArrayObject(kept)
            else:
                del page[NameObject("/Annots")]
    root = writer.root_object
    form = root.get("/AcroForm")
    if form is not None:
        form = form.get_object()
        fields = [f for f in form.get("/Fields") or [] if not is_sig(f)]
        if fields:
            form[NameObject("/Fields")] = ArrayObject(fields)
        else:
            del root[NameObject("/AcroForm")]


#: Signs a pack's bytes as of its PO's issue date.
Signer = Callable[[bytes, date], bytes]


def pack_pdfs(paths: Sequence[str | Path], out: Path, *, registry: Any = None,
              sign: Signer | None = None) -> PackResult:
    """Merge `paths` (the PO first) into `out`, keeping embedded files, XMP and PDF/A markers.

    A pack whose first file is a final PO is signed with `sign`; that PO must be the file the
    `registry` recorded.
    """
    from pypdf import PdfWriter

    if not paths:
        raise InputError([Problem("PDF", None, "", "give at least one PDF to pack")])
    pdfs = [load_pdf(p) for p in paths]
    parts = [_part(p) for p in pdfs]
    _check_inputs(pdfs, parts)
    _check_issued(pdfs, parts, registry)
    final = parts[0].get("kind") == "po" and bool(parts[0].get("number"))
    base = pdfs[0]
    day = str(parts[0].get("issue_date") or "1980-01-01").replace("-", "")
    moment = f"D:{day}000000Z"
    try:
        writer = PdfWriter(clone_from=io.BytesIO(base.blob))
        _drop_signatures(writer)
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
    if final and sign is not None:
        blob = sign(blob, date.fromisoformat(str(parts[0]["issue_date"])))
    write_atomic(out, blob)
    return PackResult(path=out, pages=sum(p["pages"] for p in parts), parts=tuple(parts),
                      sha256=hashlib.sha256(blob).hexdigest(),
                      number=str(parts[0]["number"]) if final else None,
                      deal_id=str(parts[0]["deal"]) if final else None)
