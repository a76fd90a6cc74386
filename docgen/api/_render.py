"""Issuing documents: numbers, approvals, rendering on workers, atomic files and the registry.

The steps of ``Session.render``, kept apart from the session so each reads on its own:
refuse what findings block, give final POs their numbers (an identical earlier issue keeps its
number and date), build each document's input, render the batch, write each document's files
as it completes, and record what was issued (or void a number whose render failed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from docgen.errors import InputError, Problem
from docgen.io import write_atomic
from docgen.kinds import DocumentKind

from docgen.api._results import BatchResult, IssuedFile

if TYPE_CHECKING:
    from docgen.api._session import Session
    from docgen.render.documents import DocumentInput, Outcome, RenderedDocument
    from docgen.store import Store
    from docgen.validate import DealResult

__all__ = ["render_documents"]

#: (number or reference, issue date) of each deal to render.
Numbering = dict[str, tuple[str | None, date]]


def render_documents(session: Session, kind: DocumentKind, results: Sequence[DealResult], *,
                     out_dir: Path, formats: tuple[str, ...], draft: bool,
                     issue_date: date | None, jobs: int | None, internal: bool = False,
                     on_done: Callable[[str], None] | None) -> BatchResult:
    """See :meth:`docgen.api.Session.render`."""
    blocked = [] if draft or internal else [r for r in results if r.blockers(kind)]
    todo = [r for r in results if r not in blocked]
    final_po = kind is DocumentKind.PO and not draft and not internal and bool(todo)
    # a final PO is recorded (number, registry, audit log) under the person issuing it
    store = session.store if final_po else None  # first: the read-only sample refuses here
    actor = session.require_actor("issuing a final PO").email if final_po else None
    if internal:
        numbering = _internal_numbering(session, kind, todo, issue_date, draft=draft)
    else:
        numbering = _numbering(session, store, kind, todo, issue_date, draft=draft, actor=actor)
    docs = [session.document_input(r, kind, issue_date=numbering[r.deal.deal][1],
                                   number=numbering[r.deal.deal][0],
                                   draft=numbering[r.deal.deal][0] is None, internal=internal)
            for r in todo]
    rendered: list[IssuedFile] = []
    failed: list[tuple[str, str]] = []

    def finished(outcome: Outcome) -> None:
        if isinstance(outcome, tuple):
            failed.append(outcome)
        else:
            rendered.append(_write(outcome, out_dir))
        if on_done is not None:
            on_done(outcome[0] if isinstance(outcome, tuple) else outcome.deal_id)

    session.render_inputs(docs, formats, jobs=jobs, on_done=finished)
    if store is not None:
        _record(store, rendered, failed, docs, actor=actor)
    order = {d.deal_id: i for i, d in enumerate(docs)}
    rendered.sort(key=lambda r: order[r.deal_id])
    return BatchResult(rendered=rendered, blocked=blocked, failed=failed)


def _numbering(session: Session, store: Store | None, kind: DocumentKind,
               results: Sequence[DealResult], issue_date: date | None, *,
               draft: bool, actor: str | None = None) -> Numbering:
    """Each deal's number (None for a draft) and issue date.

    A final PO reuses the number and date of an identical earlier issue and reserves new numbers
    for the rest; a final SOW or onboarding form is referenced by its deal (SOW-D-2026-0042).
    """
    out: Numbering = {}
    new: list[DealResult] = []
    for r in results:
        prior = store.find_issue(r.deal.deal, r.priced.fingerprint) if store else None
        if prior is not None and prior.issued_on is not None:
            out[r.deal.deal] = (prior.number, prior.issued_on)
        else:
            new.append(r)
    if not new:
        return out
    if issue_date is None:
        raise InputError([Problem("--date", None, "", "give the issue date: --date YYYY-MM-DD, "
                                  "or --date today to use today's date")])
    if store is not None:
        nums = store.reserve_po_numbers([(r.deal.deal, r.priced.fingerprint) for r in new],
                                        year=issue_date.year,
                                        prefix=session.workspace.policy.po_number_prefix,
                                        actor=actor)
        out.update({r.deal.deal: (n, issue_date) for r, n in zip(new, nums, strict=True)})
        return out
    prefix = kind.reference_prefix
    for r in new:
        ref = f"{prefix}-{r.deal.deal}" if prefix and not draft else None
        out[r.deal.deal] = (ref, issue_date)
    return out


def _internal_numbering(session: Session, kind: DocumentKind, results: Sequence[DealResult],
                        issue_date: date | None, *, draft: bool) -> Numbering:
    """An internal copy takes no number: it shows the number and date of the PO issued for this
    exact deal content (when there is one), a final SOW/onboarding/contract reference, or none."""
    store = session._existing_store() if kind is DocumentKind.PO and not draft else None  # noqa: SLF001
    out: Numbering = {}
    for r in results:
        prior = store.find_issue(r.deal.deal, r.priced.fingerprint) if store else None
        if prior is not None and prior.issued_on is not None and prior.status == "issued":
            out[r.deal.deal] = (prior.number, prior.issued_on)
            continue
        if issue_date is None:
            raise InputError([Problem("--date", None, "", "give the issue date: --date "
                                      "YYYY-MM-DD, or --date today to use today's date")])
        prefix = kind.reference_prefix
        ref = f"{prefix}-{r.deal.deal}" if prefix and not draft and not r.blockers(kind) else None
        out[r.deal.deal] = (ref, issue_date)
    return out


def _write(doc: RenderedDocument, out_dir: Path) -> IssuedFile:
    """Write each format of a rendered document atomically."""
    paths = {}
    for fmt, blob in doc.outputs.items():
        path = out_dir / f"{doc.stem}.{fmt}"
        write_atomic(path, blob)
        paths[fmt] = path
    return IssuedFile(deal_id=doc.deal_id, kind=doc.kind, number=doc.number, paths=paths,
                      sha256=doc.sha256)


def _record(store: Store, rendered: Sequence[IssuedFile], failed: Sequence[tuple[str, str]],
            docs: Sequence[DocumentInput], *, actor: str | None = None) -> None:
    """Record each newly issued PO; void the number of each failed render."""
    by_deal = {d.deal_id: d for d in docs}

    def issued_before(number: str) -> bool:
        prior = store.issued(number)
        return prior is not None and prior.status == "issued"

    for r in rendered:
        if r.number is None or issued_before(r.number):
            continue  # a draft, or an identical re-issue
        fmt = "pdf" if "pdf" in r.paths else next(iter(r.paths))
        store.record_issue(r.number, file_sha256=r.sha256[fmt], path=str(r.paths[fmt]),
                           issued_on=by_deal[r.deal_id].issue_date, actor=actor)
    for deal_id, message in failed:
        number = by_deal[deal_id].number
        if number is not None and not issued_before(number):
            store.void_number(number, f"render failed: {message}", actor=actor)
