"""Pages for everyone signed in (SPEC §10): the audit log, a deal's history, and the catalogue
and policy versions with what changed between them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from docgen import api
from docgen.errors import InputError
from docgen.web._auth import page_session

router = APIRouter(include_in_schema=False)

_KINDS = ("catalogue", "policy")


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, deal: str = "", s: api.Session = Depends(page_session)
          ) -> HTMLResponse:
    """The audit log (of one deal), newest first, and whether the chain holds."""
    rows = list(reversed(s.audit_log(deal or None)))
    checked, problems = s.verify_audit()
    return request.app.state.web.render(
        "audit.html", request, rows=rows[:500], shown=min(len(rows), 500), total=len(rows),
        deal=deal, checked=checked, problems=[str(p) for p in problems])


@router.get("/deals/{deal_id}/history", response_class=HTMLResponse)
def history(request: Request, deal_id: str, s: api.Session = Depends(page_session)
            ) -> HTMLResponse:
    """A deal's revisions, requests, decisions and documents, oldest first."""
    found, _ = s.deal_file(deal_id)
    hist = s.history(found.path)
    return request.app.state.web.render("history.html", request, deal_id=deal_id, history=hist)


@router.get("/versions", response_class=HTMLResponse)
def versions(request: Request, kind: str = "catalogue", before: str = "", after: str = "",
             s: api.Session = Depends(page_session)) -> HTMLResponse:
    """Recorded catalogue and policy versions; the diff of two (default: the last change)."""
    if kind not in _KINDS:
        kind = "catalogue"
    records = {k: s.versions.records(k) for k in _KINDS}
    diff, problem = None, ""
    try:
        diff = (s.catalogue_diff(before or None, after or None) if kind == "catalogue"
                else s.policy_diff(before or None, after or None))
    except InputError as exc:
        problem = "; ".join(p.message for p in exc.problems)
    return request.app.state.web.render(
        "versions.html", request, records=records, kind=kind, diff=diff, problem=problem,
        before=before, after=after)
