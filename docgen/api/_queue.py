"""Batches through the job queue (SPEC §5 ``po --queue``, §11): queueing, following, and the
jobs a ``docgen worker`` runs.

**Queueing** (:func:`queue_render`) does in the caller's process what ``docgen po`` does before
it renders: checks the formats, the folder and the signing key, validates every deal (recording
its revision) and sets the blocked deals aside with their findings. Each other deal becomes one
queued document and one job (see :mod:`docgen.store._queue`): the deal *revision* (its canonical
content is in the database, so a worker needs no access to the deal file, and an edit after
queueing changes nothing), the fingerprint it was priced to, the output folder as an absolute
path, the issue date and the person issuing it (authenticated here, by their token).

**A render job** (:func:`run_render_job`, on a worker) reads its row, loads the revision, prices
and validates it again (approvals may have changed since), refuses it when this worker's
workspace prices it differently, and issues it exactly as an in-process ``docgen po`` does, as
the person who queued it: a killed worker's reservation is voided by whoever issues that
revision next, and a revision already issued comes back as it is, so a job run twice gives one
number and one file. The outcome is recorded on the row once.

**Following** (:func:`follow`) polls the rows of a batch until every document is finished and
returns the same :class:`BatchResult` as an in-process render.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.errors import DocgenError, InputError, Problem
from docgen.kinds import DocumentKind

from docgen.api._results import BatchResult, IssuedFile

if TYPE_CHECKING:
    from docgen.api._session import PathLike, Session
    from docgen.notify import NotifyRun
    from docgen.render.documents import Renderer
    from docgen.store._queue import QueueBook, QueuedDocument
    from docgen.store._sql import Store
    from docgen.validate import DealResult
    from docgen.workspace import Workspace

__all__ = ["QueuedBatch", "follow", "queue_render", "run_reminders", "run_render_job",
           "run_send_job"]

#: How often :func:`follow` looks at the batch's rows, and every how many looks it also looks
#: for jobs that gave up without an outcome.
POLL_S = 0.1
LOST_EVERY = 20


@dataclass(frozen=True)
class QueuedBatch:
    """A batch handed to the queue: its id, the queued documents, the deals refused at once."""

    batch: str
    kind: DocumentKind
    items: list[QueuedDocument]
    blocked: list[DealResult]
    #: each queued deal as validated when it was queued (by deal id)
    results: dict[str, DealResult]
    #: ``docgen worker`` processes with a recent heartbeat when the batch was queued
    workers: int

    @property
    def deal_ids(self) -> list[str]:
        """The queued deals, in batch order."""
        return [it.deal_id for it in self.items]


def queue_book(session: Session) -> QueueBook:
    """The session's queue (InputError, exit 2, without PostgreSQL)."""
    from docgen.store._queue import QueueBook

    if not session.has_job_queue:
        raise InputError([Problem("DOCGEN_DATABASE_URL", None, "", (
            "the job queue needs PostgreSQL: set DOCGEN_DATABASE_URL to a "
            "postgresql+psycopg://USER@HOST/DB URL (with SQLite, documents are rendered in the "
            "process that asks for them)"))])
    book = QueueBook(session.store)
    book.ensure_schema()
    return book


def queue_render(session: Session, kind: DocumentKind | str, paths: Sequence[PathLike], *,
                 out_dir: Path, formats: Sequence[str], draft: bool, issue_date: date | None,
                 internal: bool) -> QueuedBatch:
    """Validate the deals and queue one job per deal that is not blocked."""
    from docgen.store._queue import NewQueued

    book = queue_book(session)
    kind = session._prepare_render(kind, formats, out_dir, draft=draft,  # noqa: SLF001
                                   internal=internal)
    final = not draft and not internal
    results = session.validate(paths)
    blocked = [r for r in results if r.blockers(kind)] if final else []
    todo = [r for r in results if r not in blocked]
    actor = session.require_actor(f"issuing a final {kind.value}").email if final and todo \
        else None
    if issue_date is None and todo:
        _need_issue_date(session, kind, todo, final=final)
    folder = Path(out_dir).resolve()
    if todo:
        folder.mkdir(parents=True, exist_ok=True)
    items = [NewQueued(kind=kind.value, deal_id=r.deal.deal, revision=r.revision,
                       fingerprint=r.priced.fingerprint, source=str(r.source),
                       out_dir=str(folder), formats=tuple(formats), issue_date=issue_date,
                       draft=draft, internal=internal, queued_by=actor) for r in todo]
    rows = book.enqueue(str(uuid.uuid4()), items) if items else []
    return QueuedBatch(batch=rows[0].batch if rows else "", kind=kind, items=rows,
                       blocked=blocked, results={r.deal.deal: r for r in todo},
                       workers=book.live_workers())


def _need_issue_date(session: Session, kind: DocumentKind, todo: Sequence[DealResult], *,
                     final: bool) -> None:
    """Refuse a queued batch without --date unless every deal's revision is issued already
    (a re-issue keeps its own date), as an in-process run would, before anything is queued."""
    from docgen.api._render import _need_date

    store = session._existing_store() if final else None  # noqa: SLF001
    for r in todo:
        live = [d for d in (store.documents(r.deal.deal, status="issued", kind=kind.value)
                            if store else []) if d.revision == r.revision]
        if not live:
            raise _need_date()


def follow(session: Session, queued: QueuedBatch, *,
           on_done: Callable[[str], None] | None = None, poll_s: float = POLL_S) -> BatchResult:
    """Wait until a worker finished every document of `queued`; what came of them.

    Ctrl-C (KeyboardInterrupt) stops the waiting only: the jobs stay queued.
    """
    from docgen.store._queue import QueueBook

    book = QueueBook(session.store)
    pending = {it.id: it for it in queued.items}
    finished: dict[int, QueuedDocument] = {}
    lost: dict[int, str] = {}
    if not pending:
        return _batch_result(queued, finished, lost)
    with book.following(queued.batch) as look:
        looks = 0
        while pending:
            for row in look.new():
                if row.id in pending:
                    finished[row.id] = row
                    del pending[row.id]
                    if on_done is not None:
                        on_done(row.deal_id)
            looks += 1
            if pending and looks % LOST_EVERY == 0:  # rare: a job that gave up
                for item_id, status in look.lost(list(pending)).items():
                    lost[item_id] = (f"its job {status} on a worker without recording an "
                                     "outcome (the worker's log says why); queue it again")
                    done = pending.pop(item_id)
                    if on_done is not None:
                        on_done(done.deal_id)
            if pending:
                time.sleep(poll_s)
    return _batch_result(queued, finished, lost)


def _batch_result(queued: QueuedBatch, finished: dict[int, QueuedDocument],
                  lost: dict[int, str]) -> BatchResult:
    rendered: list[IssuedFile] = []
    blocked = list(queued.blocked)
    failed: list[tuple[str, str]] = []
    for it in queued.items:
        if it.id in lost:
            failed.append((it.deal_id, lost[it.id]))
            continue
        row = finished[it.id]
        out = row.outcome or {}
        if row.status == "done":
            rendered.append(IssuedFile(
                deal_id=row.deal_id, kind=queued.kind, number=out.get("number"),
                paths={f: Path(p) for f, p in out.get("files", {}).items()},
                sha256=dict(out.get("sha256", {})),
                issue_date=date.fromisoformat(out["issue_date"]) if out.get("issue_date")
                else None, reissued=bool(out.get("reissued")),
                superseded=tuple(out.get("superseded", ()))))
        elif row.status == "blocked":
            first = queued.results[row.deal_id]
            blocked.append(replace(first, findings=tuple(
                _finding(f) for f in out.get("findings", []))))
        else:
            failed.append((row.deal_id, str(out.get("message", "failed on a worker"))))
    return BatchResult(rendered=rendered, blocked=blocked, failed=failed)


def _finding(data: dict[str, Any]) -> Any:
    from docgen.findings import Finding, Gate, Severity

    return Finding(code=data["code"], severity=Severity(data["severity"]),
                   gate=Gate(data["gate"]), where=data["where"], message=data["message"],
                   approvers=tuple(data.get("approvers", ())), hint=data.get("hint", ""))


# -- what a worker runs ------------------------------------------------------------------------

def run_render_job(workspace: Workspace, item_id: int, *, renderer: Renderer | None = None,
                   store: Store | None = None, final_attempt: bool = True,
                   retried: bool = False) -> tuple[QueuedDocument | None, Renderer | None]:
    """Issue one queued document (see the module docstring): (its row as finished, the warm
    renderer to hand to the next job).

    docgen's own refusals (a file in the way, the person who queued it disabled …) are the
    outcome. Anything else (the database went away) is raised, so that the queue runs the job
    again; on the `final_attempt` it is recorded as the outcome first. A `retried` job (its
    worker died, or it raised) may find its document issued by its own earlier run. `store`
    is the worker's open store, kept from job to job (the caller closes it).
    """
    from docgen.api._session import Session
    from docgen.store._queue import QueueBook

    with Session(workspace, renderer=renderer, store=store) as s:
        book = QueueBook(s.store)
        item = book.item(item_id)
        if item is None or item.status != "queued":
            return item, s.warm_renderer  # finished by an earlier run of this job
        try:
            status, outcome = _issue(s, book, item, retried=retried)
        except DocgenError as exc:
            status, outcome = "failed", {"message": _one_line(exc)}
        except Exception as exc:
            if final_attempt:
                book.finish(item.id, "failed", {
                    "message": f"{type(exc).__name__}: {_one_line(exc)}"})
            raise
        if book.finish(item.id, status, outcome):  # type: ignore[arg-type]
            return replace(item, status=status, outcome=outcome), s.warm_renderer
        return book.item(item.id), s.warm_renderer  # another run recorded it first


def _issue(s: Session, book: QueueBook, item: QueuedDocument, *, retried: bool
           ) -> tuple[str, dict[str, Any]]:
    from docgen.deals import parse_deal_text

    content = book.revision_content(item.deal_id, item.revision)
    if content is None:
        return "failed", {"message": f"revision {item.revision[:12]} of {item.deal_id} is not "
                                     "recorded in the database"}
    s._inputs.add(Path(item.source).resolve())  # noqa: SLF001 - never written onto
    out_dir = Path(item.out_dir)
    kind = s._prepare_render(item.kind, item.formats, out_dir, draft=item.draft,  # noqa: SLF001
                             internal=item.internal, record_versions=False)
    deal = parse_deal_text(content, f"{item.deal_id}.json", s.workspace.policy)
    results = s.validate_loaded([(item.source, deal)], record=False)
    (r,) = results
    if r.revision != item.revision or r.priced.fingerprint != item.fingerprint:
        return "failed", {"message": (
            f"this worker's workspace ({s.workspace.root}) prices {item.deal_id} differently "
            "from the one that queued it: run every worker on the same workspace (catalogue, "
            "policy and templates)")}
    if item.queued_by is not None:
        s._act_as(item.queued_by)  # noqa: SLF001 - authenticated when it was queued
    batch = s._render_validated(kind, results, out_dir=out_dir,  # noqa: SLF001
                                formats=item.formats, draft=item.draft,
                                issue_date=item.issue_date, jobs=1, internal=item.internal,
                                on_done=None)
    if batch.blocked:
        return "blocked", {"findings": [f.to_json() for f in batch.blocked[0].blockers(kind)]}
    if batch.failed:
        return "failed", {"message": batch.failed[0][1]}
    (doc,) = batch.rendered
    reissued = doc.reissued
    if reissued and retried and doc.number is not None:
        # issued by an earlier run of this very job (its worker died after issuing): not a
        # re-issue of something older, as far as the person who queued it is concerned
        entry = s.store.issued(doc.number)
        if entry is not None and entry.issued_at is not None and entry.issued_at >= item.queued_at:
            reissued = False
    return "done", {"number": doc.number, "files": {f: str(p) for f, p in doc.paths.items()},
                    "sha256": doc.sha256, "reissued": reissued,
                    "issue_date": doc.issue_date.isoformat() if doc.issue_date else None,
                    "superseded": list(doc.superseded)}


def run_send_job(workspace: Workspace, ids: Sequence[int]) -> NotifyRun:
    """Send recorded notifications (each once: the outbox claims a row before sending it)."""
    from docgen.api._session import Session

    with Session(workspace) as s:
        return s.notifier.flush(list(ids))


def run_reminders(workspace: Workspace, at: datetime | None = None) -> NotifyRun:
    """What ``docgen notify`` does: reminders and escalations due at `at`, failed sends again."""
    from docgen.api._session import Session

    with Session(workspace) as s:
        return s.notify(now=at or datetime.now(UTC))


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, InputError):
        return "; ".join(str(p) for p in exc.problems)
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
