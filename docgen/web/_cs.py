"""Customer Success pages: the approval inbox and the exception report (SPEC §10, CS)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from docgen import api
from docgen.errors import InputError, Problem
from docgen.web._auth import page_session

router = APIRouter(include_in_schema=False)

_MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json",
          "pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def _report(s: api.Session) -> Any:
    files, _ = s.deal_files()
    return s.report([f.path for f in files], now=datetime.now(UTC))


def _row(r: Any) -> dict[str, Any]:
    j = r.to_json()
    return {"deal": r.deal_id, "customer": r.customer, "code": r.code, "where": r.where,
            "about": r.about, "amount": j["amount_at_stake"], "status": r.status,
            "sla": r.sla.value, "sla_class": r.sla.value.replace(" ", "-"),
            "age": f"{j['age_hours']} h" if j["age_hours"] else "",
            "due": r.due_at.strftime("%Y-%m-%d %H:%M UTC") if r.due_at else "",
            "waiting_for": r.waiting_for, "can_act": r.can_act, "approvers": r.approvers,
            "decision": r.decision_text}


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, role: str = "", decided: str = "", waiting: str = "",
          s: api.Session = Depends(page_session)) -> HTMLResponse:
    """Pending approvals across all deals, oldest SLA first, for the roles of the signed-in
    person (or one of them)."""
    rep = _report(s)
    me = s.actor
    mine = s.roles_of(me.email) if me is not None else ()
    roles = sorted(s.workspace.policy.approvers)
    rows = [_row(r) for r in rep.rows if r.status == "pending"
            and (role in r.waiting_for if role else set(mine) & set(r.waiting_for))]
    changed = {(r.deal_id, r.code, r.where): _row(r) for r in rep.rows
               if r.status == "line changed"}
    for row in rows:
        row["before"] = changed.get((row["deal"], row["code"], row["where"]))
    for row in rows:
        row["my_roles"] = [r for r in row["waiting_for"] if r in mine]
    notice = (f"Recorded your decision on {decided}." + (
        " It still waits for other approvers." if waiting else "")) if decided else ""
    return request.app.state.web.render("inbox.html", request, rows=rows, roles=roles,
                                        role=role, clock=rep.clock, mine=mine, notice=notice)


@router.post("/inbox/decide")
def decide(request: Request, deal: str = Form(...), code: str = Form(...),
           where: str = Form(...), role: str = Form(...), decision: str = Form(...),
           note: str = Form(""), s: api.Session = Depends(page_session)) -> Response:
    """Approve or reject one exception in one step, as the signed-in person in `role`."""
    if decision not in ("approve", "reject"):
        raise InputError([Problem("decision", None, "", "approve or reject")])
    found, _ = s.deal_file(deal)
    done = s.decide(found.path, decision=decision, code=code, where=where, role=role,
                    note=note.strip() or None)
    left = "" if done.remaining is None else "&waiting=1"
    return RedirectResponse(f"/inbox?decided={quote(code)}{left}", status_code=303)


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, status: str = "", sla: str = "",
                s: api.Session = Depends(page_session)) -> HTMLResponse:
    """The exception report with filters, and its exports."""
    rep = _report(s)
    rows = [_row(r) for r in rep.rows if (not status or r.status == status)
            and (not sla or r.sla.value == sla)]
    return request.app.state.web.render(
        "report.html", request, rows=rows, chosen_status=status, sla=sla,
        statuses=list(rep.by_status), slas=list(rep.by_sla), by_status=rep.by_status, at_stake=rep.at_stake_text,
        clock=rep.clock)


@router.get("/report.{fmt}")
def report_export(fmt: str, s: api.Session = Depends(page_session)) -> Response:
    """The report as CSV, PDF or JSON (what ``docgen report -o`` writes)."""
    if fmt not in ("csv", "pdf", "json"):
        raise InputError([Problem("format", None, "", "the report exports as csv, pdf or json")])
    blob = s.report_bytes(_report(s), fmt)
    return Response(blob, media_type=_MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="exceptions.{fmt}"'})
