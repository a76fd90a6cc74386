"""Legal's pages: templates and their check results; upload a new version, check it, preview it
against a chosen deal, then activate it (SPEC §10, legal).

A staged version lives in the database, so any server sharing it shows, previews and activates
it; the page lists who staged each one and when, and the recent activations."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from docgen import api
from docgen.errors import InputError, Problem
from docgen.web._auth import page_session

router = APIRouter(include_in_schema=False)

_MAX = 5_000_000


def _web(request: Request) -> Any:
    return request.app.state.web


@router.get("/templates", response_class=HTMLResponse)
def templates_page(request: Request, activated: str = "",
                   s: api.Session = Depends(page_session)) -> HTMLResponse:
    problems, checked = s.check_templates()
    by_file: dict[str, list[str]] = {}
    root = s.workspace.templates_dir.resolve()
    for p in problems:
        path = Path(p.file).resolve()
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else p.file
        by_file.setdefault(name, []).append(f"{p.where}: {p.message}" if p.where else p.message)
    files, _ = s.deal_files()
    activations = s.template_activations()
    return _web(request).render(
        "templates.html", request, names=s.template_names(), by_file=by_file, checked=checked,
        staged=s.staged_templates(), deals=[f.deal_id for f in files],
        version=s.templates_version(), notice=f"Activated {activated}." if activated else "",
        activations=activations[::-1][:20], drifted=s.drifted_templates())


@router.post("/templates/upload")
async def upload(request: Request, name: str = Form(...), file: UploadFile = File(...),
                 s: api.Session = Depends(page_session)) -> Response:
    blob = await file.read(_MAX + 1)
    if len(blob) > _MAX:
        raise InputError([Problem(name, None, "template", "larger than 5 MB")])
    s.stage_template(name, blob)
    return RedirectResponse(f"/templates/staged/{quote(name)}", status_code=303)


@router.get("/templates/staged/{name:path}/preview")
def preview(name: str, deal: str, kind: str = "po", s: api.Session = Depends(page_session)
            ) -> Response:
    found, _ = s.deal_file(deal)
    (r,) = s.validate([found.path])
    blob = s.preview_staged(name, r, kind, fmt="pdf")
    return Response(blob, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{deal}-{kind}-preview.pdf"'})


@router.get("/templates/staged/{name:path}", response_class=HTMLResponse)
def staged_page(request: Request, name: str, s: api.Session = Depends(page_session)
                ) -> HTMLResponse:
    problems = s.check_staged(name)
    files, _ = s.deal_files()
    kind = "sow" if "sow" in name else "onboarding" if "onboarding" in name else "po"
    info = next((t for t in s.staged_templates() if t.name == name), None)
    return _web(request).render(
        "staged.html", request, name=name, kind=kind, deals=[f.deal_id for f in files],
        info=info,
        problems=[str(p) for p in problems if not p.note],
        notes=[str(p) for p in problems if p.note])


@router.post("/templates/staged/{name:path}/activate")
def activate(request: Request, name: str, s: api.Session = Depends(page_session)) -> Response:
    s.activate_template(name)
    return RedirectResponse(f"/templates?activated={quote(name)}", status_code=303)


@router.post("/templates/staged/{name:path}/discard")
def discard(name: str, s: api.Session = Depends(page_session)) -> Response:
    s.discard_template(name)
    return RedirectResponse("/templates", status_code=303)
