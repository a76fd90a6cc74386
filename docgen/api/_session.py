"""The session: the one door every front end (CLI, web, API, workers) goes through.

A :class:`Session` owns the workspace, the store (opened lazily, once) and the one reader of
approval decisions; each public method is one command of SPEC §5. Methods take plain arguments
and return data (see :mod:`docgen.api._results`); they never print, read argv or choose exit
codes, and raise only :mod:`docgen.errors` exceptions. Renderers, the database driver and the
PDF readers are imported inside the methods that need them, so ``validate`` stays light.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

from docgen.errors import AuthError, InputError, Problem
from docgen.kinds import FORMATS, DocumentKind
from docgen.validate import DealResult, validate_deal
from docgen.workspace import Workspace, find_workspace, load_deal

if TYPE_CHECKING:
    from docgen.api._evidence import EvidenceAdded, EvidenceList
    from docgen.api._results import (BatchResult, DecisionResult, LockResult, SubmitResult,
                                     VersionDiff)
    from docgen.api._versions import Versions
    from docgen.api._queue import QueuedBatch
    from docgen.api._tasks import CalendarFile, TaskChange, TaskList
    from docgen.approvals import HistoryEntry
    from docgen.audit import AuditEntry, ChainProblem
    from docgen.catalogue import LockDiff
    from docgen.deals import DealFile
    from docgen.evidence import EvidenceRecord
    from docgen.forecast import Forecast
    from docgen.history import DealHistory
    from docgen.identity import User
    from docgen.models.catalogue import Catalogue, Sku
    from docgen.models.deal import Deal
    from docgen.models.policy import Policy
    from docgen.notify import Notifier, NotifyRun
    from docgen.pack import PackResult
    from docgen.render.catalogs import CatalogStats
    from docgen.render.documents import DocumentInput, Outcome, Renderer
    from docgen.report import Report
    from docgen.signing import SigningKey
    from docgen.store import Decision, DecisionReader, IssuedDocument, Store
    from docgen.store._notify import Notification
    from docgen.store._templates import StagedTemplate, TemplateActivation
    from docgen.template_versions import SyncResult
    from docgen.templates_check import TemplateProblem
    from docgen.verify import VerifyReport

__all__ = ["Session"]

#: Sign-in rate limits (per e-mail, per client address) within a window, and session length.
SIGN_IN_LIMIT = 5
SIGN_IN_CLIENT_LIMIT = 20
SIGN_IN_WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
#: Verified against when the e-mail is unknown, so that both cases take as long.
_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$52zVSr1Npez7Z8pfPY8jIg$"
               "txhaq4Mkw2jx4zSSgkKhu/MQ233QjG5blNWlYSbFnVI")

PathLike = str | os.PathLike[str]


class Session:
    """One workspace, its store and its decisions, for the length of a ``with`` block.

    ::

        with Session(workspace_flag) as s:          # flag / $DOCGEN_WORKSPACE / cwd / sample
            for result in s.validate(["deal.yaml"]):
                print(result.deal.deal, result.ready)
    """

    def __init__(self, workspace: PathLike | Workspace | None = None, *,
                 locked: bool = True, token: str | None = None,
                 renderer: Renderer | None = None, store: Store | None = None) -> None:
        self.workspace = (workspace if isinstance(workspace, Workspace)
                          else find_workspace(workspace))
        self.workspace.load_all()
        if locked:
            self.workspace.verify_locks()
        # a long-running process (a job worker) may hand its open store on: not closed here
        self._store: Store | None = store
        self._own_store = store is None
        self._reader: DecisionReader | None = None
        self._reader_opened = False
        self._decisions: dict[str, list[Decision]] = {}
        self._evidence: dict[str, list[EvidenceRecord]] = {}
        # a long-running front end (the web app) hands the renderer of an earlier session on
        self._renderer: Renderer | None = renderer
        self._signing_key: SigningKey | None = None
        # the person acting: resolved from the token when something is first recorded
        self._token = token.strip() if token and token.strip() else None
        self._actor: User | None = None
        self._notifier: Notifier | None = None
        #: every file this session read as input: never written onto (SPEC §6 "Files")
        self._inputs: set[Path] = set()

    # -- resources ------------------------------------------------------------------------

    @functools.cached_property
    def versions(self) -> Versions:
        """Recorded catalogue and policy versions (read through this session's reader)."""
        from docgen.api._versions import Versions

        return Versions(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the store and the reader."""
        if self._reader is not None and self._reader is not self._store:
            self._reader.close()
        if self._store is not None and self._own_store:
            self._store.close()
        self._own_store = True
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

    # -- who is acting -----------------------------------------------------------------------

    def authenticate(self, token: str) -> User:
        """Act as the active person `token` belongs to (AuthError, exit 2, otherwise)."""
        store = self._existing_store()
        if store is None:
            raise AuthError([Problem("DOCGEN_TOKEN", None, "", (
                "this workspace has no people yet: `docgen init` makes the first "
                "administrator (in an older workspace: docgen users add EMAIL --name N --admin)"
            ))])
        self._actor = store.authenticate(token)
        self._token = token
        return self._actor

    @property
    def actor(self) -> User | None:
        """The authenticated person (from the session's token), or None without a token."""
        if self._actor is None and self._token is not None:
            self.authenticate(self._token)
        return self._actor

    def require_actor(self, what: str) -> User:
        """The authenticated person; AuthError naming `what` when there is none."""
        actor = self.actor
        if actor is None:
            raise AuthError([Problem("DOCGEN_TOKEN", None, "", (
                f"{what} needs to know who you are: set DOCGEN_TOKEN to your API token (an "
                "administrator makes one with `docgen users add`; you make more with "
                "`docgen token create`)"))])
        return actor

    def _act_as(self, email: str) -> User:
        """Act as the person `email`, authenticated by another process: a queued job acts as the
        person whose token queued it (see :mod:`docgen.api._queue`). Never from user input."""
        store = self._existing_store()
        user = store.user(email) if store is not None else None
        if user is None or not user.active:
            raise AuthError([Problem("queue", None, "", (
                f"{email}, who queued this document, is no longer an active person of the "
                "workspace: nothing was issued"))])
        self._actor, self._token = user, None
        return user

    # -- the web app's sign-in ----------------------------------------------------------------

    def sign_in(self, email: str, password: str, *, client: str,
                now: datetime | None = None) -> tuple[User, str, str]:
        """Check an e-mail and password: (person, session cookie, CSRF token).

        AuthError, the same for an unknown e-mail, a wrong password, no password set or a
        disabled person (nobody learns who has an account), and after SIGN_IN_LIMIT failures
        per e-mail or SIGN_IN_CLIENT_LIMIT per client within SIGN_IN_WINDOW, until it passes.
        """
        from docgen.identity import normalise_email, verify_password

        now = now or datetime.now(UTC)
        store = self.store
        limits = {f"email:{normalise_email(email)[:300]}": SIGN_IN_LIMIT,
                  f"client:{client[:300]}": SIGN_IN_CLIENT_LIMIT}
        # counted as failed before the password is checked: guesses sent at once (to several
        # servers) are limited together
        claim = store.claim_sign_in(limits, since=now - SIGN_IN_WINDOW, now=now)
        if claim is None:
            raise AuthError([Problem("sign-in", None, "", (
                "too many failed sign-ins: wait 15 minutes, or ask an administrator to set "
                "a new password"))])
        found = store.password_of(email)
        stored = found[1] if found else None
        ok = verify_password(stored or _DUMMY_HASH, password) and stored is not None
        ok = ok and found is not None and found[0].active
        if ok:
            store.settle_sign_in(claim)
        if not ok or found is None:
            raise AuthError([Problem("sign-in", None, "", "wrong e-mail or password")])
        cookie, csrf = store.open_web_session(found[0], now=now, lifetime=SESSION_LIFETIME)
        self._actor = found[0]
        return found[0], cookie, csrf

    def web_session(self, cookie: str, *, now: datetime | None = None) -> str | None:
        """Act as the person of a live sign-in session; its CSRF token, or None."""
        store = self._existing_store()
        found = store.web_session(cookie, now=now or datetime.now(UTC)) if store else None
        if found is None:
            return None
        self._actor = found[0]
        return found[1]

    def sign_out(self, cookie: str) -> None:
        """End a sign-in session."""
        store = self._existing_store()
        if store is not None:
            store.close_web_session(cookie, now=datetime.now(UTC))

    def set_password(self, email: str, password: str) -> User:
        """Set the web password of `email` (administrators, or the person themself)."""
        from docgen.identity import hash_password, normalise_email

        actor = self.require_actor("setting a password")
        if not actor.is_admin and normalise_email(email) != actor.email:
            raise AuthError([Problem("DOCGEN_TOKEN", None, "", (
                "only administrators set other people's passwords"))])
        if len(password) < 12:
            raise InputError([Problem("password", None, "", "at least 12 characters")])
        found = self.store.password_of(email)
        if found is None:
            raise InputError([Problem("EMAIL", None, "", f"{email} is not a user")])
        self.store.set_password(found[0], hash_password(password), actor=actor.email,
                                now=datetime.now(UTC))
        return found[0]

    def roles_of(self, email: str) -> tuple[str, ...]:
        """The roles the locked policy's ``approvers`` give `email`."""
        from docgen.identity import roles_of

        return roles_of(self.workspace.policy, email)

    def _require_admin(self, what: str) -> User:
        actor = self.require_actor(what)
        if not actor.is_admin:
            raise AuthError([Problem("DOCGEN_TOKEN", None, "", (
                f"{what} is for administrators; {actor.email} is not one"))])
        return actor

    # -- decisions ----------------------------------------------------------------------------

    def decisions(self, deal_id: str) -> list[Decision]:
        """Every decision of one deal that the audit chain vouches for (read once per session).

        A row in the decisions table that no authentic audit row states was not written by
        docgen (or was edited since) and is left out.
        """
        if deal_id not in self._decisions:
            from docgen.audit import Secret, vouched

            reader = self._decision_reader()
            if reader is None:
                self._decisions[deal_id] = []
            else:
                raw = reader.decisions_for(deal_id)
                key = Secret(self.workspace.state_dir).get() if raw else None
                self._decisions[deal_id] = vouched(key, raw, reader.audit_for(deal_id)) \
                    if raw else []
        return self._decisions[deal_id]

    def evidence_records(self, deal_id: str) -> list[EvidenceRecord]:
        """Every evidence record of one deal that the audit chain vouches for, oldest first
        (read once per session; a row no authentic audit row states is left out)."""
        if deal_id not in self._evidence:
            from docgen.audit import Secret
            from docgen.evidence import vouched

            reader = self._decision_reader()
            raw = reader.evidence_for(deal_id) if reader is not None else []
            key = Secret(self.workspace.state_dir).get() if raw else None
            self._evidence[deal_id] = vouched(key, raw, reader.audit_for(deal_id)) \
                if raw and reader is not None else []
        return self._evidence[deal_id]

    def recorded_evidence(self, deal_id: str) -> dict[str, EvidenceRecord]:
        """Each item's latest recorded evidence that counts (what the checklist rules read)."""
        from docgen.evidence import latest

        return latest(self.evidence_records(deal_id))

    def counted_decisions(self, deal: Deal) -> list[Decision]:
        """The decisions of `deal` that count now (:func:`docgen.approvals.counted`)."""
        from docgen.approvals import counted

        ds = self.decisions(deal.deal)
        if not ds:
            return []
        reader = self._decision_reader()
        submitters = reader.requesters_for(deal.deal) if reader is not None else set()
        return counted(ds, self.workspace.policy, deal, submitters)

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
                        on_done: Callable[[DealResult], None] | None = None,
                        record: bool = True) -> list[DealResult]:
        """Price and validate already-loaded deals (see :meth:`validate`); each deal's revision
        is recorded unless `record` is False."""
        from docgen import email_verdicts

        ws = self.workspace
        _, pol = ws.load_all()
        resolve = None
        if approvals and self._decision_reader():
            from docgen.approvals import resolver

            resolve = resolver(self.counted_decisions)
        catalogues = self._catalogues_for(deals)
        email_verdicts.load(ws.state_dir)  # read again only when the file changed
        reads = self._decision_reader() is not None
        out = []
        for (src, deal), (cat, skus) in zip(deals, catalogues, strict=True):
            recorded = self.recorded_evidence(deal.deal) if reads else None
            result = validate_deal(deal, cat, pol, source=src, skus=skus, resolver=resolve,
                                   recorded=recorded)
            out.append(result)
            if on_done is not None:
                on_done(result)
        if not ws.read_only:
            email_verdicts.save(ws.state_dir)
        if record:
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
        rows = [RevisionRecord(r.deal.deal, r.revision, r.canonical, r.source or None,
                               r.approval_keys) for r in results]
        try:
            recorder.record_revisions(rows, actor=self._known_actor(recorder))
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - sqlite3 or SQLAlchemy: one clear problem
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] or \
                type(exc).__name__
            raise InputError([Problem("database", None, "", (
                f"cannot record the deal revision(s) in the database: {reason}"))]) from None

    def _known_actor(self, reader: DecisionReader | None = None) -> str | None:
        """The acting person's e-mail when it is known, for an audit row that does not need
        one (a revision, a pack): the authenticated person, else the token's active person;
        None without a token, or with one that is not valid (never an error: what needs a
        person asks :meth:`require_actor`)."""
        if self._actor is not None:
            return self._actor.email
        if self._token is None:
            return None
        finder = getattr(reader, "user_for_token", None) if self._store is None else None
        if finder is not None:  # the light SQLite path
            found = finder(self._token)
            return str(found) if found is not None else None
        try:
            return self.authenticate(self._token).email
        except AuthError:
            return None

    # -- deal files (the web app's deals) ---------------------------------------------------

    def deal_files(self) -> tuple[list[DealFile], list[Problem]]:
        """The workspace's deal files (``deals/``, then the samples), and files that do not load."""
        from docgen.deals import deal_files

        return deal_files(self.workspace)

    def deal_file(self, deal_id: str) -> tuple[DealFile, str]:
        """One deal's file and its text exactly as stored (InputError when there is none)."""
        from docgen.deals import find_deal_file

        found = find_deal_file(self.workspace, deal_id)
        return found, found.path.read_text("utf-8")

    def validate_text(self, text: str, *, name: str = "deal.yaml",
                      approvals: bool = True) -> DealResult:
        """Validate deal text that is not (yet) a file: what the web editor checks as you type."""
        from docgen.deals import parse_deal_text

        deal = parse_deal_text(text, name, self.workspace.policy)
        # typed, not saved: not a revision of the deal (saving and issuing record it)
        return self.validate_loaded([(name, deal)], approvals=approvals, record=False)[0]

    def save_deal(self, text: str, *, name: str = "deal.yaml",
                  expect: str | None = None) -> DealFile:
        """Write deal text to its file in ``deals/`` after checking it (see
        :func:`docgen.deals.save_deal_text`)."""
        from docgen.deals import save_deal_text

        return save_deal_text(self.workspace, text, name=name, expect=expect,
                              policy=self.workspace.policy)

    def preview(self, result: DealResult, kind: DocumentKind | str = "po", *,
                fmt: str = "html", issue_date: date | None = None) -> bytes:
        """A draft of one document in memory: the exact HTML WeasyPrint lays out, or the PDF."""
        if fmt not in FORMATS:
            raise InputError([Problem("format", None, "", f"unknown format {fmt!r}")])
        doc = self.document_input(result, kind, issue_date=issue_date or date.today(),
                                  draft=True)
        return self.renderer.render(doc, (fmt,)).outputs[fmt]

    def _catalogues_for(self, deals: Sequence[tuple[str, Deal]]
                        ) -> list[tuple[Catalogue, dict[str, Sku]]]:
        """The catalogue each deal is priced with; every unknown pinned version reported."""
        problems: list[Problem] = []
        out = []
        for src, deal in deals:
            try:
                out.append(self.versions.catalogue_for(deal, src))
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems)
        return out

    # -- documents ------------------------------------------------------------------------

    def render(self, kind: DocumentKind | str, paths: Sequence[PathLike], *,
               out_dir: Path, formats: Sequence[str] = ("pdf",), draft: bool = False,
               issue_date: date | None = None, jobs: int | None = None,
               internal: bool = False,
               on_done: Callable[[str], None] | None = None) -> BatchResult:
        """Validate and render one document of `kind` per deal file (SPEC §5, §6).

        What goes to the customer never shows internal controls: a draft PO is a quotation, a
        final PO names an approved exception by its reference only. `internal` renders the
        internal copy instead (``<deal>-<kind>[-draft]-internal``): what blocks the document and
        the full approval trail, in the document's language. An internal copy is never refused,
        never takes a number and is never recorded; of a PO issued before it shows the number.

        A final document is refused for a deal while findings gated on it stand (the deal is
        listed in ``blocked``); the other deals of the batch still render. A final document is
        issued for the deal's revision (see :mod:`docgen.api._render`): a revision issued before
        comes back as it was (number, date, bytes); a new one takes the next PO number (a SOW or
        onboarding form its reference), is recorded, and supersedes the deal's earlier one.
        `issue_date` may be omitted only for a re-issue.
        """
        kind = self._prepare_render(kind, formats, out_dir, draft=draft, internal=internal)
        results = self.validate(paths)
        return self._render_validated(kind, results, out_dir=out_dir, formats=tuple(formats),
                                      draft=draft, issue_date=issue_date, jobs=jobs,
                                      internal=internal, on_done=on_done)

    def _prepare_render(self, kind: DocumentKind | str, formats: Sequence[str], out_dir: Path,
                        *, draft: bool, internal: bool, record_versions: bool = True
                        ) -> DocumentKind:
        """What is checked before any deal of a render is validated (see :meth:`render`); a
        queued job's versions were recorded when it was queued (`record_versions` False)."""
        kind = _kind(kind)
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            raise InputError([Problem("--format", None, "", f"unknown format {f!r}; choose from "
                                      f"{', '.join(FORMATS)}") for f in unknown])
        self._writable(out_dir, "documents")
        if not draft and not internal:
            _ = self.store  # a final document writes state: open (create) it first, so that
            # the revisions validated below are recorded too
            self.sync_templates()  # legal's activations made through another server apply here
            # a final document's catalogue and policy versions must outlive the next re-lock
            if record_versions:
                self.versions.record_current()
        if kind is DocumentKind.PO and not draft and not internal:
            _ = self.signing_key  # a missing or wrong key is refused before a number is taken
        return kind

    def _render_validated(self, kind: DocumentKind, results: Sequence[DealResult], *,
                          out_dir: Path, formats: tuple[str, ...], draft: bool,
                          issue_date: date | None, jobs: int | None, internal: bool,
                          on_done: Callable[[str], None] | None) -> BatchResult:
        """Render validated deals (after :meth:`_prepare_render`) and tell who is notified."""
        from docgen.api._render import render_documents

        batch = render_documents(self, kind, results, out_dir=out_dir, formats=formats,
                                 draft=draft, issue_date=issue_date, jobs=jobs,
                                 internal=internal, on_done=on_done)
        if not internal:
            self._tell("rendered", kind, results, batch, draft)
        return batch

    # -- the job queue (SPEC §11) ---------------------------------------------------------

    @property
    def has_job_queue(self) -> bool:
        """True when the database is PostgreSQL: batches and notifications can go to ``docgen
        worker`` processes. With SQLite everything runs in the process that asks."""
        from docgen.store import database_url

        url = database_url(self.workspace) or ""
        return url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")

    def queue_render(self, kind: DocumentKind | str, paths: Sequence[PathLike], *,
                     out_dir: Path, formats: Sequence[str] = ("pdf",), draft: bool = False,
                     issue_date: date | None = None, internal: bool = False) -> QueuedBatch:
        """Validate the deals here and queue one job per deal for ``docgen worker`` processes.

        What :meth:`render` refuses is refused here, before anything is queued; blocked deals
        are in ``blocked`` at once. `out_dir` is passed to the workers as an absolute path:
        every worker must see the same folder there. Needs PostgreSQL (InputError otherwise,
        see :attr:`has_job_queue`). Follow the batch with :meth:`follow`.
        """
        from docgen.api._queue import queue_render

        return queue_render(self, kind, paths, out_dir=out_dir, formats=formats, draft=draft,
                            issue_date=issue_date, internal=internal)

    def follow(self, queued: QueuedBatch, *,
               on_done: Callable[[str], None] | None = None) -> BatchResult:
        """Wait for the workers to finish a queued batch; the same result as :meth:`render`."""
        from docgen.api._queue import follow

        return follow(self, queued, on_done=on_done)

    def work(self, *, concurrency: int = 1, once: bool = False, stalled_after: float = 30.0,
             reminders_every: float | None = 900.0,
             on_event: Callable[[str], None] | None = None) -> int:
        """Run ``docgen worker``: `concurrency` processes taking jobs from the queue until
        stopped (SIGTERM or Ctrl-C: each finishes its job first), or with `once` until no job
        is ready; the number of jobs run. See :mod:`docgen.worker`.
        """
        from docgen.api._queue import queue_book
        from docgen.worker import WorkerOptions, reminders_cron, run_workers

        if reminders_every is not None:
            try:
                reminders_cron(reminders_every)
            except ValueError as exc:
                raise InputError([Problem("--reminders-every", None, "", str(exc))]) from None
        book = queue_book(self)
        conninfo = book.conninfo()
        self.close()  # the workers open their own connections (and may be forked)
        return run_workers(self.workspace, conninfo, WorkerOptions(
            concurrency=concurrency, once=once, stalled_after=stalled_after,
            reminders_every=reminders_every), on_event=on_event)

    def document_input(self, result: DealResult, kind: DocumentKind | str, *, issue_date: date,
                       number: str | None = None, draft: bool | None = None,
                       internal: bool = False) -> DocumentInput:
        """The document input of one validated deal (what a renderer needs, nothing more).

        A final PO prints the approved exceptions of its lines (by reference); the `internal`
        copy also lists what blocks the document and who approved what.
        """
        from docgen.approvals import line_approvals
        from docgen.render.documents import DocumentInput, DocumentPolicy

        kind = _kind(kind)
        draft = number is None if draft is None else draft
        ws = self.workspace
        codes = {ln.code for ln in result.priced.lines if ln.code}
        codes |= {c.code for ln in result.priced.lines for c in ln.components}
        shows_lines = kind in (DocumentKind.PO, DocumentKind.CONTRACT)
        approvals = line_approvals(result.priced, self.counted_decisions(result.deal)) \
            if shows_lines and (internal or not draft) else {}
        # the vendor and SKUs of the catalogue version the deal was priced with
        cat, skus = self.versions.catalogue(result.priced.catalogue_version) or (
            ws.catalogue, ws.skus)
        signer = (self.signing_key if kind is DocumentKind.PO and number and not draft
                  and not internal else None)
        evidence: dict[str, Any] = {}
        unmet: frozenset[str] | None = None
        if kind is DocumentKind.ONBOARDING:
            # the form shows each item's recorded evidence, and is done where validation is
            recorded = self.recorded_evidence(result.deal.deal) \
                if self._decision_reader() is not None else {}
            evidence = {i: recorded[i] for i in ws.policy.checklists.items("onboarding")
                        if i in recorded}
            unmet = frozenset(f.where.removeprefix("evidence.") for f in result.findings
                              if f.code == "CHK003")
        return DocumentInput(
            priced=result.priced, vendor=cat.catalogue.vendor,
            policy=DocumentPolicy.of(ws.policy), kind=kind, issue_date=issue_date, number=number,
            skus={c: skus[c] for c in sorted(codes) if c in skus},
            blockers=tuple(result.blockers(kind)) if internal else (), approvals=approvals,
            internal=internal, signer=signer, evidence=evidence, checklist_unmet=unmet)

    @property
    def signing_key(self) -> SigningKey:
        """The key final POs and packs are signed with (made on first use, see docgen.signing)."""
        if self._signing_key is None:
            from docgen.signing import signing_key

            self._signing_key = signing_key(self.workspace)
        return self._signing_key

    def render_inputs(self, docs: Sequence[DocumentInput], formats: Sequence[str], *,
                      jobs: int | None = 1,
                      on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        """Render document inputs in memory with this workspace's templates (no file written)."""
        from docgen.render.documents import render_batch

        return render_batch(self.renderer, docs, formats, jobs=jobs, on_done=on_done)

    @property
    def warm_renderer(self) -> Renderer | None:
        """The renderer if this session made or was given one (to hand on to the next)."""
        return self._renderer

    @property
    def renderer(self) -> Renderer:
        """This session's renderer: its engines stay warm from one render to the next."""
        if self._renderer is None:
            from docgen.render.documents import Renderer

            self._renderer = Renderer(self.workspace.templates_dir)
        return self._renderer

    # -- approvals ------------------------------------------------------------------------

    def submit(self, paths: Sequence[PathLike], *,
               now: datetime | None = None) -> list[SubmitResult]:
        """Record an approval request for each approval finding of each deal, as the actor."""
        from docgen.api._results import SubmitResult
        from docgen.approvals import submit

        _ = self.store  # submitting writes state: open (create) it before validating
        results = self.validate(paths, approvals=False)
        store = self.store  # first: the read-only sample refuses here
        actor = self.require_actor("submit")
        out = [SubmitResult(r.deal.deal, submit(store, r, by=actor, now=now)) for r in results]
        self._tell("submitted", results, out)
        return out

    def decide(self, path: PathLike, *, decision: Literal["approve", "reject"], code: str,
               where: str, role: str, note: str | None = None,
               now: datetime | None = None) -> DecisionResult:
        """Approve or reject one finding of one deal as it is now, as the actor.

        InputError (AuthError for who may not) when refused; nothing is recorded then.
        """
        from docgen.api._results import DecisionResult
        from docgen.approvals import decide, resolve

        _ = self.store  # a decision writes state: open (create) it before validating
        (result,) = self.validate([path], approvals=False)
        store = self.store  # first: the read-only sample refuses here
        actor = self.require_actor(decision)
        code = code.strip().upper()
        outcome = decide(store, self.workspace.policy, result, code=code,
                         where=where.strip(), role=role.strip(), by=actor,
                         decision=decision, note=note, now=now)
        self._decisions.pop(result.deal.deal, None)
        self._tell("decided", result, outcome)
        finding = next(f for f in result.findings
                       if f.code == outcome.decision.code and f.where == outcome.decision.where)
        left = resolve([finding], self.counted_decisions(result.deal))
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
        if store is None:
            return deal_id, []
        good = (self.counted_decisions(result.deal) if result is not None
                else self.decisions(deal_id))
        return deal_id, history(store, deal_id, result, counting=good)

    def report(self, paths: Sequence[PathLike], *, now: datetime | None = None) -> Report:
        """The CS exception report of the deals, as of `now` (default: the clock)."""
        from docgen.report import build_report

        results = self.validate(paths, approvals=False)
        return build_report(results, self._existing_store(), self.workspace.policy,
                            now or datetime.now(UTC), source=str(self.workspace.policy_path),
                            counted=lambda r: self.counted_decisions(r.deal))

    def forecast(self, paths: Sequence[PathLike]) -> Forecast:
        """The pipeline of the deals by stage: counts, sold and weighted totals per currency."""
        from docgen.forecast import build_forecast

        return build_forecast(self.validate(paths, approvals=False), self.workspace.policy)

    def report_bytes(self, report: Report, fmt: str) -> bytes:
        """The report in `fmt` (html, pdf, csv, json), in memory."""
        from docgen.report import render_report

        return render_report(report, fmt, self.workspace.templates_dir)

    def write_report(self, report: Report, path: Path) -> str:
        """Write the report in the format its suffix names (html, pdf, csv, json)."""
        from docgen.report import write_report

        self._writable(path, "a report")
        self.refuse_input(Path(path))
        return write_report(report, Path(path), self.workspace.templates_dir)

    # -- people, tokens and the audit log ---------------------------------------------------

    def add_user(self, email: str, *, name: str, admin: bool = False,
                 password: str | None = None) -> tuple[User, str]:
        """Add a person (administrators only) with a first API token: (user, token).

        The very first person of a database needs no token, and must be an administrator:
        that is how an older workspace, or a fresh PostgreSQL database, gets one.
        """
        from docgen.identity import check_email, hash_password

        email = check_email(email)
        name = _plain_text(name, "--name")
        digest = hash_password(password) if password is not None else None
        existing = self._existing_store()
        if existing is None or existing.count_users() == 0:
            if not admin:
                raise AuthError([Problem("--admin", None, "", (
                    "the first person of a workspace must be an administrator (--admin)"))])
            self.workspace.require_writable("people")
            return self.store.add_user(email, name=name, is_admin=True, actor=None,
                                       password_hash=digest, only_if_first=True)
        actor = self._require_admin("users add")
        return self.store.add_user(email, name=name, is_admin=admin, actor=actor.email,
                                   password_hash=digest)

    def users(self) -> list[User]:
        """Every person (administrators only)."""
        self._require_admin("users list")
        return self.store.users()

    def disable_user(self, email: str) -> User:
        """Disable a person: their tokens stop working (administrators only)."""
        from docgen.identity import check_email

        actor = self._require_admin("users disable")
        return self.store.disable_user(check_email(email), actor=actor.email)

    def create_token(self, name: str | None = None) -> str:
        """Another API token for the actor; shown once, stored hashed."""
        actor = self.require_actor("token create")
        label = _plain_text(name, "--name") if name else "cli"
        return self.store.create_token(actor, label)

    def audit_log(self, deal_id: str | None = None) -> list[AuditEntry]:
        """The audit rows (of one deal), oldest first; [] without a database."""
        store = self._existing_store()
        return store.audit_log(deal_id) if store is not None else []

    def verify_audit(self) -> tuple[int, list[ChainProblem]]:
        """Check the audit chain end to end: (rows checked, problems, first one first)."""
        store = self._existing_store()
        return store.verify_audit() if store is not None else (0, [])

    # -- notifications and onboarding tasks ------------------------------------------------

    @property
    def notifier(self) -> Notifier:
        """Records and sends this workspace's notifications (SPEC §11)."""
        if self._notifier is None:
            from docgen.notify import Notifier

            self._notifier = Notifier(lambda: self.store, self.workspace,
                                      defer=self._defer_sending if self.has_job_queue else None)
        return self._notifier

    def _defer_sending(self, ids: Sequence[int]) -> bool:
        """Hand the sending of notifications `ids` to a ``docgen worker`` as a job; False (send
        them here) when no worker is running."""
        from docgen.store._queue import TASK_SEND, QueueBook

        book = QueueBook(self.store)
        if not book.live_workers():
            return False
        book.defer(TASK_SEND, {"ids": list(ids)}, priority=1)
        return True

    def _tell(self, event: str, *args: Any) -> None:
        """Hand an event to the notifier; a failure is logged, never raised (see Notifier.hook)."""
        self.notifier.hook(event, lambda: getattr(self.notifier, event)(*args))

    def notify(self, paths: Sequence[PathLike] = (), *, now: datetime | None = None
               ) -> NotifyRun:
        """Send what is due as of `now`: reminders at warn_hours and escalations at sla_hours of
        every open request, the go-live notices of the deals given; retry failed sends."""
        results = self.validate(paths, approvals=False) if paths else []
        return self.notifier.due(now or datetime.now(UTC), results)

    def notifications(self, deal_id: str | None = None) -> list[Notification]:
        """Every recorded notification (of one deal), oldest first."""
        from docgen.store._notify import Outbox

        store = self._existing_store()
        return Outbox(store).notifications(deal_id) if store is not None else []

    def tasks(self, deal: PathLike | str) -> TaskList:
        """A deal's onboarding tasks (a deal file: first brought in line with the plan)."""
        from docgen.api._tasks import list_tasks

        return list_tasks(self, deal)

    def set_task_status(self, deal: PathLike | str, task: str, *,
                        status: Literal["open", "done", "skipped"] = "done",
                        by: str | None = None, note: str | None = None,
                        now: datetime | None = None) -> TaskChange:
        """Mark one task (number, key or start of key) done, skipped or open again, as the
        authenticated person (`by` only for a caller that authenticated them another way)."""
        from docgen.api._tasks import set_task_status

        by = by or self.require_actor(f"tasks {status}").email
        return set_task_status(self, deal, task, status, by=by, note=note, now=now)

    def onboarding_calendar(self, deal: PathLike, *, out_dir: Path,
                            issue_date: date | None = None) -> CalendarFile:
        """Write the deal's onboarding tasks as an iCalendar file, one event per task."""
        from docgen.api._tasks import write_calendar

        return write_calendar(self, deal, out_dir, issue_date=issue_date)

    # -- recorded evidence ----------------------------------------------------------------

    def add_evidence(self, deal: PathLike | str, item: str, file: PathLike | None = None, *,
                     status: Literal["received", "approved"] = "received",
                     on: date | None = None, now: datetime | None = None) -> EvidenceAdded:
        """Record checklist evidence of `item` (received or approved, dated `on`, default
        today) with an optional attached file, as the authenticated person.

        `deal` is a deal file (validated afterwards: the result tells what still stands at
        the item) or a deal id. InputError for an item the policy does not know, a file that
        cannot be attached, a date in the future; AuthError without a valid token.
        """
        from docgen.api._evidence import add_evidence

        return add_evidence(self, deal, item, file, status=status, on=on, now=now)

    def evidence(self, deal: PathLike | str) -> EvidenceList:
        """Every evidence record of a deal (file or id), oldest first, and which count."""
        from docgen.api._evidence import list_evidence

        return list_evidence(self, deal)

    def evidence_file(self, deal: PathLike | str, ref: str) -> tuple[EvidenceRecord, bytes]:
        """An attached file of a deal and its record: `ref` is an item (its latest file) or the
        file's SHA-256 (or a unique start of it)."""
        from docgen.api._evidence import evidence_file

        return evidence_file(self, deal, ref)

    def save_evidence_file(self, deal: PathLike | str, ref: str,
                           out: Path) -> tuple[EvidenceRecord, Path]:
        """Write an attached file of a deal (see :meth:`evidence_file`) to `out` (a folder: under
        its recorded name); never over an existing file or one of docgen's inputs."""
        from docgen.api._evidence import save_evidence_file

        return save_evidence_file(self, deal, ref, out)

    # -- checking issued documents --------------------------------------------------------

    def verify(self, paths: Sequence[PathLike]) -> list[tuple[str, VerifyReport]]:
        """Verify each PDF against the registry, the locked catalogue and its own print."""
        from docgen.verify import verify_file

        registry = self._existing_store()
        return [(str(p), verify_file(self.workspace, p, registry,
                                     catalogue_for=self.versions.catalogue,
                                     policy_for=self.versions.policy)) for p in paths]

    def pack(self, pdfs: Sequence[PathLike], out: Path) -> PackResult:
        """One PDF of a PO and its SOW that keeps the embedded data and PDF/A markers.

        A pack of an issued PO is signed and recorded in the registry by its own SHA-256 (so
        ``verify`` accepts it); only the PO file docgen issued can be packed.
        """
        from docgen.pack import pack_pdfs
        from docgen.signing import sign_pdf

        self._writable(out, "a pack")
        self.refuse_input(Path(out), extra=pdfs)  # `pack PO SOW -o PO` must not eat the PO
        store = self._existing_store()

        def sign(blob: bytes, day: date) -> bytes:
            return sign_pdf(blob, self.signing_key, signed_on=day, reason="docgen pack")

        result = pack_pdfs([str(p) for p in pdfs], Path(out), registry=store, sign=sign)
        if result.number is not None and store is not None:
            store.record_signed_file(result.sha256, kind="pack", number=result.number,
                                     deal_id=str(result.deal_id), path=str(result.path),
                                     actor=self._known_actor())
        return result

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
        store = self._existing_store()
        counts = {r.id for r in self.evidence_records(deal_id) if r.id is not None} \
            if store is not None else None
        return deal_history(store, deal_id, result, evidence_counts=counts)

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

    def template_names(self) -> list[str]:
        """Every live template legal may replace (``html/po.html``, ``docx/po.docx`` …)."""
        ws = self.workspace
        return sorted(p.relative_to(ws.templates_dir).as_posix()
                      for sub in ("html", "docx", "css") for p in
                      (ws.templates_dir / sub).rglob("*") if p.is_file()
                      and p.suffix in (".html", ".docx", ".css") and not p.name.startswith("~$"))

    def staged_templates(self) -> list[StagedTemplate]:
        """Templates with a new version waiting to be activated (staged in the database, so
        every server sharing it lists them), by name."""
        store = self._existing_store()
        return store.staged_templates() if store is not None else []

    def stage_template(self, name: str, blob: bytes) -> list[TemplateProblem]:
        """Stage a new version of template `name` in the database, as the actor, and check it
        in place; its problems."""
        from docgen.template_versions import stage

        actor = self.require_actor("staging a template")
        stage(self.store, name, blob, actor=actor.email)
        return self.check_staged(name)

    def check_staged(self, name: str) -> list[TemplateProblem]:
        """``templates check`` of a staged template, among the live ones."""
        from dataclasses import replace

        from docgen.template_versions import check_name, overlay
        from docgen.templates_check import check_templates

        rel = check_name(name).as_posix()
        with overlay(self.workspace, self._existing_store(), [rel]) as tdir:
            if rel.endswith(".css"):
                return []
            found = check_templates(tdir, [tdir / rel], root=self.workspace.root)
            return [replace(p, file=rel) if p.file.endswith(rel) else p for p in found]

    def preview_staged(self, name: str, result: DealResult, kind: DocumentKind | str, *,
                       fmt: str = "pdf", issue_date: date | None = None) -> bytes:
        """A draft of one deal's document laid out with the staged version of `name`."""
        from docgen.render.documents import Renderer
        from docgen.template_versions import overlay

        doc = self.document_input(result, kind, issue_date=issue_date or date.today(),
                                  draft=True)
        with overlay(self.workspace, self._existing_store(), [name]) as tdir:
            return Renderer(tdir).render(doc, (fmt,)).outputs[fmt]

    def activate_template(self, name: str) -> str:
        """Make the staged version of `name` live, as the actor: the file is written
        atomically, the activation recorded and audited; the templates' new version (SHA-256).
        """
        from docgen.template_versions import activate

        actor = self.require_actor("activating a template")
        problems = [p for p in self.check_staged(name) if not p.note]
        if problems:
            raise InputError([Problem(name, None, "template", f"not activated: {p}")
                              for p in problems])
        self.sync_templates()  # this checkout first catches up with activations made elsewhere
        done = activate(self.workspace, self.store, name, actor=actor.email)
        self.sync_templates()  # ... and remembers it has seen its own
        self._renderer = None  # the next render reads the new template
        return done.templates_version

    def discard_template(self, name: str) -> None:
        """Drop the staged version of `name`, as the actor."""
        from docgen.template_versions import discard

        actor = self.require_actor("discarding a staged template")
        discard(self.store, name, actor=actor.email)

    def template_activations(self) -> list[TemplateActivation]:
        """Every activation of a template, oldest first (who, when, what)."""
        store = self._existing_store()
        return store.template_activations() if store is not None else []

    def drifted_templates(self) -> dict[str, TemplateActivation]:
        """Templates whose file in this workspace is not the version last activated."""
        from docgen.template_versions import drifted

        return drifted(self.workspace, self._existing_store())

    def latest_template_activation(self) -> int:
        """The id of the newest template activation in the database (0: none, or no database)."""
        store = self._existing_store()
        return store.latest_activation_id() if store is not None else 0

    def sync_templates(self) -> SyncResult | None:
        """Bring this workspace's templates up to the activations recorded in the database by
        other servers (see :func:`docgen.template_versions.sync`); None without a database."""
        from docgen.template_versions import sync

        store = self._existing_store()
        if store is None:
            return None
        done = sync(self.workspace, store)
        if done.applied:
            self._renderer = None  # a warm renderer may hold the replaced files
        return done

    def templates_version(self) -> str:
        """SHA-256 over the live templates (what an issued document records)."""
        from docgen.template_versions import templates_version

        return templates_version(self.workspace.templates_dir)

    # -- message catalogs (docgen i18n) --------------------------------------------------

    def i18n_extract(self) -> Path:
        """Write the workspace's ``templates/locale/messages.pot`` (labels and plan tasks)."""
        from docgen.render.catalogs import extract

        ws = self.workspace
        ws.require_writable("a message catalog template")
        return extract(ws.templates_dir, ws.policy_path)

    def i18n_update(self) -> list[CatalogStats]:
        """Extract, then merge into every language's catalog of the workspace."""
        from docgen.render.catalogs import update

        ws = self.workspace
        ws.require_writable("message catalogs")
        return update(ws.templates_dir, ws.policy_path)

    def i18n_init(self, lang: str) -> Path:
        """Start the catalog of a new language in the workspace."""
        from docgen.render.catalogs import init

        ws = self.workspace
        ws.require_writable("a message catalog")
        return init(ws.templates_dir, ws.policy_path, lang)

    def i18n_compile(self) -> tuple[list[CatalogStats], list[TemplateProblem]]:
        """Compile every catalog (syntax), then check catalogs and label overrides."""
        from docgen.render.catalogs import catalog_paths, compile_catalogs
        from docgen.templates_check import check_templates

        ws = self.workspace
        stats = compile_catalogs(ws.templates_dir)
        files = [p for _, p in catalog_paths(ws.templates_dir)]
        files += sorted((ws.templates_dir / "labels").glob("*.yaml"))
        found = check_templates(ws.templates_dir, files, root=ws.root) if files else []
        return stats, found

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

    def lock_catalogue(self, *, effective: date | None = None) -> LockResult:
        """Re-lock the catalogue: record its version in the database, write
        ``skus/catalogue.lock``. Changed content under the locked version label is refused.

        `effective` is the version's effective_from (default today); who locked it is the
        authenticated person.
        """
        return self.versions.lock_catalogue(effective=effective)

    def verify_catalogue(self) -> Catalogue:
        """The catalogue, refused (LockMismatchError) when it differs from its lock."""
        return self.workspace.locked_catalogue()

    def catalogue_diff(self, before: str | None = None, after: str | None = None,
                       deals: Sequence[PathLike] = ()) -> VersionDiff:
        """What changed between two catalogue versions (default: the one before the file, and
        the file) and how much each deal file would re-price."""
        return self.versions.catalogue_diff(before, after, self.load(deals) if deals else ())

    def lock_policy(self, *, effective: date | None = None) -> LockResult:
        """Re-lock the policy: record its version, write ``skus/policy.lock`` (SPEC §2.3), as
        the authenticated person."""
        return self.versions.lock_policy(effective=effective)

    def verify_policy(self) -> Policy:
        """The policy, refused (LockMismatchError) naming each key that differs from its lock."""
        return self.workspace.locked_policy()

    def policy_diff(self, before: str | None = None, after: str | None = None) -> VersionDiff:
        """What changed between two policy versions (default: the previous one and the file)."""
        return self.versions.policy_diff(before, after)

    def export_schemas(self, target: Path | None = None) -> list[Path]:
        """Write JSON Schemas of the input formats (default: the workspace's ``schemas/``)."""
        from docgen.schemas import export_schemas

        target = Path(target) if target is not None else self.workspace.root / "schemas"
        self._writable(target, "schemas")
        return export_schemas(target)


def pack(pdfs: Sequence[PathLike], out: Path, workspace: PathLike | None = None) -> PackResult:
    """One PDF of a PO and its SOW, signed and recorded in the workspace (see Session.pack)."""
    with Session(workspace) as s:
        return s.pack(pdfs, Path(out))


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


def _plain_text(text: str | None, option: str) -> str:
    """`text` trimmed; InputError when empty, too long or holding control characters."""
    value = (text or "").strip()
    if not value or len(value) > 200 or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise InputError([Problem(option, None, "", (
            "give 1-200 characters without control characters"))])
    return value


def _is_deal_id(text: str) -> bool:
    import re

    return re.fullmatch(r"[A-Z0-9][A-Z0-9_-]{0,63}", text) is not None

