"""The session: the one door every front end (CLI, web, API, workers) goes through.

A :class:`Session` owns the workspace, the store (opened lazily, once) and the one reader of
approval decisions; each public method is one command of SPEC §5. Methods take plain arguments
and return data (see :mod:`docgen.api._results`); they never print, read argv or choose exit
codes, and raise only :mod:`docgen.errors` exceptions. Renderers, the database driver and the
PDF readers are imported inside the methods that need them, so ``validate`` stays light.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

from docgen.errors import InputError, Problem
from docgen.kinds import FORMATS, DocumentKind
from docgen.validate import DealResult, validate_deal
from docgen.workspace import Workspace, find_workspace, load_deal

from docgen.api._results import BatchResult, DecisionResult, SubmitResult

if TYPE_CHECKING:
    from docgen.history import DealHistory
    from docgen.store import IssuedDocument

if TYPE_CHECKING:
    from docgen.approvals import HistoryEntry
    from docgen.catalogue import LockDiff
    from docgen.forecast import Forecast
    from docgen.models.catalogue import Sku
    from docgen.models.deal import Deal
    from docgen.pack import PackResult
    from docgen.render.documents import DocumentInput, Outcome, Renderer
    from docgen.report import Report
    from docgen.store import Decision, DecisionReader, Store
    from docgen.templates_check import TemplateProblem
    from docgen.verify import VerifyReport

__all__ = ["Session"]

PathLike = str | os.PathLike[str]


class Session:
    """One workspace, its store and its decisions, for the length of a ``with`` block.

    ::

        with Session(workspace_flag) as s:          # flag / $DOCGEN_WORKSPACE / cwd / sample
            for result in s.validate(["deal.yaml"]):
                print(result.deal.deal, result.ready)
    """

    def __init__(self, workspace: PathLike | Workspace | None = None, *,
                 locked: bool = True) -> None:
        self.workspace = (workspace if isinstance(workspace, Workspace)
                          else find_workspace(workspace))
        self.workspace.load_all()
        if locked:
            self.workspace.locked_catalogue()
        self._store: Store | None = None
        self._reader: DecisionReader | None = None
        self._reader_opened = False
        self._decisions: dict[str, list[Decision]] = {}
        self._renderer: Renderer | None = None
        #: every file this session read as input: never written onto (SPEC §6 "Files")
        self._inputs: set[Path] = set()

    # -- resources ------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the store and the reader."""
        if self._reader is not None and self._reader is not self._store:
            self._reader.close()
        if self._store is not None:
            self._store.close()
        self._store = self._reader = None
        self._reader_opened = False

    @property
    def store(self) -> Store:
        """The workspace's store, created and migrated on first use (a write is coming)."""
        if self._store is None:
            from docgen.store import database_url

            if database_url(self.workspace) is None:
                self.workspace.require_writable("docgen's state (approvals, PO numbers)")
            self._open_store()
        assert self._store is not None  # noqa: S101 - opened above
        return self._store

    def _open_store(self) -> Store:
        from docgen.store import open_store

        if self._store is None:
            self._store = open_store(self.workspace)
        return self._store

    def _existing_store(self) -> Store | None:
        """The store if the workspace has a database (for reading); None instead of creating one."""
        from docgen.store import has_database

        return self._open_store() if has_database(self.workspace) else None

    def decisions(self, deal_id: str) -> list[Decision]:
        """Every decision of one deal, read once per session (and again after a decision)."""
        if deal_id not in self._decisions:
            reader = self._decision_reader()
            self._decisions[deal_id] = reader.decisions_for(deal_id) if reader else []
        return self._decisions[deal_id]

    def _decision_reader(self) -> DecisionReader | None:
        if self._store is not None:
            return self._store
        if not self._reader_opened:
            from docgen.store import open_reader

            self._reader = open_reader(self.workspace)
            self._reader_opened = True
        return self._reader

    def _writable(self, path: Path, what: str) -> None:
        """Refuse writing `path` into a read-only (bundled sample) workspace."""
        ws = self.workspace
        if ws.read_only and Path(path).resolve().is_relative_to(ws.root.resolve()):
            ws.require_writable(what)

    def refuse_input(self, path: Path, extra: Sequence[PathLike] = ()) -> None:
        """Refuse (InputError, exit 2) to write `path` onto one of docgen's own inputs.

        Inputs are the deal files this session read, the workspace's catalogue, lock and policy,
        its templates, and `extra` (e.g. the PDFs a pack is made from).
        """
        ws = self.workspace
        target = Path(path).resolve()
        inputs = self._inputs | {Path(p).resolve() for p in extra} | {
            ws.catalogue_path.resolve(), ws.lock_path.resolve(), ws.policy_path.resolve()}
        hit = target in inputs or target.is_relative_to(ws.templates_dir.resolve())
        if not hit and target.exists():
            hit = any(_same_file(target, p) for p in inputs)
        if hit:
            raise InputError([Problem(str(path), None, "", (
                "this file is one of docgen's inputs for this command; docgen never writes "
                "onto its own input: choose another output name"))])

    # -- deals ----------------------------------------------------------------------------

    def load(self, paths: Sequence[PathLike]) -> list[tuple[str, Deal]]:
        """Load every deal file; problems of all files are reported together (InputError)."""
        problems: list[Problem] = []
        deals: list[tuple[str, Deal]] = []
        seen: dict[str, str] = {}
        for p in paths:
            try:
                deal = load_deal(p, self.workspace.policy)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            if deal.deal in seen:
                problems.append(Problem(str(p), None, "deal",
                                        f"deal id {deal.deal} is also used by {seen[deal.deal]}"))
                continue
            seen[deal.deal] = str(p)
            self._inputs.add(Path(p).resolve())
            deals.append((str(p), deal))
        if problems:
            raise InputError(problems)
        return deals

    def validate(self, paths: Sequence[PathLike], *, approvals: bool = True,
                 on_done: Callable[[DealResult], None] | None = None) -> list[DealResult]:
        """Load, price and validate deal files; recorded approvals clear findings unless
        `approvals` is False (what submit and decisions bind to: the deal as it is)."""
        return self.validate_loaded(self.load(paths), approvals=approvals, on_done=on_done)

    def validate_loaded(self, deals: Sequence[tuple[str, Deal]], *, approvals: bool = True,
                        on_done: Callable[[DealResult], None] | None = None
                        ) -> list[DealResult]:
        """Price and validate already-loaded deals (see :meth:`validate`)."""
        from docgen.approvals import resolver

        ws = self.workspace
        cat, pol = ws.load_all()
        resolve = resolver(self.decisions) if approvals and self._decision_reader() else None
        out = []
        for src, deal in deals:
            result = validate_deal(deal, cat, pol, source=src, skus=ws.skus, resolver=resolve)
            out.append(result)
            if on_done is not None:
                on_done(result)
        self._record_revisions(out)
        return out

    def _record_revisions(self, results: Sequence[DealResult]) -> None:
        """Record each deal's revision (SPEC §8) where state can be written.

        Only a writable workspace with a database (or a configured URL) records: validating never
        creates the database (the first submit or issue does), and the read-only bundled sample
        is never written. On the default SQLite file the fast reader writes it, so ``validate``
        still loads no SQLAlchemy.
        """
        if not results or self.workspace.read_only:
            return
        from docgen.store import RevisionRecord

        recorder = self._store if self._store is not None else self._decision_reader()
        if recorder is None:
            return
        rows = [RevisionRecord(r.deal.deal, r.revision, r.canonical, r.source or None)
                for r in results]
        try:
            recorder.record_revisions(rows)
        except Exception as exc:  # noqa: BLE001 - sqlite3 or SQLAlchemy: one clear problem
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] or \
                type(exc).__name__
            raise InputError([Problem("database", None, "", (
                f"cannot record the deal revision(s) in the database: {reason}"))]) from None

    # -- documents ------------------------------------------------------------------------

    def render(self, kind: DocumentKind | str, paths: Sequence[PathLike], *,
               out_dir: Path, formats: Sequence[str] = ("pdf",), draft: bool = False,
               issue_date: date | None = None, jobs: int | None = None,
               on_done: Callable[[str], None] | None = None) -> BatchResult:
        """Validate and render one document of `kind` per deal file (SPEC §5, §6).

        A final document is refused for a deal while findings gated on it stand (the deal is
        listed in ``blocked``); the other deals of the batch still render. A final document is
        issued for the deal's revision (see :mod:`docgen.api._render`): a revision issued before
        comes back as it was (number, date, bytes); a new one takes the next PO number (a SOW or
        onboarding form its reference), is recorded, and supersedes the deal's earlier one.
        `issue_date` may be omitted only for a re-issue.
        """
        from docgen.api._render import render_documents

        kind = _kind(kind)
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            raise InputError([Problem("--format", None, "", f"unknown format {f!r}; choose from "
                                      f"{', '.join(FORMATS)}") for f in unknown])
        self._writable(out_dir, "documents")
        if not draft:
            _ = self.store  # a final document writes state: open (create) it first, so that
            # the revisions validated below are recorded too
        return render_documents(self, kind, self.validate(paths), out_dir=out_dir,
                                formats=tuple(formats), draft=draft, issue_date=issue_date,
                                jobs=jobs, on_done=on_done)

    def document_input(self, result: DealResult, kind: DocumentKind | str, *, issue_date: date,
                       number: str | None = None, draft: bool | None = None) -> DocumentInput:
        """The document input of one validated deal (what a renderer needs, nothing more).

        A draft lists what blocks it; a final PO prints the approvals of its lines.
        """
        from docgen.approvals import line_approvals
        from docgen.render.documents import DocumentInput, DocumentPolicy

        kind = _kind(kind)
        draft = number is None if draft is None else draft
        ws = self.workspace
        codes = {ln.code for ln in result.priced.lines if ln.code}
        codes |= {c.code for ln in result.priced.lines for c in ln.components}
        approvals = {} if draft or kind is not DocumentKind.PO else line_approvals(
            result.priced, self.decisions(result.deal.deal))
        return DocumentInput(
            priced=result.priced, vendor=ws.catalogue.catalogue.vendor,
            policy=DocumentPolicy.of(ws.policy), kind=kind, issue_date=issue_date, number=number,
            skus={c: ws.skus[c] for c in sorted(codes) if c in ws.skus},
            blockers=tuple(result.blockers(kind)) if draft else (), approvals=approvals)

    def render_inputs(self, docs: Sequence[DocumentInput], formats: Sequence[str], *,
                      jobs: int | None = 1,
                      on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        """Render document inputs in memory with this workspace's templates (no file written)."""
        from docgen.render.documents import render_batch

        return render_batch(self.renderer, docs, formats, jobs=jobs, on_done=on_done)

    @property
    def renderer(self) -> Renderer:
        """This session's renderer: its engines stay warm from one render to the next."""
        if self._renderer is None:
            from docgen.render.documents import Renderer

            self._renderer = Renderer(self.workspace.templates_dir)
        return self._renderer

    # -- approvals ------------------------------------------------------------------------

    def submit(self, paths: Sequence[PathLike], *, by: str | None = None,
               now: datetime | None = None) -> list[SubmitResult]:
        """Record an approval request for each approval finding of each deal."""
        from docgen.approvals import submit

        _ = self.store  # submitting writes state: open (create) it before validating
        results = self.validate(paths, approvals=False)
        return [SubmitResult(r.deal.deal, submit(self.store, r, by=by, now=now))
                for r in results]

    def decide(self, path: PathLike, *, decision: Literal["approve", "reject"], code: str,
               where: str, role: str, by: str, note: str | None = None,
               now: datetime | None = None) -> DecisionResult:
        """Approve or reject one finding of one deal as it is now (InputError when refused)."""
        from docgen.approvals import decide, resolve

        _ = self.store  # a decision writes state: open (create) it before validating
        (result,) = self.validate([path], approvals=False)
        code = code.strip().upper()
        outcome = decide(self.store, self.workspace.policy, result, code=code,
                         where=where.strip(), role=role.strip(), by=by.strip(),
                         decision=decision, note=note, now=now)
        self._decisions.pop(result.deal.deal, None)
        finding = next(f for f in result.findings
                       if f.code == outcome.decision.code and f.where == outcome.decision.where)
        left = resolve([finding], self.decisions(result.deal.deal))
        return DecisionResult(outcome=outcome, remaining=left[0] if left else None)

    def approve(self, path: PathLike, **kwargs: Any) -> DecisionResult:
        """Approve one finding (see :meth:`decide`)."""
        return self.decide(path, decision="approve", **kwargs)

    def reject(self, path: PathLike, **kwargs: Any) -> DecisionResult:
        """Reject one finding (see :meth:`decide`)."""
        return self.decide(path, decision="reject", **kwargs)

    def approval_history(self, deal: PathLike | str) -> tuple[str, list[HistoryEntry]]:
        """Requests and decisions of a deal (a file: each marked current or stale; or an id)."""
        from docgen.approvals import history

        result = None
        if Path(deal).is_file():
            (result,) = self.validate([deal], approvals=False)
            deal_id = result.deal.deal
        elif _is_deal_id(str(deal)):
            deal_id = str(deal)
        else:
            raise InputError([Problem(str(deal), None, "", "no such deal file, and not a deal id")])
        store = self._existing_store()
        return deal_id, history(store, deal_id, result) if store is not None else []

    def report(self, paths: Sequence[PathLike], *, now: datetime | None = None) -> Report:
        """The CS exception report of the deals, as of `now` (default: the clock)."""
        from docgen.report import build_report

        results = self.validate(paths, approvals=False)
        return build_report(results, self._existing_store(), self.workspace.policy,
                            now or datetime.now(UTC), source=str(self.workspace.policy_path))

    def forecast(self, paths: Sequence[PathLike]) -> Forecast:
        """The pipeline of the deals by stage: counts, sold and weighted totals per currency."""
        from docgen.forecast import build_forecast

        return build_forecast(self.validate(paths, approvals=False), self.workspace.policy)

    def write_report(self, report: Report, path: Path) -> str:
        """Write the report in the format its suffix names (html, pdf, csv, json)."""
        from docgen.report import write_report

        self._writable(path, "a report")
        self.refuse_input(Path(path))
        return write_report(report, Path(path), self.workspace.templates_dir)

    # -- checking issued documents --------------------------------------------------------

    def verify(self, paths: Sequence[PathLike]) -> list[tuple[str, VerifyReport]]:
        """Verify each PDF against the registry, the locked catalogue and its own print."""
        from docgen.verify import verify_file

        registry = self._existing_store()
        return [(str(p), verify_file(self.workspace, p, registry)) for p in paths]

    def pack(self, pdfs: Sequence[PathLike], out: Path) -> PackResult:
        """One PDF of a PO and its SOW that keeps the embedded data and PDF/A markers."""
        return pack(pdfs, out)

    # -- history and the registry ---------------------------------------------------------

    def history(self, deal: PathLike | str) -> DealHistory:
        """A deal's revisions, approval requests, decisions and documents, oldest first.

        `deal` is a deal file (its revision is recorded, and approvals are marked current or
        stale against it) or a deal id.
        """
        from docgen.history import deal_history

        result = None
        if Path(deal).is_file():
            (result,) = self.validate([deal], approvals=False)
            deal_id = result.deal.deal
        elif _is_deal_id(str(deal)):
            deal_id = str(deal)
        else:
            raise InputError([Problem(str(deal), None, "", "no such deal file, and not a deal id")])
        return deal_history(self._existing_store(), deal_id, result)

    def documents(self, *, deal: str | None = None, status: str | None = None
                  ) -> list[IssuedDocument]:
        """Every document docgen reserved or issued (of one deal, in one status), by number."""
        from docgen.store import STATUSES

        if status is not None and status not in STATUSES:
            raise InputError([Problem("--status", None, "", f"unknown status {status!r}; choose "
                                      f"from {', '.join(STATUSES)}")])
        store = self._existing_store()
        return store.documents(deal, status=status) if store is not None else []

    # -- templates, catalogue, schemas ----------------------------------------------------

    def check_templates(self, files: Sequence[Path] = (), *, kind: str | None = None
                        ) -> tuple[list[TemplateProblem], int]:
        """Check the workspace's templates (or just `files`): problems, and files checked."""
        from docgen.templates_check import check_templates, template_files

        ws = self.workspace
        found = check_templates(ws.templates_dir, list(files) or None, kind=kind, root=ws.root)
        return found, len(files) or len(template_files(ws.templates_dir))

    def skus(self) -> list[Sku]:
        """The catalogue's SKUs in file order."""
        return list(self.workspace.catalogue.skus)

    def sku(self, code: str) -> Sku:
        """One SKU by code (InputError suggesting close codes when there is none)."""
        import difflib

        skus = self.workspace.skus
        sku = skus.get(code.upper())
        if sku is None:
            close = difflib.get_close_matches(code.upper(), list(skus), n=3, cutoff=0.5)
            raise InputError([Problem("catalogue", None, "", f"no SKU {code}" + (
                f"; did you mean {', '.join(close)}?" if close else ""))])
        return sku

    def lock_catalogue(self) -> tuple[dict[str, Any], LockDiff | None]:
        """Re-lock the catalogue: write ``skus/catalogue.lock``; returns it and what changed."""
        from docgen.catalogue import lock_catalogue

        ws = self.workspace
        ws.require_writable("a catalogue lock")
        return lock_catalogue(ws.catalogue, ws.lock_path)

    def export_schemas(self, target: Path | None = None) -> list[Path]:
        """Write JSON Schemas of the input formats (default: the workspace's ``schemas/``)."""
        from docgen.schemas import export_schemas

        target = Path(target) if target is not None else self.workspace.root / "schemas"
        self._writable(target, "schemas")
        return export_schemas(target)


def pack(pdfs: Sequence[PathLike], out: Path) -> PackResult:
    """One PDF of a PO and its SOW (needs no workspace); never written onto one of the PDFs."""
    from docgen.pack import pack_pdfs

    target = Path(out).resolve()
    if any(Path(p).resolve() == target or _same_file(target, Path(p)) for p in pdfs):
        raise InputError([Problem(str(out), None, "", (
            "this file is one of the PDFs to pack; docgen never writes onto its own input: "
            "choose another output name"))])
    return pack_pdfs([str(p) for p in pdfs], Path(out))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
def _kind(kind: DocumentKind | str) -> DocumentKind:
    try:
        return DocumentKind(kind)
    except ValueError:
        raise InputError([Problem("kind", None, "", f"unknown document kind {kind!r}; choose "
                                  f"from {', '.join(k.value for k in DocumentKind)}")]) from None


def _is_deal_id(text: str) -> bool:
    import re

    return re.fullmatch(r"[A-Z0-9][A-Z0-9_-]{0,63}", text) is not None

