"""The JSON API under ``/api/v1`` (SPEC §10): the same answers as the command line's ``--json``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from docgen import api
from docgen.errors import InputError, Problem
from docgen.web._auth import api_session

router = APIRouter(prefix="/api/v1", tags=["deals"])

_MAX_BODY = 1_000_000


@router.post("/validate", summary="Validate a deal (YAML or JSON body)", openapi_extra={
    "requestBody": {"required": True, "content": {
        "application/yaml": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "object"}}}}})
async def validate(request: Request, s: api.Session = Depends(api_session)) -> dict[str, Any]:
    """The ``docgen validate --json`` object of the deal in the request body."""
    body = await request.body()
    if len(body) > _MAX_BODY:
        raise InputError([Problem("body", None, "", "a deal is at most 1 MB")])
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError([Problem("body", None, "", "not UTF-8 text")]) from None
    is_json = request.headers.get("content-type", "").split(";")[0].strip().endswith("json")
    result = s.validate_text(text, name="body.json" if is_json else "body.yaml")
    return {"deals": [result.to_json()]}


@router.get("/deals", summary="Every deal of the workspace with its readiness")
def deals(s: api.Session = Depends(api_session)) -> dict[str, Any]:
    files, problems = s.deal_files()
    out = []
    for f in files:
        (r,) = s.validate([f.path])
        out.append({"deal": f.deal_id, "file": f.path.name, "stage": r.deal.stage,
                    "customer": r.deal.customer.name, "ready": r.ready,
                    "revision": r.revision, "modified": f.modified.isoformat()})
    return {"deals": out, "problems": [str(p) for p in problems]}


@router.get("/deals/{deal_id}", summary="One deal: the validate --json entry")
def deal(deal_id: str, s: api.Session = Depends(api_session)) -> dict[str, Any]:
    found, _ = s.deal_file(deal_id)
    (r,) = s.validate([found.path])
    return r.to_json()


@router.get("/documents", summary="Every document docgen reserved or issued (documents --json)")
def documents(deal: str | None = None, status: str | None = None,
              s: api.Session = Depends(api_session)) -> dict[str, Any]:
    """The ``docgen documents --json`` object: number, deal, kind, status, revision, the
    templates' version that rendered it, dates, file hash and path, by number."""
    return {"documents": [d.to_json() for d in s.documents(deal=deal, status=status)]}
