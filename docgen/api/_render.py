"""Issuing documents: numbers per revision, rendering on workers, safe files and the registry.

The steps of ``Session.render``, kept apart from the session so each reads on its own.

A **final document** (PO, SOW, onboarding form) is issued for a deal *revision* (SPEC §8):

1. reservations whose process died are voided and their files removed (:meth:`Store.recover`);
2. each deal revision is claimed: the revision's issued document is returned as it is (its kept
   bytes, same number and date), a new revision gets a new number (a PO the next
   ``PREFIX-YEAR-NNNNNN``, a SOW or onboarding form the reference ``SOW-<deal>``, then
   ``SOW-<deal>.2`` …), and a revision another live process is issuing now is waited for, then
   claimed again (so concurrent runs give one number, one file);
3. new documents are rendered, every format is written to a temporary file, then published under
   ``<deal>-<kind>-<number>.<ext>`` without ever replacing a file, and recorded with their bytes;
   the deal's earlier document of the kind is superseded in the same transaction;
4. a document that fails anywhere (render, a file in the way, a full disk, the database) has the
   files this run wrote for it removed and its number voided with the reason.

Drafts take no number and are not recorded; a draft replaces the previous draft of its name.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from docgen.errors import InputError, Problem
from docgen.io import publish, remove_quietly, temp_pattern, write_temp
from docgen.kinds import FORMATS, DocumentKind, file_stem

from docgen.api._results import BatchResult, IssuedFile

if TYPE_CHECKING:
    from docgen.api._session import Session
    from docgen.render.documents import DocumentInput, Outcome, RenderedDocument
    from docgen.store import IssuedDocument, Store
    from docgen.validate import DealResult

__all__ = ["TEST_PAUSE_ENV", "render_documents"]

#: TEST ONLY. A comma-separated list of points where an issuing run stops (sleeps) after
#: printing ``docgen-test-pause:<point>`` to stderr, so that the crash-recovery tests can
#: SIGKILL it exactly there: ``reserved`` (number reserved, nothing rendered), ``staged`` (every
#: format in a temporary file), ``between-formats`` (the first format published, not the rest),
#: ``written`` (every file published, not yet recorded). Unset in normal use: then it costs one
#: dictionary lookup per point.
TEST_PAUSE_ENV = "DOCGEN_TEST_PAUSE"


def _pause(point: str) -> None:
    """Stop here when a test asked to (see :data:`TEST_PAUSE_ENV`)."""
    wanted = os.environ.get(TEST_PAUSE_ENV)
    if wanted and point in wanted.split(","):
        print(f"docgen-test-pause:{point}", file=sys.stderr, flush=True)
        time.sleep(3600)


@dataclass
class _Job:
    """One document of a batch: what to render, what is kept, what was written."""

    result: DealResult
    number: str | None
    issue_date: date
    #: a number this run reserved (void it if anything fails)
    new: bool = False
    #: bytes kept in the registry from the first issue, by format
    kept: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    #: the registry entry returned as it is (a re-issue)
    existing: IssuedDocument | None = None
    #: the templates' version the number was reserved with (what the document records)
    template_version: str | None = None

    @property
    def deal_id(self) -> str:
        return self.result.deal.deal


def render_documents(session: Session, kind: DocumentKind, results: Sequence[DealResult], *,
                     out_dir: Path, formats: tuple[str, ...], draft: bool,
                     issue_date: date | None, jobs: int | None, internal: bool = False,
                     on_done: Callable[[str], None] | None) -> BatchResult:
    """See :meth:`docgen.api.Session.render`."""
    blocked = [] if draft or internal else [r for r in results if r.blockers(kind)]
    todo = [r for r in results if r not in blocked]
    if internal:  # never refused, never numbered, never recorded (SPEC §6)
        rendered, failed = _drafts(session, kind, todo, out_dir=out_dir, formats=formats,
                                   issue_date=issue_date, jobs=jobs, on_done=on_done,
                                   numbering=_internal_numbering(session, kind, todo,
                                                                 issue_date, draft=draft))
    elif not draft and todo:
        store = session.store  # first: the read-only sample refuses here
        # a final document is recorded (number, registry, audit log) under the person issuing it
        actor = session.require_actor(f"issuing a final {kind.value}").email
        batch = _Issuer(session, store, kind, out_dir, formats, jobs, on_done, actor=actor)
        rendered, failed = batch.issue(todo, issue_date)
    else:
        rendered, failed = _drafts(session, kind, todo, out_dir=out_dir, formats=formats,
                                   issue_date=issue_date, jobs=jobs, on_done=on_done)
    order = {r.deal.deal: i for i, r in enumerate(todo)}
    rendered.sort(key=lambda r: order[r.deal_id])
    failed.sort(key=lambda f: order.get(f[0], 0))
    return BatchResult(rendered=rendered, blocked=blocked, failed=failed)


# -- drafts -------------------------------------------------------------------------------------

def _drafts(session: Session, kind: DocumentKind, todo: Sequence[DealResult], *,
            out_dir: Path, formats: tuple[str, ...], issue_date: date | None, jobs: int | None,
            on_done: Callable[[str], None] | None, numbering: Numbering | None = None
            ) -> tuple[list[IssuedFile], list[tuple[str, str]]]:
    """Render drafts, or with `numbering` internal copies: no number taken, no registry; each
    replaces the previous file of its name."""
    if not todo:
        return [], []
    if numbering is None:
        if issue_date is None:
            raise _need_date()
        docs = [session.document_input(r, kind, issue_date=issue_date, draft=True, number=None)
                for r in todo]
    else:
        docs = [session.document_input(r, kind, issue_date=numbering[r.deal.deal][1],
                                       number=numbering[r.deal.deal][0],
                                       draft=numbering[r.deal.deal][0] is None, internal=True)
                for r in todo]
    rendered: list[IssuedFile] = []
    failed: list[tuple[str, str]] = []

    def finished(outcome: Outcome) -> None:
        if isinstance(outcome, tuple):
            failed.append(outcome)
        else:
            try:
                paths = _write_files(session, out_dir, outcome.stem, outcome.outputs,
                                     replace=True, pauses=False)
            except (InputError, OSError) as exc:
                failed.append((outcome.deal_id, _message(exc)))
            else:
                day = numbering[outcome.deal_id][1] if numbering else issue_date
                rendered.append(IssuedFile(deal_id=outcome.deal_id, kind=outcome.kind,
                                           number=outcome.number, paths=paths,
                                           sha256=outcome.sha256, issue_date=day))
        if on_done is not None:
            on_done(outcome[0] if isinstance(outcome, tuple) else outcome.deal_id)

    session.render_inputs(docs, formats, jobs=jobs, on_done=finished)
    return rendered, failed


#: (number or reference shown, issue date) of each deal of an internal copy.
Numbering = dict[str, tuple[str | None, date]]


def _internal_numbering(session: Session, kind: DocumentKind, results: Sequence[DealResult],
                        issue_date: date | None, *, draft: bool) -> Numbering:
    """An internal copy takes no number: it shows the number and date of the document issued
    for this exact deal content (when there is one), a final SOW/onboarding/contract
    reference, or none."""
    store = session._existing_store() if kind is DocumentKind.PO and not draft else None  # noqa: SLF001
    out: Numbering = {}
    for r in results:
        prior = store.find_issue(r.deal.deal, r.priced.fingerprint) if store else None
        if prior is not None and prior.issued_on is not None and prior.status == "issued":
            out[r.deal.deal] = (prior.number, prior.issued_on)
            continue
        if issue_date is None:
            raise _need_date()
        prefix = kind.reference_prefix
        ref = f"{prefix}-{r.deal.deal}" if prefix and not draft and not r.blockers(kind) else None
        out[r.deal.deal] = (ref, issue_date)
    return out


# -- final documents ---------------------------------------------------------------------------

class _Issuer:
    """Issues the final documents of one batch (see the module docstring)."""

    def __init__(self, session: Session, store: Store, kind: DocumentKind, out_dir: Path,
                 formats: tuple[str, ...], jobs: int | None,
                 on_done: Callable[[str], None] | None, *, actor: str | None = None) -> None:
        self.session = session
        self.actor = actor
        self.store = store
        self.kind = kind
        self.out_dir = Path(out_dir)
        self.formats = formats
        self.jobs = jobs
        self.on_done = on_done
        self.rendered: list[IssuedFile] = []
        self.failed: list[tuple[str, str]] = []
        from docgen.template_versions import FolderVersion

        #: the version of the templates the renderer reads (recorded on each document)
        self.templates = FolderVersion(session.renderer.templates_dir)

    def issue(self, todo: Sequence[DealResult], issue_date: date | None
              ) -> tuple[list[IssuedFile], list[tuple[str, str]]]:
        """Claim, render, write and record every deal of `todo`."""
        from docgen.store import IssueRequest

        _remove_leftovers(self.store.recover(actor=self.actor))
        ref = self.kind.reference_prefix
        prefix = ref or self.session.workspace.policy.po_number_prefix
        pending = list(todo)
        while pending:
            requests = [IssueRequest(r.deal.deal, self.kind.value, r.revision,
                                     r.priced.fingerprint) for r in pending]
            got = self.store.claim_issues(requests, year=issue_date.year if issue_date else None,
                                          prefix=prefix, out_dir=str(self.out_dir.resolve()),
                                          references=ref is not None, actor=self.actor,
                                          template_version=self.templates.current())
            _remove_leftovers(got.voided)
            busy: list[tuple[DealResult, str]] = []
            jobs: list[_Job] = []
            for r, claim in zip(pending, got.claims, strict=True):
                doc = claim.document
                if claim.state == "busy":
                    busy.append((r, doc.number))
                elif claim.state == "issued":
                    assert doc.issued_on is not None  # noqa: S101 - issued rows have a date
                    jobs.append(_Job(r, doc.number, doc.issued_on, existing=doc,
                                     kept=self.store.files(doc.number)))
                else:
                    assert issue_date is not None  # noqa: S101 - claim_issues needs a year
                    jobs.append(_Job(r, doc.number, issue_date, new=True,
                                     template_version=doc.template_version))
            if any(j.new for j in jobs):
                _pause("reserved")
            self._run(jobs)
            # only now, holding no reservation of our own, wait for the other processes
            for _r, number in busy:
                self.store.wait_for(number)
            pending = [r for r, _ in busy]
        return self.rendered, self.failed

    def _run(self, jobs: Sequence[_Job]) -> None:
        """Render what is not kept, then write and record each document as it completes."""
        by_deal = {j.deal_id: j for j in jobs}
        to_render = [j for j in jobs if set(self.formats) - set(j.kept)]
        for j in jobs:
            if j not in to_render:
                self._finish(j, {f: j.kept[f][1] for f in self.formats})

        def finished(outcome: Outcome) -> None:
            if isinstance(outcome, tuple):
                job = by_deal[outcome[0]]
                self._fail(job, f"render failed: {outcome[1]}")
            else:
                job = by_deal[outcome.deal_id]
                self._finish(job, _merge(job, outcome, self.formats))

        try:
            docs = [self.session.document_input(j.result, self.kind,
                                                issue_date=j.issue_date, number=j.number)
                    for j in to_render]
            self.session.render_inputs(docs, self.formats, jobs=self.jobs, on_done=finished)
        except BaseException as exc:
            for j in jobs:  # interrupted: nothing of ours stays reserved
                if j.new:
                    self._void(j, f"not issued: the run stopped ({type(exc).__name__})")
            raise

    def _finish(self, job: _Job, outputs: Mapping[str, bytes]) -> None:
        """Write `outputs` of one document and record it; on any failure undo what it wrote."""
        import hashlib

        assert job.number is not None  # noqa: S101 - final documents are numbered
        stem = file_stem(job.deal_id, self.kind, job.number)
        files = {fmt: (hashlib.sha256(blob).hexdigest(), blob) for fmt, blob in outputs.items()}
        if job.existing is not None and not job.kept and job.existing.file_sha256 \
                and "pdf" in files and files["pdf"][0] != job.existing.file_sha256:
            self._fail(job, f"{job.number} was issued before docgen kept issued files, and "
                       f"rendering it again gives other bytes (a template changed since); the "
                       f"issued file is {job.existing.path}")
            return
        if job.new and job.template_version is not None \
                and self.templates.current() != job.template_version:
            self._fail(job, f"the templates changed while {job.number} was being rendered "
                       f"(version {job.template_version[:12]}, now "
                       f"{self.templates.current()[:12]}); nothing of it was kept: issue it "
                       "again")
            return
        written: list[Path] = []
        try:
            paths = _write_files(self.session, self.out_dir, stem, outputs, replace=False,
                                 pauses=job.new, written=written)
            superseded: list[IssuedDocument] = []
            if job.new:
                _pause("written")
                main = paths["pdf"] if "pdf" in paths else next(iter(paths.values()))
                superseded = self.store.record_issue(job.number, files=files,
                                                     path=str(main.resolve()),
                                                     issued_on=job.issue_date,
                                                     actor=self.actor)
            elif set(files) - set(job.kept):
                self.store.add_files(job.number, {f: files[f] for f in set(files) - set(job.kept)})
        except BaseException as exc:
            for path in written:
                remove_quietly(path)
            if isinstance(exc, Exception):
                self._fail(job, _message(exc))
                return
            if job.new:
                self._void(job, f"not issued: the run stopped ({type(exc).__name__})")
            raise
        job.new = False  # issued: nothing to void any more
        self.rendered.append(IssuedFile(
            deal_id=job.deal_id, kind=self.kind, number=job.number, paths=paths,
            sha256={f: sha for f, (sha, _) in files.items()}, issue_date=job.issue_date,
            reissued=job.existing is not None,
            superseded=tuple(d.number for d in superseded)))
        if self.on_done is not None:
            self.on_done(job.deal_id)

    def _fail(self, job: _Job, message: str) -> None:
        if job.new:
            self._void(job, message)
        self.failed.append((job.deal_id, message))
        if self.on_done is not None:
            self.on_done(job.deal_id)

    def _void(self, job: _Job, reason: str) -> None:
        assert job.number is not None  # noqa: S101 - only numbered jobs are voided
        try:
            self.store.void_number(job.number, reason, actor=self.actor)
        except Exception:  # noqa: BLE001 - the database failed too: recover() voids it later
            return
        finally:
            job.new = False


def _merge(job: _Job, outcome: RenderedDocument, formats: Sequence[str]) -> dict[str, bytes]:
    """Kept bytes where the registry has them, freshly rendered ones for the rest."""
    return {f: job.kept[f][1] if f in job.kept else outcome.outputs[f] for f in formats}


def _remove_leftovers(voided: Sequence[IssuedDocument]) -> None:
    """Remove what a dead process wrote for each number voided after its death.

    A reserved row's ``path`` is the folder the process was writing to; the files of that
    number there (complete or temporary) are its own: the number is in their names.
    """
    for doc in voided:
        if not doc.path:
            continue
        folder = Path(doc.path)
        stem = file_stem(doc.deal_id, DocumentKind(doc.kind), doc.number)
        for fmt in FORMATS:
            remove_quietly(folder / f"{stem}.{fmt}")
            if folder.is_dir():
                for tmp in folder.glob(temp_pattern(f"{stem}.{fmt}")):
                    remove_quietly(tmp)


def _write_files(session: Session, out_dir: Path, stem: str, outputs: Mapping[str, bytes], *,
                 replace: bool, pauses: bool, written: list[Path] | None = None
                 ) -> dict[str, Path]:
    """Write each format of one document as ``<stem>.<fmt>``: all or nothing.

    Every format goes to a temporary file first; then each is published. A final document
    (``replace=False``) never replaces a file: one that holds the same bytes already is left as
    it is, one that differs is refused (InputError naming it). A draft replaces the previous
    draft. Nothing is ever written onto one of the run's inputs. On failure every temporary file
    and every file published by this call is removed; `written` lists the published ones.
    """
    written = [] if written is None else written
    paths = {fmt: out_dir / f"{stem}.{fmt}" for fmt in outputs}
    for path in paths.values():
        session.refuse_input(path)
    todo: dict[str, Path] = {}
    for fmt, path in paths.items():
        if not replace and os.path.lexists(path):
            if not _same_file(path, outputs[fmt]):
                raise _conflict(path)
            continue  # this very document is there already
        todo[fmt] = path
    temps: list[tuple[Path, Path]] = []
    try:
        for fmt, path in todo.items():
            temps.append((write_temp(path, outputs[fmt]), path))
        if pauses:
            _pause("staged")
        for i, (tmp, path) in enumerate(temps):
            if replace:
                os.replace(tmp, path)
            else:
                try:
                    publish(tmp, path)
                except FileExistsError:  # another process published it meanwhile
                    remove_quietly(tmp)
                    if not _same_file(path, outputs[_fmt(path)]):
                        raise _conflict(path) from None
                    continue
            written.append(path)
            if pauses and i == 0 and len(temps) > 1:
                _pause("between-formats")
    except BaseException:
        for tmp, _ in temps:
            remove_quietly(tmp)
        for path in written:
            remove_quietly(path)
        written.clear()
        raise
    return paths


def _fmt(path: Path) -> str:
    return path.suffix.lstrip(".")


def _same_file(path: Path, blob: bytes) -> bool:
    try:
        return path.is_file() and not path.is_symlink() and path.read_bytes() == blob
    except OSError:
        return False


def _conflict(path: Path) -> InputError:
    return InputError([Problem(str(path), None, "", (
        "a different file is already there; docgen never overwrites an issued document or a "
        "file it did not write for this document: move it away or write to another folder"))])


def _need_date() -> InputError:
    """The refusal of a new document without an issue date (a re-issue keeps its own)."""
    return InputError([Problem("--date", None, "", "give the issue date: --date YYYY-MM-DD, "
                               "or --date today to use today's date")])


def _message(exc: BaseException) -> str:
    """One line for a failed document."""
    if isinstance(exc, InputError):
        return "; ".join(str(p) for p in exc.problems)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        what = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        return f"cannot write {where}{what}; nothing of it was kept"
    return f"{type(exc).__name__}: {exc}"
