"""From a document input to document bytes: context, HTML, PDF and DOCX, all in memory.

Rendering is a function of data. A :class:`DocumentInput` carries everything one document shows
(the priced deal, the vendor, the slice of the policy a document prints, the kind, number, dates
and approval records); a :class:`Renderer` holds the engines of one templates folder (fonts,
stylesheets, compiled templates) for the life of a batch. :func:`render_batch` runs a batch in
this process or on worker processes, each of which builds its own renderer in the pool's
initializer. Nothing here reads a workspace, a store or a module global, and nothing is written:
the caller decides where the bytes go.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.errors import DocgenError, RenderError
from docgen.kinds import FORMATS, DocumentKind, file_stem

if TYPE_CHECKING:
    from docgen.approvals import ApprovalRecord
    from docgen.evidence import EvidenceRecord
    from docgen.findings import Finding
    from docgen.models.catalogue import Sku, Vendor
    from docgen.models.policy import PlanTask, Policy
    from docgen.pricing import PricedDeal
    from docgen.render.context import DocContext
    from docgen.signing import SigningKey

__all__ = ["STYLESHEETS", "DocumentInput", "DocumentPolicy", "RenderedDocument", "Renderer",
           "render_batch"]

#: Stylesheets of each document kind, from templates/css/.
STYLESHEETS: dict[DocumentKind, tuple[str, ...]] = {kind: ("document.css",)
                                                    for kind in DocumentKind}


@dataclass(frozen=True)
class DocumentPolicy:
    """The part of the policy a document prints."""

    valid_days: int
    onboarding_checklist: tuple[str, ...] = ()
    onboarding_plan: tuple[PlanTask, ...] = ()
    #: yes/no items, for which `false` is an answer and not missing evidence
    questions: tuple[str, ...] = ()

    @classmethod
    def of(cls, policy: Policy) -> DocumentPolicy:
        """The slice of `policy` documents need."""
        return cls(valid_days=policy.po_valid_days,
                   onboarding_checklist=tuple(policy.checklists.items("onboarding")),
                   onboarding_plan=tuple(policy.onboarding_plan),
                   questions=tuple(policy.questions))


@dataclass(frozen=True)
class DocumentInput:
    """Everything one document of one deal shows (picklable for worker processes)."""

    priced: PricedDeal
    vendor: Vendor
    policy: DocumentPolicy
    kind: DocumentKind
    issue_date: date
    number: str | None = None
    #: the catalogue SKUs of the deal's lines (a SOW prints what a bundle's services include)
    skus: Mapping[str, Sku] = field(default_factory=dict)
    #: what blocks a draft (printed on drafts only)
    blockers: tuple[Finding, ...] = ()
    #: per line (``where``): the approvals bound to its current content (printed on final POs)
    approvals: Mapping[str, tuple[ApprovalRecord, ...]] = field(default_factory=dict)
    #: the key a final PO is signed with (None: not signed)
    signer: SigningKey | None = None
    #: the internal copy: blockers and the full approval trail; never issued or recorded
    internal: bool = False
    #: the onboarding form: each checklist item's latest recorded evidence (docgen evidence add)
    evidence: Mapping[str, EvidenceRecord] = field(default_factory=dict)
    #: the onboarding form: the checklist items validation found unmet (CHK003); None: judge
    #: by the deal file's evidence alone
    checklist_unmet: frozenset[str] | None = None

    @property
    def deal_id(self) -> str:
        """The deal's id."""
        return self.priced.deal.deal

    @property
    def stem(self) -> str:
        """The file name without suffix (SPEC §6)."""
        return file_stem(self.deal_id, self.kind, self.number, internal=self.internal)

    @property
    def final_po(self) -> bool:
        """True for a numbered PO: PDF/A-3b with an embedded Order-X order."""
        return self.kind is DocumentKind.PO and self.number is not None and not self.internal

    @property
    def valid_until(self) -> date:
        """The issue date plus the policy's validity."""
        return self.issue_date + timedelta(days=self.policy.valid_days)

    def embedded_data(self) -> dict[str, Any]:
        """The priced deal as JSON for embedding, with the document's number and dates.

        ``deal_file`` is the deal as loaded, so that ``docgen verify`` can price it again against
        the locked catalogue and compare.
        """
        data = self.priced.to_json()
        data["document"] = {"kind": self.kind.value, "number": self.number,
                            "draft": self.number is None,
                            "issue_date": self.issue_date.isoformat(),
                            "valid_until": self.valid_until.isoformat()}
        if self.internal:
            data["document"]["internal"] = True  # an internal copy: never the issued document
        data["deal_file"] = self.priced.deal.model_dump(mode="json")
        return data


@dataclass(frozen=True)
class RenderedDocument:
    """The bytes of one document in each format asked for."""

    deal_id: str
    kind: DocumentKind
    number: str | None
    stem: str
    outputs: Mapping[str, bytes]

    @property
    def sha256(self) -> dict[str, str]:
        """SHA-256 of each format's bytes."""
        return {fmt: hashlib.sha256(blob).hexdigest() for fmt, blob in self.outputs.items()}


def build_document_context(doc: DocumentInput, templates_dir: Path) -> DocContext:
    """The template context of `doc` (shared by the HTML and the DOCX template)."""
    from docgen.render.context import build_context, vendor_view

    locale = doc.priced.deal.customer.locale
    return build_context(doc.priced, vendor=vendor_view(doc.vendor, locale),
                         templates_dir=templates_dir,
                         kind=doc.kind.value, issue_date=doc.issue_date,
                         valid_days=doc.policy.valid_days, number=doc.number,
                         blockers=doc.blockers, approvals=doc.approvals, policy=doc.policy,
                         skus=doc.skus, internal=doc.internal, evidence=doc.evidence,
                         checklist_unmet=doc.checklist_unmet)


class Renderer:
    """The engines of one templates folder, reused for every document of a batch."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = Path(templates_dir).resolve()
        self._pdf: Any = None
        self._docx: Any = None

    @property
    def pdf_engine(self) -> Any:
        """WeasyPrint behind the sandboxed Jinja environment (created on first use)."""
        if self._pdf is None:
            from docgen.render.pdf import PdfEngine

            self._pdf = PdfEngine(self.templates_dir)
        return self._pdf

    @property
    def docx_engine(self) -> Any:
        """docxtpl (created on first use)."""
        if self._docx is None:
            from docgen.render.docx import DocxEngine

            self._docx = DocxEngine(self.templates_dir)
        return self._docx

    def context(self, doc: DocumentInput) -> DocContext:
        """The template context of `doc`."""
        return build_document_context(doc, self.templates_dir)

    def render(self, doc: DocumentInput, formats: Sequence[str]) -> RenderedDocument:
        """Render `doc` in every format of `formats`, in memory."""
        unknown = set(formats) - set(FORMATS)
        what = f"{doc.deal_id} {doc.kind.value}"
        if unknown:
            raise RenderError(f"{what}: unknown format(s) {', '.join(sorted(unknown))}")
        ctx = self.context(doc).model_dump()
        outputs: dict[str, bytes] = {}
        html = None
        if "pdf" in formats or "html" in formats:
            html = self.pdf_engine.html(f"{doc.kind.value}.html", ctx)
        if "html" in formats:
            outputs["html"] = self.pdf_engine.preview(html, STYLESHEETS[doc.kind]).encode("utf-8")
        if "pdf" in formats:
            outputs["pdf"] = self._pdf_bytes(doc, html, ctx["doc"]["title"], what)
        if "docx" in formats:
            outputs["docx"] = self._docx_bytes(doc, ctx, what)
        return RenderedDocument(deal_id=doc.deal_id, kind=doc.kind, number=doc.number,
                                stem=doc.stem, outputs={f: outputs[f] for f in formats})

    def _pdf_bytes(self, doc: DocumentInput, html: str | None, title: str, what: str) -> bytes:
        from docgen.render.pdf import PdfAttachment

        blob = json.dumps(doc.embedded_data(), indent=2, sort_keys=True,
                          ensure_ascii=False).encode()
        atts = [PdfAttachment(name=f"docgen-{doc.kind.value}.json", data=blob,
                              description=f"docgen priced deal {doc.deal_id}")]
        variant = xmp = None
        if doc.final_po:
            from docgen.orderx import FILENAME, build_orderx, xmp_properties

            assert doc.number is not None  # noqa: S101 - final_po says so
            xml = build_orderx(doc.priced, vendor=doc.vendor, number=doc.number,
                               issue_date=doc.issue_date, title=title,
                               valid_until=doc.valid_until)
            atts.append(PdfAttachment(name=FILENAME, data=xml, mime="text/xml",
                                      description=f"Order-X order {doc.number} (COMFORT)"))
            variant, xmp = "pdf/a-3b", xmp_properties()
        ident = hashlib.sha256(f"{doc.priced.fingerprint}{doc.number}{doc.kind.value}".encode())
        pdf: bytes = _with_stack_room(
            self.pdf_engine.pdf, html, stylesheets=STYLESHEETS[doc.kind], issued=doc.issue_date,
            identifier=ident.hexdigest(), attachments=atts, variant=variant, xmp=xmp, what=what)
        if doc.final_po and doc.signer is not None:  # signed last: PDF/A and attachments are final
            from docgen.signing import sign_pdf

            pdf = sign_pdf(pdf, doc.signer, signed_on=doc.issue_date, reason=f"PO {doc.number}")
        return pdf

    def _docx_bytes(self, doc: DocumentInput, ctx: Mapping[str, Any], what: str) -> bytes:
        name = f"{doc.kind.value}.docx"
        try:
            return self.docx_engine.render(  # type: ignore[no-any-return]
                name, ctx, issued=doc.issue_date, title=ctx["doc"]["title"],
                protect=doc.number is not None and not doc.internal)
        except RenderError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged .docx (not a zip, no document.xml)
            raise RenderError(f"{what}: template docx/{name} cannot be used: "
                              f"{type(exc).__name__}: {exc}") from None


def _with_stack_room(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Call WeasyPrint with room on the frame stack where that is measured to pay (3.11, 3.12)."""
    if (3, 11) <= sys.version_info[:2] < (3, 13):
        from docgen.render._stack import call_with_stack_room

        return call_with_stack_room(fn, *args, **kwargs)
    return fn(*args, **kwargs)


# -- batches ----------------------------------------------------------------------------------

#: Outcome of one document of a batch: its bytes, or (deal id, message) when it failed.
Outcome = RenderedDocument | tuple[str, str]

_WORKER: Renderer | None = None  # the renderer of this worker process (set by the initializer)


def _init_worker(templates_dir: Path) -> None:
    global _WORKER  # noqa: PLW0603 - one renderer per worker process, made by the pool initializer
    _WORKER = Renderer(templates_dir)


def _render_in_worker(doc: DocumentInput, formats: tuple[str, ...]) -> RenderedDocument:
    assert _WORKER is not None  # noqa: S101 - the pool initializer ran
    return _WORKER.render(doc, formats)


def _failure(doc: DocumentInput, exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, DocgenError):
        return (doc.deal_id, str(exc))
    return (doc.deal_id, f"{type(exc).__name__}: {exc}")


def _preload(formats: Sequence[str]) -> None:
    """Import the renderers a batch needs once, before forking workers.

    Otherwise every worker imports WeasyPrint itself (~0.5 s of CPU each, on a machine that may
    have no core to spare); after fork the workers share these pages. Only modules are loaded:
    no font configuration or other renderer state is created in the parent.
    """
    if {"pdf", "html"} & set(formats):
        import jinja2.sandbox  # noqa: F401

        from docgen.render._weasy import import_weasyprint

        import_weasyprint()
    if "docx" in formats:
        import docxtpl  # noqa: F401


def render_batch(renderer: Renderer, docs: Sequence[DocumentInput], formats: Sequence[str], *,
                 jobs: int | None = None,
                 on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Render every document of `docs`; one failure does not stop the rest.

    In this process, `renderer` renders them (its engines stay warm for the next batch). With
    more than one document and more than one job, documents render on worker processes instead
    (forked, so they share the imported renderers); each worker makes a renderer for the same
    templates once, in the pool's initializer. The outcomes come back in the order of `docs`;
    `on_done` sees each as it completes.
    """
    fmts = tuple(formats)
    workers = min(jobs or os.cpu_count() or 1, len(docs))
    outcomes: dict[int, Outcome] = {}

    def done(i: int, outcome: Outcome) -> None:
        outcomes[i] = outcome
        if on_done is not None:
            on_done(outcome)

    if workers <= 1:
        for i, doc in enumerate(docs):
            try:
                done(i, renderer.render(doc, fmts))
            except Exception as exc:  # noqa: BLE001 - reported per deal, the batch goes on
                done(i, _failure(doc, exc))
        return [outcomes[i] for i in range(len(docs))]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    _preload(fmts)
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(renderer.templates_dir,)) as pool:
        futures = {pool.submit(_render_in_worker, doc, fmts): i for i, doc in enumerate(docs)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                done(i, fut.result())
            except Exception as exc:  # noqa: BLE001 - a worker crash is reported per deal
                done(i, _failure(docs[i], exc))
    return [outcomes[i] for i in range(len(docs))]
