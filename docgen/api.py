"""What the CLI (or any program) calls: orchestration only, no printing, no exit codes.

Typical use::

    from docgen import api
    ws = api.open_workspace()                       # flag / env / cwd / sample
    results = api.validate_files(ws, ["deal.yaml"]) # InputError on unusable input
    for r in results:
        print(r.deal.deal, r.blocking, [f.code for f in r.findings])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.errors import InputError, Problem
from docgen.models.deal import Deal
from docgen.validate import DealResult, Resolver, validate_deal
from docgen.workspace import Workspace, find_workspace, load_deal

if TYPE_CHECKING:
    from docgen.render.documents import Rendered

__all__ = ["BatchResult", "approvals_resolver", "load_deals", "open_workspace", "render_documents", "validate_files",
           "validate_loaded"]


def open_workspace(flag: str | os.PathLike[str] | None = None, *, locked: bool = True) -> Workspace:
    """Find the workspace and load its catalogue and policy; `locked` also checks the lock."""
    ws = find_workspace(flag)
    ws.load_all()
    if locked:
        ws.locked_catalogue()
    return ws


def load_deals(ws: Workspace, paths: Sequence[str | Path]) -> list[tuple[str, Deal]]:
    """Load every deal file; problems of all files are reported together."""
    problems: list[Problem] = []
    deals: list[tuple[str, Deal]] = []
    seen: dict[str, str] = {}
    for p in paths:
        try:
            deal = load_deal(p, ws.policy)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if deal.deal in seen:
            problems.append(Problem(str(p), None, "deal",
                                    f"deal id {deal.deal} is also used by {seen[deal.deal]}"))
            continue
        seen[deal.deal] = str(p)
        deals.append((str(p), deal))
    if problems:
        raise InputError(problems)
    return deals


def validate_loaded(ws: Workspace, deals: Sequence[tuple[str, Deal]], *,
                    resolver: Resolver | None = None) -> list[DealResult]:
    """Price and validate already-loaded deals."""
    cat, pol = ws.load_all()
    skus = ws.skus
    return [validate_deal(d, cat, pol, source=src, skus=skus, resolver=resolver)
            for src, d in deals]


def validate_files(ws: Workspace, paths: Sequence[str | Path], *,
                   resolver: Resolver | None = None) -> list[DealResult]:
    """Load, price and validate deal files (the lock is checked by :func:`open_workspace`)."""
    return validate_loaded(ws, load_deals(ws, paths), resolver=resolver)


# --------------------------------------------------------------------------------------------
# Rendering (imports of the renderers happen inside, so validation stays light)

@dataclass(frozen=True)
class BatchResult:
    """What a render batch did: documents written, deals refused, deals whose render failed."""

    rendered: list[Rendered]
    blocked: list[DealResult]
    failed: list[tuple[str, str]]  # (deal id, message)

    @property
    def ok(self) -> bool:
        """True when every deal was rendered."""
        return not self.blocked and not self.failed


def render_documents(ws: Workspace, paths: Sequence[str | Path], *, kind: str = "po",
                     formats: Sequence[str] = ("pdf",), out_dir: Path, draft: bool = False,
                     issue_date: date | None = None, jobs: int | None = None,
                     on_done: Callable[[str], None] | None = None) -> BatchResult:
    """Validate and render one document of `kind` per deal file.

    A final document is refused for a deal while findings gated on it stand (the deal is listed
    in ``blocked``); other deals of the batch still render. A final PO takes the next PO number
    (or, when this exact deal content was issued before, the number and date it had) and is
    recorded in the store. `issue_date` may only be omitted for a re-issue.
    """
    from docgen.render.documents import FORMATS, RenderJob, use_workspace

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError([Problem("--format", None, "", f"unknown format {f!r}; choose from "
                                  f"{', '.join(FORMATS)}") for f in unknown])
    results = validate_files(ws, paths, resolver=approvals_resolver(ws))
    action = kind
    blocked = [] if draft else [r for r in results if r.blockers(action)]
    todo = [r for r in results if r not in blocked]
    # a final SOW or onboarding form is not numbered from the store: its reference is the deal's
    # (SOW-D-2026-0042); no number means a draft
    ref = {"sow": "SOW", "onboarding": "ONB"}.get(kind)
    numbers: dict[str, tuple[str | None, date | None]] = {
        r.deal.deal: (f"{ref}-{r.deal.deal}" if ref and not draft else None, issue_date)
        for r in todo}
    store = None
    if not draft and kind == "po" and todo:
        store, numbers = _numbers(ws, todo, issue_date)
    missing_date = [r.deal.deal for r in todo if numbers[r.deal.deal][1] is None]
    if missing_date:
        if store is not None:
            store.close()
        raise InputError([Problem("--date", None, "", "give the issue date: --date YYYY-MM-DD, "
                                  "or --date today to use today's date")])
    approvals = _approvals(ws, todo) if not draft else {}
    job_list = [RenderJob(workspace=ws.root, result=r, kind=kind, formats=tuple(formats),
                          out_dir=out_dir, issue_date=numbers[r.deal.deal][1] or date.min,
                          number=numbers[r.deal.deal][0],
                          blockers=tuple(r.blockers(action)) if draft else (),
                          approvals=approvals.get(r.deal.deal, {}))
                for r in todo]
    try:
        use_workspace(ws)  # workers (forked) and this process render with the loaded workspace
        rendered, failed = _run_jobs(job_list, jobs, on_done)
        if store is not None:
            _record(store, rendered, failed, job_list)
    finally:
        if store is not None:
            store.close()
    return BatchResult(rendered=rendered, blocked=blocked, failed=failed)


def approvals_resolver(ws: Workspace) -> Resolver | None:
    """The approvals store's resolver (recorded approvals clear findings), if there is a store."""
    try:
        from docgen.approvals import resolver_for  # type: ignore[attr-defined]
    except ImportError:  # the approvals store is optional in a minimal install
        return None
    return resolver_for(ws)  # type: ignore[no-any-return]


def _approvals(ws: Workspace, results: Sequence[DealResult]) -> dict[str, dict[str, list[Any]]]:
    """Per deal, per line: who approved it (printed on final POs)."""
    try:
        from docgen.approvals import line_approvals  # type: ignore[attr-defined]
    except ImportError:
        return {}
    from docgen.render.context import ApprovalView, formatter_for
    from docgen.render.labels import LABELS

    out: dict[str, dict[str, list[Any]]] = {}
    for r in results:
        f = formatter_for(r.priced, ws.templates_dir)
        per_line = line_approvals(ws, r.priced)
        out[r.deal.deal] = {
            where: [ApprovalView(code=a.code, by=a.by, role=a.role, date=f.date(a.at.date()),
                                 text=f.t(LABELS["approved_by"], by=a.by,
                                          role=a.role, date=f.date(a.at.date())))
                    for a in recs]
            for where, recs in per_line.items()}
    return out


def _numbers(ws: Workspace, results: Sequence[DealResult], issue_date: date | None
             ) -> tuple[Any, dict[str, tuple[str | None, date | None]]]:
    """Reuse the number of an identical earlier issue; reserve new numbers for the rest."""
    from docgen.store import open_store

    store = open_store(ws)
    out: dict[str, tuple[str | None, date | None]] = {}
    new: list[DealResult] = []
    for r in results:
        prior = store.find_issue(r.deal.deal, r.priced.fingerprint)
        if prior is not None:
            out[r.deal.deal] = (prior.number, prior.issued_on)
        else:
            new.append(r)
    if new:
        if issue_date is None:
            return store, {**out, **{r.deal.deal: (None, None) for r in new}}
        nums = store.reserve_po_numbers([(r.deal.deal, r.priced.fingerprint) for r in new],
                                        year=issue_date.year, prefix=ws.policy.po_number_prefix)
        out.update({r.deal.deal: (n, issue_date) for r, n in zip(new, nums, strict=True)})
    return store, out


def _record(store: Any, rendered: Sequence[Rendered], failed: Sequence[tuple[str, str]],
            jobs: Sequence[Any]) -> None:
    by_deal = {j.result.deal.deal: j for j in jobs}

    def issued_before(number: str) -> bool:
        prior = store.issued(number)
        return prior is not None and prior.status == "issued"

    for r in rendered:
        if r.number is None or issued_before(r.number):
            continue  # a draft, or an identical re-issue
        fmt = "pdf" if "pdf" in r.paths else next(iter(r.paths))
        store.record_issue(r.number, file_sha256=r.sha256[fmt], path=str(r.paths[fmt]),
                           issued_on=by_deal[r.deal_id].issue_date)
    for deal_id, message in failed:
        number = by_deal[deal_id].number
        if number is not None and not issued_before(number):
            store.void_number(number, f"render failed: {message}")


def _preload_renderers(jobs: Sequence[Any]) -> None:
    """Import the renderers a batch needs once, before forking workers.

    Otherwise every worker imports WeasyPrint itself (~0.5 s of CPU each, on a machine that may
    have no core to spare); after fork the workers share these pages. Only modules are loaded
    here: no font configuration or other renderer state is created in the parent.
    """
    formats = {f for job in jobs for f in job.formats}
    if formats & {"pdf", "html"}:
        import jinja2.sandbox  # noqa: F401
        import weasyprint  # noqa: F401
    if "docx" in formats:
        import docxtpl  # noqa: F401


def _run_jobs(jobs: Sequence[Any], workers: int | None,
              on_done: Callable[[str], None] | None) -> tuple[list[Rendered], list[tuple[str, str]]]:
    """Render jobs, in worker processes when there are several; one failure does not stop the rest.

    Each job runs through :func:`~docgen.render._stack.call_with_stack_room`, so that WeasyPrint's
    speed does not depend on how deep in the Python stack this was called from (CPython 3.11/3.12).
    """
    from docgen.errors import DocgenError
    from docgen.render._stack import call_with_stack_room
    from docgen.render.documents import render_job

    workers = workers or os.cpu_count() or 1
    rendered: list[Rendered] = []
    failed: list[tuple[str, str]] = []
    if len(jobs) <= 1 or workers <= 1:
        for job in jobs:
            try:
                rendered.append(call_with_stack_room(render_job, job))
            except DocgenError as exc:
                failed.append((job.result.deal.deal, str(exc)))
            except Exception as exc:  # noqa: BLE001 - as in a worker: reported per deal
                failed.append((job.result.deal.deal, f"{type(exc).__name__}: {exc}"))
            if on_done:
                on_done(job.result.deal.deal)
        return rendered, failed
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    _preload_renderers(jobs)
    # fork: workers inherit the imported renderers and the loaded workspace (documents.
    # use_workspace); each still opens its own fonts (PdfEngine) on its first job
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
        futures = {pool.submit(call_with_stack_room, render_job, job): job for job in jobs}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                rendered.append(fut.result())
            except DocgenError as exc:
                failed.append((job.result.deal.deal, str(exc)))
            except Exception as exc:  # noqa: BLE001 - a worker crash is reported per deal
                failed.append((job.result.deal.deal, f"{type(exc).__name__}: {exc}"))
            if on_done:
                on_done(job.result.deal.deal)
    order = {j.result.deal.deal: i for i, j in enumerate(jobs)}
    rendered.sort(key=lambda r: order[r.deal_id])
    return rendered, failed
