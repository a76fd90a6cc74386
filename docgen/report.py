"""The CS exception report: everything that stands between the given deals and their POs.

One row per exception: every approval finding of a deal as it is now, every error that blocks
its PO (paperwork too: a missing MNDA or credit application is fixed by the seller, not
approved), and every earlier request whose line has changed since (its history — breached,
answered late — survives the edit). A row gives deal, customer, sales rep, code, what it is
about, the amount at stake (the discount conceded for a discount approval, the line's sold
amount for a service exception, the deal's total for a blocker of the whole PO), when it was
requested, its age and SLA state in service hours (:mod:`docgen.sla`: business hours when the
policy sets ``business_hours``), counted from when the finding first appeared on a recorded
revision of the deal, or from its request if that came first (:mod:`docgen.sightings`: a
finding nobody submitted is on the clock too), the roles it needs, **the people who can act**
(the approvers the policy names for the roles still awaited, or the sales rep for an error) and
the decisions so far. The summary totals what is at stake per currency, each deal counted once.
Rows come most urgent first:

1. open requests, breached before due soon before on time, the earliest deadline first;
2. exceptions never submitted (no SLA clock yet), the largest amount first;
3. errors to fix, the largest amount first;
4. rejected, then approved ones, the latest decision first;
5. requests whose line changed since, the latest first.

Written as one self-contained HTML file (CSS inlined), a PDF (WeasyPrint, through
:mod:`docgen.render.pdf`), a CSV a spreadsheet opens (UTF-8 with BOM, header row) or JSON.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.approvals import (SlaState, amount_at_stake, approval_findings, sla_deadline,
                              sla_state)
from docgen.errors import InputError, Problem, RenderError
from docgen.findings import Severity
from docgen.io import write_atomic
from docgen.money import Money
from docgen.sightings import Sightings
from docgen.sla import SlaClock

if TYPE_CHECKING:
    from docgen.models.policy import Policy
    from docgen.store import ApprovalRequest, Decision, Store
    from docgen.validate import DealResult

__all__ = ["CSV_COLUMNS", "FORMATS", "STATUSES", "ExceptionRow", "Report", "build_report",
           "render_report", "report_csv", "report_html", "report_json", "report_pdf",
           "write_report"]

FORMATS = ("html", "pdf", "csv", "json")
#: Exception statuses, in the order the summary lists them.
STATUSES = ("pending", "not submitted", "to fix", "rejected", "approved", "line changed")
_GROUP = {s: i for i, s in enumerate(STATUSES)}
_LOCALE = "en_US"  # the report is an internal CS document: one locale for every deal


@dataclass(frozen=True)
class ExceptionRow:
    """One exception of the report."""

    deal_id: str
    customer: str
    sales_rep: str
    code: str
    where: str
    about: str
    amount: Money | None
    status: str
    sla: SlaState
    approvers: tuple[str, ...]
    waiting_for: tuple[str, ...]
    requested_at: datetime | None
    requested_by: str | None
    due_at: datetime | None
    age: timedelta | None
    closed_at: datetime | None
    decisions: tuple[Decision, ...] = ()
    can_act: tuple[str, ...] = ()
    #: when the SLA clock started: the finding's first recorded revision, or its request
    clock_from: datetime | None = None

    @property
    def decision_text(self) -> str:
        """The decisions so far, or what is still awaited, in one line."""
        parts = [f"{'approved' if d.decision == 'approve' else 'rejected'} by {d.by} "
                 f"({d.role}) {_when(d.decided_at)}" + (f": {d.note}" if d.note else "")
                 for d in self.decisions]
        if self.status == "to fix":
            parts.append("to be fixed in the deal" + (f" by {self.sales_rep}"
                                                        if self.sales_rep else ""))
        elif self.waiting_for and self.status not in ("rejected", "line changed"):
            parts.append(f"waiting for {', '.join(self.waiting_for)}")
        return "; ".join(parts)

    def sort_key(self) -> tuple[Any, ...]:
        """Most urgent first (see the module docstring)."""
        group = _GROUP[self.status]
        due = self.due_at.timestamp() if self.due_at else 0.0
        closed = -self.closed_at.timestamp() if self.closed_at else 0.0
        amount = -self.amount.amount if self.amount else Decimal(0)
        return (group, self.sla.rank, due if group == 0 else closed, amount, self.deal_id,
                _where_key(self.where), self.code)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (amounts as decimal text, times as ISO 8601 UTC)."""
        return {
            "deal": self.deal_id, "customer": self.customer, "sales_rep": self.sales_rep,
            "code": self.code, "where": self.where, "about": self.about,
            "amount_at_stake": _money_text(self.amount),
            "amount": str(self.amount.amount) if self.amount else None,
            "currency": self.amount.currency if self.amount else None,
            "status": self.status, "sla_state": self.sla.value,
            "requested_at": _iso(self.requested_at), "requested_by": self.requested_by,
            "clock_from": _iso(self.clock_from), "due_at": _iso(self.due_at),
            "closed_at": _iso(self.closed_at),
            "age_hours": _hours(self.age), "approvers": list(self.approvers),
            "waiting_for": list(self.waiting_for), "can_act": list(self.can_act),
            "decisions": [{"role": d.role, "by": d.by, "decision": d.decision, "note": d.note,
                           "at": _iso(d.decided_at)} for d in self.decisions],
            "decision": self.decision_text,
        }


@dataclass(frozen=True)
class Report:
    """The rows and the summary counts."""

    now: datetime
    warn_hours: int
    sla_hours: int
    deals: tuple[str, ...]
    rows: tuple[ExceptionRow, ...]
    by_status: dict[str, int] = field(default_factory=dict)
    by_sla: dict[str, int] = field(default_factory=dict)
    at_stake: dict[str, Money] = field(default_factory=dict)
    clock: str = "calendar hours"

    @property
    def at_stake_text(self) -> str:
        """What is at stake, per currency, as one line ("nothing" when nothing is open)."""
        return ", ".join(_money_text(m) for m in self.at_stake.values()) or "nothing"

    @property
    def open_rows(self) -> tuple[ExceptionRow, ...]:
        """Rows that still stand between a deal and its PO."""
        return tuple(r for r in self.rows if r.status in _OPEN)

    def to_json(self) -> dict[str, Any]:
        """The JSON form of the whole report."""
        return {"format": "docgen.exception-report/2", "now": _iso(self.now),
                "policy": {"warn_hours": self.warn_hours, "sla_hours": self.sla_hours,
                           "hours": self.clock},
                "deals": list(self.deals),
                "summary": {"total": len(self.rows), "open": len(self.open_rows),
                            "by_status": self.by_status, "by_sla_state": self.by_sla,
                            "at_stake": {c: str(m.amount) for c, m in self.at_stake.items()}},
                "exceptions": [r.to_json() for r in self.rows]}


def _where_key(where: str) -> tuple[Any, ...]:
    # "lines[10]" after "lines[9]"
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", where))


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat(timespec="seconds") if at else None


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _hours(age: timedelta | None) -> str | None:
    if age is None:
        return None
    return str((Decimal(age.total_seconds()) / 3600).quantize(Decimal("0.1")))


def _age_text(age: timedelta | None) -> str:
    if age is None:
        return ""
    minutes = int(age.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins:02d} min"


def _money_text(amount: Money | None) -> str:
    if amount is None:
        return ""
    from docgen.render.i18n import Formatter

    return Formatter(locale=_LOCALE, currency=amount.currency).money(amount)


# -- building ------------------------------------------------------------------------------------

_OPEN = frozenset({"pending", "not submitted", "to fix"})
_Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class _Ctx:
    policy: Policy
    clock: SlaClock
    now: datetime
    seen: Sightings

    def people(self, roles: Sequence[str]) -> tuple[str, ...]:
        """The people the policy names for `roles`, each once, in role order."""
        out = dict.fromkeys(e for r in roles for e in self.policy.approvers.get(r, ()))
        return tuple(out)


def _row(ctx: _Ctx, result: DealResult, f: Any, req: ApprovalRequest | None,
         ds: list[Decision], *, changed_at: datetime | None = None) -> ExceptionRow:
    """The row of one approval finding (or, with `changed_at`, of a request whose line has
    changed since: the change at `changed_at`, when known, closed its clock). The clock starts
    when the finding first appeared on a recorded revision, or at its request if earlier."""
    deal = result.deal
    line = next((ln for ln in result.priced.lines if ln.where == f.where), None)
    reject = next((d for d in ds if d.decision == "reject"), None)
    approved = {d.role: d for d in ds if d.decision == "approve" and d.role in f.approvers}
    waiting = tuple(r for r in f.approvers if r not in approved)
    closed_at: datetime | None = None
    if reject is not None:
        status, closed_at, waiting = "rejected", reject.decided_at, ()
    elif not waiting:
        status, closed_at = "approved", max(d.decided_at for d in approved.values())
    elif req is not None or ds:
        status = "pending"
    else:
        status = "not submitted"
    if changed_at is not None or (req is not None and f.fingerprint != req.fingerprint):
        status, closed_at = "line changed", closed_at or changed_at
        line = None  # the amount at stake was the line's as it was
    requested_at = req.requested_at if req else (min(d.decided_at for d in ds) if ds else None)
    started = ctx.seen.clock_start((deal.deal, f.code, f.where, f.fingerprint or ""),
                                   requested_at)
    age = None
    if started is not None:
        age = ctx.clock.elapsed(started, closed_at or ctx.now)
    pol = ctx.policy.exceptions
    return ExceptionRow(
        deal_id=deal.deal, customer=deal.customer.name,
        sales_rep=deal.sales_rep.name if deal.sales_rep else "",
        code=f.code, where=f.where, about=f.message,
        amount=amount_at_stake(f.code, line), status=status,
        sla=sla_state(started, ctx.now, pol, closed_at=closed_at, clock=ctx.clock),
        approvers=f.approvers, waiting_for=waiting, requested_at=requested_at,
        requested_by=req.requested_by if req else None,
        due_at=sla_deadline(started, pol, ctx.clock) if started else None, age=age,
        closed_at=closed_at, decisions=tuple(ds),
        can_act=ctx.people(waiting) if status in _OPEN else (), clock_from=started)


def _error_row(result: DealResult, f: Any) -> ExceptionRow:
    """An error that blocks the PO: nobody approves it; the seller fixes the deal."""
    deal = result.deal
    line = next((ln for ln in result.priced.lines if ln.where == f.where), None)
    rep = deal.sales_rep
    return ExceptionRow(
        deal_id=deal.deal, customer=deal.customer.name, sales_rep=rep.name if rep else "",
        code=f.code, where=f.where, about=f.message,
        amount=line.sold_amount if line is not None else result.priced.totals.total_due,
        status="to fix", sla=SlaState.NOT_STARTED, approvers=(), waiting_for=(),
        requested_at=None, requested_by=None, due_at=None, age=None, closed_at=None,
        can_act=(rep.email,) if rep and rep.email else ())


def _stale(ctx: _Ctx, result: DealResult, req: ApprovalRequest, ds: list[Decision],
           later: list[datetime]) -> ExceptionRow:
    """The row of a request made for a line that has changed since: its clock stopped when
    the line changed — the first revision recorded after the request without its finding, or
    the changed line's request if that came first — so its history (met, missed) stays what it
    was however long ago the change was."""
    from docgen.findings import Finding, Gate, Severity

    f = Finding(code=req.code, severity=Severity.APPROVAL, gate=Gate.PO, where=req.where,
                message=f"{req.message} (the line has changed since)",
                approvers=tuple(req.approvers), fingerprint=req.fingerprint)
    after = [t for t in later if t > req.requested_at]
    gone = ctx.seen.gone_after(req.key, req.requested_at)
    if gone is not None:
        after.append(gone)
    row = _row(ctx, result, f, req, ds, changed_at=min(after) if after else ctx.now)
    amount = (Money(req.amount, req.currency) if req.amount is not None and req.currency
              else None)
    return replace(row, amount=amount)


def _at_stake(rows: Sequence[ExceptionRow], results: Sequence[DealResult]) -> dict[str, Money]:
    """Per currency, what waits on the open rows, each deal once: its whole total when its PO
    is blocked by an error, else the sum of its open exceptions' amounts."""
    totals: dict[str, Money] = {}
    by_deal = {r.deal.deal: r for r in results}
    for deal_id in dict.fromkeys(r.deal_id for r in rows):
        mine = [r for r in rows if r.deal_id == deal_id and r.status in _OPEN]
        if not mine:
            continue
        if any(r.status == "to fix" for r in mine):
            amount = by_deal[deal_id].priced.totals.total_due
        else:
            amounts = [r.amount for r in mine if r.amount is not None]
            if not amounts:
                continue
            amount = sum(amounts[1:], amounts[0])
        cur = amount.currency
        totals[cur] = totals[cur] + amount if cur in totals else amount
    return dict(sorted(totals.items()))


def build_report(results: Sequence[DealResult], store: Store | None, policy: Policy,
                 now: datetime, *, source: str = "skus/policy.yaml",
                 counted: Callable[[DealResult], Sequence[Decision]] | None = None) -> Report:
    """The report of `results` (validated *without* the resolver) as of `now`.

    Requests and decisions recorded after `now` are left out, so that a report for a past
    moment shows the state at that moment. `counted` gives a deal's decisions that count
    (:func:`docgen.approvals.counted`); without it, every recorded decision does.
    """
    if now.tzinfo is None:
        msg = "the report's clock must be timezone-aware"
        raise ValueError(msg)
    ids = [r.deal.deal for r in results]
    seen = Sightings(store.revision_findings(ids) if store else [], until=now)
    ctx = _Ctx(policy, SlaClock(policy.business_hours, source=source), now, seen)
    # the report is "as of now": what happened after it has not happened yet
    reqs = {r.key: r for r in (store.requests(ids) if store else []) if r.requested_at <= now}
    decs: dict[_Key, list[Decision]] = {}
    recorded = ([d for r in results for d in counted(r)] if counted is not None
                else store.decisions(ids) if store else [])
    for d in recorded:
        if d.decided_at <= now:
            decs.setdefault(d.key, []).append(d)
    rows = []
    for result in results:
        deal_id = result.deal.deal
        current: set[_Key] = set()
        for f in approval_findings(result.findings):
            key = (deal_id, f.code, f.where, f.fingerprint or "")
            current.add(key)
            rows.append(_row(ctx, result, f, reqs.get(key), decs.get(key, [])))
        rows += [_error_row(result, f) for f in result.blockers("po")
                 if f.severity is not Severity.APPROVAL]
        stale = [k for k in reqs if k[0] == deal_id and k not in current]
        for key in stale:
            later = [r.requested_at for k, r in reqs.items()
                     if k[:3] == key[:3] and k != key]
            rows.append(_stale(ctx, result, reqs[key], decs.get(key, []), later))
    rows.sort(key=ExceptionRow.sort_key)
    by_status = Counter(r.status for r in rows)
    by_sla = Counter(r.sla.value for r in rows)
    pol = policy.exceptions
    return Report(now=now, warn_hours=pol.warn_hours, sla_hours=pol.sla_hours,
                  deals=tuple(ids), rows=tuple(rows),
                  by_status={s: by_status.get(s, 0) for s in STATUSES},
                  by_sla={s.value: by_sla.get(s.value, 0) for s in SlaState},
                  at_stake=_at_stake(rows, results), clock=ctx.clock.describe())


# -- writing -------------------------------------------------------------------------------------

CSV_COLUMNS = ("deal", "customer", "sales_rep", "code", "where", "about", "amount_at_stake",
               "amount", "currency", "status", "sla_state", "requested_at", "requested_by",
               "clock_from", "age_hours", "due_at", "approvers", "waiting_for", "can_act",
               "decision")


#: First characters that make a spreadsheet read a text cell as a formula: the ASCII ones and
#: their fullwidth and small forms, which some spreadsheets fold to ASCII.
_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")


def _cell(value: Any, *, numeric: bool = False) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula (CSV injection).

    A text starting with a formula character is prefixed with ``'``; so is one starting with
    any whitespace (space, NBSP, tab, CR, LF, U+3000 …) or an invisible format character
    (U+200B, U+FEFF …), because spreadsheets skip some of those before looking for ``=``.
    """
    text = "" if value is None else str(value)
    if numeric or not text:
        return text
    first = text[0]
    if first in _FORMULA_START or first.isspace() or unicodedata.category(first) == "Cf":
        return "'" + text
    return text


def report_csv(report: Report) -> bytes:
    """UTF-8 with a BOM (so spreadsheets detect the encoding), a header row, one row each."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in report.rows:
        j = r.to_json()
        w.writerow([
            _cell(r.deal_id), _cell(r.customer), _cell(r.sales_rep), _cell(r.code),
            _cell(r.where), _cell(r.about), _cell(j["amount_at_stake"]),
            _cell(j["amount"], numeric=True), _cell(j["currency"]), _cell(r.status),
            _cell(r.sla.value), _cell(j["requested_at"]), _cell(r.requested_by),
            _cell(j["clock_from"]), _cell(j["age_hours"], numeric=True), _cell(j["due_at"]),
            _cell(" ".join(r.approvers)), _cell(" ".join(r.waiting_for)),
            _cell(" ".join(r.can_act)), _cell(r.decision_text)])
    return buf.getvalue().encode("utf-8-sig")


def report_json(report: Report) -> bytes:
    """Pretty JSON, UTF-8."""
    return (json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def templates_dir_for(root: Path) -> Path:
    """The workspace's templates folder if it has the report template, else the sample's."""
    if (root / "html" / "report.html").is_file() and (root / "css" / "report.css").is_file():
        return root
    from docgen.workspace import sample_root

    return sample_root() / "templates"


def _context(report: Report) -> dict[str, Any]:
    rows = [{
        "deal": r.deal_id, "customer": r.customer, "sales_rep": r.sales_rep, "code": r.code,
        "where": r.where, "about": r.about, "amount": _money_text(r.amount),
        "status": r.status, "status_class": r.status.replace(" ", "-"),
        "sla": r.sla.value, "sla_class": r.sla.value.replace(" ", "-"),
        "requested_at": _when(r.requested_at) if r.requested_at else "",
        "requested_by": r.requested_by or "", "due_at": _when(r.due_at) if r.due_at else "",
        "clock_from": _when(r.clock_from) if r.clock_from else "",
        "age": _age_text(r.age), "approvers": ", ".join(r.approvers),
        "can_act": ", ".join(r.can_act), "decision": r.decision_text,
    } for r in report.rows]
    return {
        "report": {"title": "Exception report", "now": _when(report.now),
                   "now_iso": report.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "warn_hours": report.warn_hours, "sla_hours": report.sla_hours,
                   "deals": ", ".join(report.deals), "total": len(report.rows),
                   "open": len(report.open_rows), "clock": report.clock},
        "at_stake": [(c, _money_text(m)) for c, m in report.at_stake.items()],
        "by_status": list(report.by_status.items()),
        "by_sla": [(k, v, k.replace(" ", "-")) for k, v in report.by_sla.items()],
        "rows": rows,
    }


def report_html(report: Report, templates_dir: Path, *, inline_css: bool = True) -> str:
    """The report page; with `inline_css` one self-contained file for a browser."""
    from jinja2 import TemplateError

    from docgen.render.pdf import jinja_env

    tdir = templates_dir_for(templates_dir)
    try:
        html = jinja_env(tdir).get_template("html/report.html").render(**_context(report))
    except TemplateError as exc:  # includes the sandbox's SecurityError
        raise RenderError(f"template html/report.html: {exc}") from None
    if not inline_css:
        return html
    css = (tdir / "css" / "report.css").read_text("utf-8")
    if "</style" in css.lower():
        raise RenderError("css/report.css must not contain '</style'")
    tag = f"<style>\n{css}\n</style>\n"
    return html.replace("</head>", tag + "</head>", 1)


def report_pdf(report: Report, templates_dir: Path) -> bytes:
    """The report as PDF, laid out by WeasyPrint with the templates-only fetcher."""
    from docgen.render.pdf import PdfEngine

    tdir = templates_dir_for(templates_dir)
    html = report_html(report, tdir, inline_css=False)
    engine = PdfEngine(tdir)
    ident = hashlib.sha256(html.encode()).hexdigest()[:32]
    return engine.pdf(html, stylesheets=["report.css"], issued=report.now.date(),
                      identifier=ident, what="exception report")


def render_report(report: Report, fmt: str, templates_dir: Path) -> bytes:
    """The report in `fmt` (html, pdf, csv, json) as bytes."""
    match fmt:
        case "html":
            return report_html(report, templates_dir).encode("utf-8")
        case "pdf":
            return report_pdf(report, templates_dir)
        case "csv":
            return report_csv(report)
        case "json":
            return report_json(report)
        case _:
            raise InputError([Problem("-o", None, "", f"unknown report format {fmt!r}; "
                                      f"name the file .html, .pdf, .csv or .json")])


def write_report(report: Report, path: Path, templates_dir: Path) -> str:
    """Write the report to `path` atomically, in the format its suffix names; returns it."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError([Problem(str(path), None, "", "name the report file .html, .pdf, "
                                  ".csv or .json (the suffix chooses the format)")])
    write_atomic(path, render_report(report, fmt, templates_dir))
    return fmt
