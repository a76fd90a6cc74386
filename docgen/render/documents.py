"""From a validated deal to document files: context, HTML, PDF and DOCX, written atomically.

This module is what a worker process runs; it holds one PDF and one DOCX engine per templates
folder for the life of the process, so fonts, stylesheets and compiled templates are reused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from docgen.errors import RenderError
from docgen.findings import Finding
from docgen.io import write_atomic
from docgen.render.context import ApprovalView, DocContext, build_context, vendor_view
from docgen.validate import DealResult
from docgen.workspace import Workspace

__all__ = ["FORMATS", "RenderJob", "Rendered", "render_job", "use_workspace"]

FORMATS = ("pdf", "docx", "html")
#: Stylesheets of each document kind, from templates/css/.
STYLESHEETS: dict[str, tuple[str, ...]] = {"po": ("document.css",), "sow": ("document.css",),
                                          "onboarding": ("document.css",)}
_ENGINES: dict[Path, tuple[object, object]] = {}
#: Workspaces already loaded and lock-checked by the caller (see :func:`use_workspace`).
_WORKSPACES: dict[Path, Workspace] = {}


@dataclass(frozen=True)
class RenderJob:
    """Everything needed to render one document of one deal (picklable for worker processes)."""

    workspace: Path
    result: DealResult
    kind: str
    formats: tuple[str, ...]
    out_dir: Path
    issue_date: date
    number: str | None = None
    blockers: tuple[Finding, ...] = ()
    approvals: Mapping[str, Sequence[ApprovalView]] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    """What a job wrote."""

    deal_id: str
    kind: str
    number: str | None
    paths: dict[str, Path]
    sha256: dict[str, str]


def use_workspace(ws: Workspace) -> None:
    """Let :func:`render_job` reuse `ws` for jobs of its folder in this process (and forked workers).

    The caller has loaded and lock-checked it; rendering with that same object is cheaper than
    parsing the catalogue and policy again per document, and renders exactly what was validated.
    """
    _WORKSPACES[ws.root] = ws


def _engines(templates_dir: Path) -> tuple[object, object]:
    from docgen.render.docx import DocxEngine
    from docgen.render.pdf import PdfEngine

    key = templates_dir.resolve()
    if key not in _ENGINES:
        _ENGINES[key] = (PdfEngine(key), DocxEngine(key))
    return _ENGINES[key]


def job_context(ws: Workspace, job: RenderJob) -> DocContext:
    """The document context of a job."""
    return build_context(job.result.priced, vendor=vendor_view(ws.catalogue.catalogue.vendor),
                         templates_dir=ws.templates_dir, kind=job.kind, issue_date=job.issue_date,
                         valid_days=ws.policy.po_valid_days, number=job.number,
                         blockers=job.blockers, approvals=job.approvals,
                         policy=ws.policy, skus=ws.skus)


def embedded_data(job: RenderJob, valid_days: int) -> dict[str, object]:
    """The priced deal as JSON for embedding, with the document's number and dates.

    ``deal_file`` is the deal as loaded, so that ``docgen verify`` can price it again against
    the locked catalogue and compare.
    """
    data = job.result.priced.to_json()
    data["document"] = {"kind": job.kind, "number": job.number, "draft": job.number is None,
                        "issue_date": job.issue_date.isoformat(),
                        "valid_until": (job.issue_date + timedelta(days=valid_days)).isoformat()}
    data["deal_file"] = job.result.deal.model_dump(mode="json")
    return data


def final_po(job: RenderJob) -> bool:
    """True for a numbered PO: PDF/A-3b with an embedded Order-X order."""
    return job.kind == "po" and job.number is not None


def _orderx_attachment(ws: Workspace, job: RenderJob, title: str) -> object:
    from docgen.orderx import FILENAME, build_orderx
    from docgen.render.pdf import PdfAttachment

    assert job.number is not None  # noqa: S101 - only final POs get here
    xml = build_orderx(job.result.priced, vendor=ws.catalogue.catalogue.vendor, number=job.number,
                       issue_date=job.issue_date, title=title,
                       valid_until=job.issue_date + timedelta(days=ws.policy.po_valid_days))
    return PdfAttachment(name=FILENAME, data=xml, mime="text/xml",
                         description=f"Order-X order {job.number} (COMFORT)")


def orderx_xmp() -> bytes:
    """XMP declaring the embedded Order-X order (fx: schema)."""
    from docgen.orderx import xmp_properties

    return xmp_properties()


def file_stem(job: RenderJob) -> str:
    """``D-2026-0042-po`` for a final document, ``D-2026-0042-po-draft`` for a draft."""
    stem = f"{job.result.deal.deal}-{job.kind}"
    return stem if job.number is not None else f"{stem}-draft"


def render_job(job: RenderJob) -> Rendered:
    """Render every requested format in memory, then write each file atomically."""
    from docgen.render.pdf import PdfAttachment

    ws = _WORKSPACES.get(job.workspace) or Workspace(job.workspace)
    pdf_engine, docx_engine = _engines(ws.templates_dir)
    ctx = job_context(ws, job).model_dump()
    template = f"{job.kind}.html"
    what = f"{job.result.deal.deal} {job.kind}"
    outputs: dict[str, bytes] = {}
    html = None
    if "pdf" in job.formats or "html" in job.formats:
        html = pdf_engine.html(template, ctx)  # type: ignore[attr-defined]
    if "html" in job.formats:
        assert html is not None  # noqa: S101
        outputs["html"] = pdf_engine.preview(  # type: ignore[attr-defined]
            html, STYLESHEETS[job.kind]).encode("utf-8")
    if "pdf" in job.formats:
        data = embedded_data(job, ws.policy.po_valid_days)
        blob = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False).encode()
        atts = [PdfAttachment(name=f"docgen-{job.kind}.json", data=blob,
                              description=f"docgen priced deal {job.result.deal.deal}")]
        variant = xmp = None
        if final_po(job):
            atts.append(_orderx_attachment(ws, job, ctx["doc"]["title"]))
            variant, xmp = "pdf/a-3b", orderx_xmp()
        ident = hashlib.sha256(f"{job.result.priced.fingerprint}{job.number}{job.kind}".encode())
        outputs["pdf"] = pdf_engine.pdf(  # type: ignore[attr-defined]
            html, stylesheets=STYLESHEETS[job.kind], issued=job.issue_date,
            identifier=ident.hexdigest(), attachments=atts, variant=variant, xmp=xmp, what=what)
    if "docx" in job.formats:
        try:
            outputs["docx"] = docx_engine.render(  # type: ignore[attr-defined]
                f"{job.kind}.docx", ctx, issued=job.issue_date, title=ctx["doc"]["title"])
        except RenderError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged .docx (not a zip, no document.xml)
            raise RenderError(f"{what}: template docx/{job.kind}.docx cannot be used: "
                              f"{type(exc).__name__}: {exc}") from None
    missing = set(job.formats) - set(outputs)
    if missing:
        raise RenderError(f"{what}: unknown format(s) {', '.join(sorted(missing))}")
    stem = file_stem(job)
    paths, sums = {}, {}
    for fmt, blob_out in outputs.items():
        path = job.out_dir / f"{stem}.{fmt}"
        write_atomic(path, blob_out)
        paths[fmt] = path
        sums[fmt] = hashlib.sha256(blob_out).hexdigest()
    return Rendered(deal_id=job.result.deal.deal, kind=job.kind, number=job.number, paths=paths,
                    sha256=sums)
