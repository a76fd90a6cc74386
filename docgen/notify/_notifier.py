"""The notifier: which events tell whom, recording each once, and sending what is recorded.

Events (SPEC §11) and who hears of them:

======================  ==========================================================================
approval_requested      everyone the policy's ``approvers`` names for the roles the finding needs
reminder                at ``warn_hours`` (service hours of the SLA clock, from when the finding
                        first appeared on a recorded revision, or its request): the people of the
                        roles that have not decided yet
escalation              at ``sla_hours``: those people, the submitter, and ``notify.on_sla_breached``
decision                the submitter (``requested_by`` of the request; else the deal's sales rep)
po_issued               ``notify.on_po_issued``
go_live_set             ``notify.on_go_live_set``, once per go-live date, when the deal has one and
                        a final PO is issued or it is at ``onboarding_from`` or later (a changed
                        date is told again)
======================  ==========================================================================

Each (event, recipient) is one row of the outbox under a unique idempotency key, so it is
recorded and sent once, whichever command or process gets there first. A command that causes an
event records and sends it at once (on PostgreSQL, while a ``docgen worker`` runs, a job sends
it: see :mod:`docgen.worker`); sending failures are recorded on the row and retried by the
next ``docgen notify`` run (or the next event). Nothing here ever fails the command that caused
the event: hooks log a warning instead (see :meth:`Notifier.hook`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from docgen.approvals import sla_deadline
from docgen.errors import InputError
from docgen.models.policy import SALES_REP
from docgen.notify._compose import Composer
from docgen.notify._smtp import SmtpTarget, build_message, smtp_target
from docgen.sightings import Sightings
from docgen.sla import SlaClock

if TYPE_CHECKING:
    from docgen.api._results import BatchResult, SubmitResult
    from docgen.models.deal import Deal
    from docgen.models.policy import Policy
    from docgen.store import ApprovalRequest, Decision, DecisionOutcome, Store
    from docgen.store._notify import NewNotification, Notification, Outbox
    from docgen.validate import DealResult
    from docgen.workspace import Workspace

__all__ = ["Notifier", "NotifyRun", "idempotency_key"]

log = logging.getLogger("docgen.notify")


def idempotency_key(kind: str, deal_id: str, about: str, fingerprint: str | None, extra: str,
                    recipient: str) -> str:
    """SHA-256 of what makes a notification the same one: kind, deal, what it is about (finding
    code and location, PO number, go-live date), the line fingerprint, the deciding role and the
    recipient (compared case-blind)."""
    text = "\x1f".join((kind, deal_id, about, fingerprint or "", extra, recipient.casefold()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _address(who: str | None) -> str | None:
    """`who` when it is an e-mail address (a submitter may have typed a name)."""
    if who and "@" in who and " " not in who.strip():
        return who.strip()
    return None


@dataclass
class NotifyRun:
    """What one notifier call did: notifications recorded now, sent, failed (with why)."""

    recorded: list[Notification] = field(default_factory=list)
    sent: list[Notification] = field(default_factory=list)
    failed: list[tuple[Notification, str]] = field(default_factory=list)
    #: True when no mail server is configured: notifications are recorded only
    record_only: bool = False

    def merge(self, other: NotifyRun) -> NotifyRun:
        """This run and `other` together."""
        self.recorded += other.recorded
        self.sent += other.sent
        self.failed += other.failed
        self.record_only = self.record_only or other.record_only
        return self


@dataclass(frozen=True)
class _Event:
    kind: str
    deal_id: str
    about: str
    fingerprint: str | None
    extra: str
    recipients: tuple[str, ...]
    context: dict[str, Any]


class Notifier:
    """Records and sends the notifications of one workspace's store (see the module docs)."""

    def __init__(self, store: Callable[[], Store], workspace: Workspace, *,
                 smtp_url: str | None = None,
                 defer: Callable[[Sequence[int]], bool] | None = None) -> None:
        self._store_factory = store
        #: hands the sending of recorded notifications to a background job (True) or declines
        #: (False: they are sent here); None: always sent here
        self._defer = defer
        self.workspace = workspace
        self._smtp_url = smtp_url
        self._outbox: Outbox | None = None
        self._composer: Composer | None = None

    # -- set-up ---------------------------------------------------------------------------

    @property
    def policy(self) -> Policy:
        """The workspace's policy."""
        return self.workspace.policy

    @property
    def outbox(self) -> Outbox:
        """The store's outbox (the store is opened on first use)."""
        if self._outbox is None:
            from docgen.store._notify import Outbox

            self._outbox = Outbox(self._store_factory())
        return self._outbox

    @property
    def composer(self) -> Composer:
        """Renders the messages in the policy's notify locale."""
        if self._composer is None:
            self._composer = Composer(self.workspace.templates_dir, self.policy.notify.locale)
        return self._composer

    def target(self) -> SmtpTarget | None:
        """The mail server, None when none is set (InputError for an unusable URL)."""
        return smtp_target(self._smtp_url)

    @property
    def clock(self) -> SlaClock:
        """The SLA clock of the policy (business hours when it sets them)."""
        return SlaClock(self.policy.business_hours, source=str(self.workspace.policy_path))

    def hook(self, what: str, call: Callable[[], NotifyRun]) -> NotifyRun:
        """Run an event hook; any failure is logged, never raised (the command goes on)."""
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - a notification never fails the command
            log.warning("warning: notifications (%s) not recorded or sent: %s", what, exc)
            return NotifyRun()

    # -- who ----------------------------------------------------------------------------------

    def people(self, roles: Iterable[str]) -> list[str]:
        """Everyone the policy's approvers name for `roles`, once each, in order."""
        out: dict[str, str] = {}
        for role in roles:
            for who in self.policy.approvers.get(role, []):
                out.setdefault(who.casefold(), who)
        return list(out.values())

    def resolve(self, names: Iterable[str], deal: Deal | None) -> list[str]:
        """Addresses of a notify list: teams, then approver roles, sales_rep, addresses."""
        teams = self.policy.notify.teams
        out: dict[str, str] = {}
        for name in names:
            if name in teams:
                found = list(teams[name])
            elif name in self.policy.approvers:
                found = self.people([name])
            elif name == SALES_REP:
                rep = deal.sales_rep if deal is not None else None
                found = [rep.email] if rep is not None and rep.email else []
            else:
                found = [name]
            for who in found:
                if _address(who):
                    out.setdefault(who.casefold(), who)
        return list(out.values())

    # -- events -------------------------------------------------------------------------------

    def requested(self, result: DealResult,
                  requests: Sequence[tuple[ApprovalRequest, bool]]) -> NotifyRun:
        """Approval requested: each submitted finding, to the people of the roles it needs."""
        events = [self._request_event("approval_requested", result.deal, req,
                                      self.people(req.approvers), missing=req.approvers)
                  for req, _created in requests]
        return self._emit(events)

    def submitted(self, results: Sequence[DealResult], submits: Sequence[SubmitResult]
                  ) -> NotifyRun:
        """``docgen submit``: approval requested, for each deal's requests."""
        run = NotifyRun()
        for result, sub in zip(results, submits, strict=True):
            run.merge(self.requested(result, sub.requests))
        return run

    def rendered(self, kind: str, results: Sequence[DealResult], batch: BatchResult,
                 draft: bool) -> NotifyRun:
        """A render batch: each final PO it issued (a re-issue is told once only)."""
        run = NotifyRun()
        if str(kind) != "po" or draft:
            return run
        by_id = {r.deal.deal: r for r in results}
        store = self._store_factory()
        for doc in batch.rendered:
            if doc.number is not None and doc.deal_id in by_id:
                entry = store.issued(doc.number)
                run.merge(self.issued(by_id[doc.deal_id], doc.number,
                                      entry.issued_on if entry else None))
        return run

    def decided(self, result: DealResult, outcome: DecisionOutcome) -> NotifyRun:
        """A decision was recorded: tell the submitter (else the deal's sales rep)."""
        if outcome.status != "recorded":
            return NotifyRun()
        d = outcome.decision
        store = self._store_factory()
        req = next((r for r in store.requests([d.deal_id]) if r.key == d.key), None)
        submitter = _address(req.requested_by if req else None)
        rep = result.deal.sales_rep
        to = submitter or (rep.email if rep and _address(rep.email) else None)
        if to is None:
            return NotifyRun()
        decisions = [x for x in store.decisions([d.deal_id]) if x.key == d.key]
        needs = req.approvers if req else (d.role,)
        approved = {x.role for x in decisions if x.decision == "approve"}
        remaining = [r for r in needs if r not in approved] if d.decision == "approve" else []
        ctx = self._base(result.deal)
        ctx["finding"] = self._finding_ctx(req, d.code, d.where, missing=remaining)
        ctx["decision"] = {"verdict": "approved" if d.decision == "approve" else "rejected",
                           "approved": d.decision == "approve", "role": d.role, "by": d.by,
                           "note": d.note or "", "at": self._when(d.decided_at),
                           "remaining": remaining, "cleared": d.decision == "approve"
                           and not remaining}
        return self._emit([_Event("decision", d.deal_id, f"{d.code} {d.where}", d.fingerprint,
                                  f"{d.role}:{d.decision}", (to,), ctx)])

    def issued(self, result: DealResult, number: str, issued_on: date | None) -> NotifyRun:
        """A final PO was issued: tell ``notify.on_po_issued``."""
        deal = result.deal
        to = self.resolve(self.policy.notify.on_po_issued, deal)
        ctx = self._base(deal)
        totals = result.priced.totals
        ctx["po"] = {"number": number, "issued_on": self._day(issued_on),
                     "total": self._money(totals.total_due.amount, totals.currency),
                     "sold": self._money(totals.sold_subtotal.amount, totals.currency)}
        run = self._emit([_Event("po_issued", deal.deal, number, None, "", tuple(to), ctx)])
        return run.merge(self.go_live(result, committed=True))

    def go_live(self, result: DealResult, *, committed: bool = False) -> NotifyRun:
        """The deal has a go-live date and is committed (a final PO was issued, or it is at
        ``onboarding_from`` or later): tell ``notify.on_go_live_set``, once per date."""
        deal, pol = result.deal, self.policy
        if deal.go_live is None or deal.stage == pol.lost_stage or (
                not committed and pol.is_before(deal.stage, pol.onboarding_from)):
            return NotifyRun()
        to = self.resolve(pol.notify.on_go_live_set, deal)
        ctx = self._base(deal)
        ctx["go_live"] = {"date": self._day(deal.go_live),
                          "contract_start": self._day(deal.contract.start)}
        return self._emit([_Event("go_live_set", deal.deal, deal.go_live.isoformat(), None, "",
                                  tuple(to), ctx)])

    def due(self, now: datetime, results: Sequence[DealResult] = ()) -> NotifyRun:
        """Reminders and escalations due by `now` for every open request of the store, and the
        go-live notifications of `results`; then (re)send everything unsent."""
        store = self._store_factory()
        self.target()  # an unusable URL is an input error of this command: say so first
        by_deal = {r.deal.deal: r.deal for r in results}
        reqs = [r for r in store.requests(_all_deals(store)) if r.requested_at <= now]
        decisions = store.decisions({r.deal_id for r in reqs})
        seen = Sightings(store.revision_findings({r.deal_id for r in reqs}), until=now)
        events: list[_Event] = []
        pol, clock = self.policy, self.clock
        for req in _current(reqs):
            # the clock started when the finding first appeared on a recorded revision, or at
            # the request if that came first
            start = seen.clock_start(req.key, req.requested_at) or req.requested_at
            ds = [d for d in decisions if d.key == req.key]
            if any(d.decision == "reject" for d in ds):
                continue
            approved = {d.role for d in ds if d.decision == "approve"}
            missing = tuple(r for r in req.approvers if r not in approved)
            if not missing:
                continue
            deal = by_deal.get(req.deal_id)
            if sla_deadline(start, pol.exceptions, clock) <= now:
                to = self.people(missing) + [a for a in (_address(req.requested_by),) if a]
                to += self.resolve(pol.notify.on_sla_breached, deal)
                events.append(self._request_event("escalation", deal, req, to, missing=missing,
                                                  deal_id=req.deal_id, start=start))
            elif clock.add(start, pol.exceptions.warn_hours) <= now:
                events.append(self._request_event("reminder", deal, req, self.people(missing),
                                                  missing=missing, deal_id=req.deal_id,
                                                  start=start))
        run = self._emit(events, flush=False)
        for r in results:
            run.merge(self.go_live(r))
        return run.merge(self.flush())

    # -- recording and sending ----------------------------------------------------------------

    def _emit(self, events: Sequence[_Event], *, flush: bool = True) -> NotifyRun:
        """Record each (event, recipient) not recorded yet, then send them (when `flush`)."""
        from docgen.store._notify import NewNotification

        try:
            target = self.target()
            send = target is not None
        except InputError:
            send = True  # configured but unusable: recorded to send, and the send fails
        wanted: list[tuple[str, _Event, str]] = []
        for ev in events:
            for to in dict.fromkeys(ev.recipients):
                key = idempotency_key(ev.kind, ev.deal_id, ev.about, ev.fingerprint, ev.extra, to)
                wanted.append((key, ev, to))
        if not wanted:
            return NotifyRun(record_only=not send)
        known = self.outbox.recorded(k for k, _, _ in wanted)
        items: list[NewNotification] = []
        for key, ev, to in wanted:
            if key in known:
                continue
            subject, text, html = self.composer.compose(ev.kind, {**ev.context, "recipient": to})
            items.append(NewNotification(key=key, kind=ev.kind, deal_id=ev.deal_id,
                                         about=ev.about, fingerprint=ev.fingerprint,
                                         recipient=to, locale=self.composer.locale,
                                         subject=subject, body_text=text, body_html=html))
        recorded = self.outbox.record(items, send=send)
        run = NotifyRun(recorded=recorded, record_only=not send)
        if flush and send and recorded:
            ids = [n.id for n in recorded]
            if self._defer is None or not self._defer(ids):
                run.merge(self.flush(ids))
        return run

    def flush(self, ids: Sequence[int] | None = None) -> NotifyRun:
        """Send what is to send (of `ids`, else everything unsent or failed), each once."""
        try:
            target = self.target()
        except InputError as exc:
            target, problem = None, "; ".join(p.message for p in exc.problems)
        else:
            problem = None
            if target is None:
                return NotifyRun(record_only=True)
        claimed = self.outbox.claim(ids)
        run = NotifyRun()
        if not claimed:
            return run
        if target is None:
            for n in claimed:
                self._failed(run, n, problem or "no mail server")
            return run
        try:
            with target.connect() as conn:
                for i, n in enumerate(claimed):
                    try:
                        msg = build_message(sender=target.sender, recipient=n.recipient,
                                            subject=n.subject, text=n.body_text,
                                            html=n.body_html, key=n.key, language=n.locale)
                        conn.send_message(msg)
                    except Exception as exc:  # noqa: BLE001 - recorded, retried next run
                        self._failed(run, n, _why(exc))
                        if _connection_gone(exc):  # the rest cannot go either: retried later
                            for rest in claimed[i + 1:]:
                                self._failed(run, rest, _why(exc))
                            break
                    else:
                        self.outbox.mark_sent(n.id)
                        run.sent.append(n)
        except Exception as exc:  # noqa: BLE001 - cannot connect or log in: all retried later
            done = {n.id for n in run.sent} | {n.id for n, _ in run.failed}
            for n in claimed:
                if n.id not in done:
                    self._failed(run, n, f"{target.shown()}: {_why(exc)}")
        return run

    def _failed(self, run: NotifyRun, n: Notification, why: str) -> None:
        self.outbox.mark_failed(n.id, why)
        run.failed.append((n, why))

    # -- message contexts ---------------------------------------------------------------------

    def _request_event(self, kind: str, deal: Deal | None, req: ApprovalRequest,
                       to: Sequence[str], *, missing: Sequence[str],
                       deal_id: str | None = None, start: datetime | None = None) -> _Event:
        ctx = self._base(deal, deal_id or req.deal_id)
        ctx["finding"] = self._finding_ctx(req, req.code, req.where, missing=missing,
                                           start=start)
        return _Event(kind, req.deal_id, f"{req.code} {req.where}", req.fingerprint, "",
                      tuple(to), ctx)

    def _clock_start(self, req: ApprovalRequest) -> datetime:
        """When the request's SLA clock started (see :mod:`docgen.sightings`)."""
        store = self._store_factory()
        seen = Sightings(store.revision_findings([req.deal_id]))
        return seen.clock_start(req.key, req.requested_at) or req.requested_at

    def _finding_ctx(self, req: ApprovalRequest | None, code: str, where: str, *,
                     missing: Sequence[str], start: datetime | None = None) -> dict[str, Any]:
        pol, clock = self.policy, self.clock
        out: dict[str, Any] = {"code": code, "where": where, "missing": list(missing),
                               "needs": list(req.approvers) if req else list(missing),
                               "message": req.message if req else "", "amount": "",
                               "requested_by": (req.requested_by or "") if req else "",
                               "requested_at": "", "warn_at": "", "due_at": "",
                               "warn_hours": pol.exceptions.warn_hours,
                               "sla_hours": pol.exceptions.sla_hours}
        if req is not None:
            if req.amount is not None and req.currency:
                out["amount"] = self._money(req.amount, req.currency)
            start = start or self._clock_start(req)
            out["requested_at"] = self._when(req.requested_at)
            out["warn_at"] = self._when(clock.add(start, pol.exceptions.warn_hours))
            out["due_at"] = self._when(sla_deadline(start, pol.exceptions, clock))
        return out

    def _base(self, deal: Deal | None, deal_id: str | None = None) -> dict[str, Any]:
        vendor = self.workspace.catalogue.catalogue.vendor
        return {"deal": deal.deal if deal else deal_id, "customer": deal.customer.name
                if deal else "", "vendor": vendor.name, "clock": self.clock.describe(),
                "sales_rep": (deal.sales_rep.name if deal and deal.sales_rep else "")}

    def _when(self, at: datetime) -> str:
        from zoneinfo import ZoneInfo

        from babel.dates import format_datetime

        bh = self.policy.business_hours
        tz = ZoneInfo(bh.timezone) if bh else UTC
        shown = format_datetime(at, "medium", tzinfo=tz, locale=self.composer.locale)
        return f"{shown} ({bh.timezone if bh else 'UTC'})"

    def _day(self, day: date | None) -> str:
        from babel.dates import format_date

        return format_date(day, "long", locale=self.composer.locale) if day else ""

    def _money(self, amount: Any, currency: str) -> str:
        from babel.numbers import format_currency

        return format_currency(amount, currency, locale=self.composer.locale)


def _connection_gone(exc: BaseException) -> bool:
    """True for a lost connection (a refused message or recipient leaves it usable)."""
    import smtplib

    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _all_deals(store: Store) -> list[str]:
    """Every deal that has approval requests."""
    from sqlalchemy import select

    from docgen.store._tables import approval_requests

    with store._read() as conn:  # noqa: SLF001 - the store's own tables
        return list(conn.execute(select(approval_requests.c.deal_id).distinct()).scalars())


def _current(reqs: Sequence[ApprovalRequest]) -> list[ApprovalRequest]:
    """Requests not superseded: a later request for the same finding (deal, code, where) with
    another fingerprint means the line changed, and the earlier one is no longer asked."""
    latest: dict[tuple[str, str, str], ApprovalRequest] = {}
    for r in reqs:  # oldest first
        latest[(r.deal_id, r.code, r.where)] = r
    return [r for r in reqs if latest[(r.deal_id, r.code, r.where)] is r]
