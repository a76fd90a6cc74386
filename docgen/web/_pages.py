"""The pages: deal list, deal editor with live pricing and findings, preview, drafts, YAML
import and export (SPEC §10, pre-sales).

Every page works without JavaScript (forms post and the server answers with a page); htmx, when
loaded, makes the editor live: each change posts the form to ``/deals/check`` and swaps in the
pricing and findings panel.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from docgen import api
from docgen.errors import InputError, Problem
from docgen.web._auth import page_session
from docgen.web._forms import (
    checklist_items,
    data_to_yaml,
    deal_to_rows,
    evidence_view,
    field_value,
    form_to_data,
    text_to_data,
)

router = APIRouter(include_in_schema=False)

_NEW_DEAL = """deal: D-NEW-0001
stage: qualification
customer: {name: New customer, territory: US, locale: en_US, currency: USD}
lines:
  - {sku: LIC-ANL-PRO, quantity: 12}
"""

_MAX_UPLOAD = 1_000_000


def _web(request: Request) -> Any:
    return request.app.state.web


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/deals", status_code=303)


# -- the deal list ------------------------------------------------------------------------------

@router.get("/deals", response_class=HTMLResponse)
def deal_list(request: Request, stage: str = "", s: api.Session = Depends(page_session)
              ) -> HTMLResponse:
    files, problems = s.deal_files()
    results = {}
    for f in files:
        try:
            (r,) = s.validate([f.path])
        except InputError as exc:
            problems += exc.problems
            continue
        results[f.deal_id] = (f, r)
    rows = []
    for f, r in results.values():
        if stage and r.deal.stage != stage:
            continue
        rows.append({
            "id": f.deal_id, "customer": r.deal.customer.name, "stage": r.deal.stage or "",
            "rep": r.deal.sales_rep.name if r.deal.sales_rep else "",
            "total": api.money_text(r.priced.totals.total_due),
            "ready": _ready(r),
            "modified": f.modified.strftime("%Y-%m-%d %H:%M"), "editable": f.editable})
    stages = [st.id for st in s.workspace.policy.stages]
    if s.workspace.policy.lost_stage:
        stages.append(s.workspace.policy.lost_stage)
    return _web(request).render("deals.html", request, rows=rows, stages=stages, stage=stage,
                                problems=[str(p) for p in problems],
                                writable=not s.workspace.read_only)


# -- the editor ---------------------------------------------------------------------------------

def _editor(request: Request, s: api.Session, text: str, *, deal_id: str | None,
            editable: bool, status: int = 200, notice: str = "",
            data: dict[str, Any] | None = None, refused: list[str] | None = None,
            downloads: list[str] | None = None) -> HTMLResponse:
    """The editor page for deal `text` (or for `data` the form produced); `refused` lists why
    a save was refused."""
    problems: list[str] = list(refused or [])
    if data is None:
        try:
            data = text_to_data(text)
        except InputError as exc:
            data, problems = {}, [str(p) for p in exc.problems]
    check = _check(s, data_to_yaml(data) if data else text)
    ws = s.workspace
    pol = ws.policy
    customer = data.get("customer") if isinstance(data.get("customer"), dict) else {}
    territory, currency = customer.get("territory"), customer.get("currency")
    skus = [{"code": k.code, "name": k.name,
             "price": api.money_text(_price(k, currency)) if currency else ""}
            for k in s.skus() if _sellable(k, territory, currency)]
    evidence = data.get("evidence") if isinstance(data.get("evidence"), dict) else {}
    # evidence recorded with `docgen evidence add`, shown read-only beside the deal file's
    the_id = data.get("deal") if isinstance(data.get("deal"), str) else deal_id
    recorded = s.recorded_evidence(the_id) if the_id else {}
    stages = [st.id for st in pol.stages] + ([pol.lost_stage] if pol.lost_stage else [])
    return _web(request).render(
        "deal.html", request, http_status=status, deal_id=deal_id, editable=editable,
        notice=notice, problems=problems + check["problems"], check=check,
        base=data_to_yaml(data) if data else text,
        value=lambda path: field_value(data, path), rows=deal_to_rows(data),
        checklist=[(item, q, evidence_view(evidence.get(item)), recorded.get(item))
                   for item, q in checklist_items(pol)],
        skus=skus, stages=stages, territories=pol.territories,
        currencies=ws.catalogue.catalogue.currencies, by_where=check["by_where"],
        downloads=downloads or [])


def _ready(r: api.DealResult) -> list[tuple[str, bool, int]]:
    """(kind, ready, how many findings block it) for each document's readiness badge."""
    return [(k, r.ready.get(k, False), len(r.blockers(k))) for k in api.READINESS_KINDS]


def _price(sku: Any, currency: str) -> api.Money | None:
    price = sku.list_price.get(currency)
    return api.Money.of(price, currency) if price is not None else None


def _sellable(sku: Any, territory: str | None, currency: str | None) -> bool:
    """Only SKUs the deal's territory and currency can take are offered."""
    if currency and currency not in sku.list_price:
        return False
    allowed = sku.territories
    return not territory or "all" in allowed or territory in allowed


def _check(s: api.Session, text: str) -> dict[str, Any]:
    """Pricing, readiness and findings of deal text, for the editor's live panel."""
    try:
        r = s.validate_text(text)
    except InputError as exc:
        return {"ok": False, "problems": [str(p) for p in exc.problems], "lines": [],
                "totals": None, "ready": [], "findings": [], "by_where": {}}
    loc = "en_US"
    t = r.priced.totals
    findings = [{"code": f.code, "severity": f.severity.value, "where": f.where,
                 "message": f.message, "hint": f.hint, "approvers": list(f.approvers),
                 "blocks": f.blocking} for f in r.findings]
    by_where: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        by_where.setdefault(f["where"], []).append(f)
    return {
        "ok": True, "problems": [], "deal": r.deal.deal, "revision": r.revision,
        "ready": _ready(r),
        "lines": [{"where": ln.where, "code": ln.code or "", "name": ln.name,
                   "quantity": f"{ln.quantity.normalize():f}", "unit": ln.unit,
                   "list": api.money_text(ln.list_amount, loc),
                   "discount": api.money_text(ln.discount_amount, loc),
                   "sold": api.money_text(ln.sold_amount, loc), "included": ln.included}
                  for ln in r.priced.lines],
        "totals": {"list": api.money_text(t.list_total, loc),
                   "discount": api.money_text(t.discount_total, loc),
                   "subtotal": api.money_text(t.sold_subtotal, loc),
                   "tax": api.money_text(t.tax_amount, loc) if t.tax_rate is not None else "",
                   "due": api.money_text(t.total_due, loc)},
        "findings": findings, "by_where": by_where}


@router.get("/deals/new", response_class=HTMLResponse)
def new_deal(request: Request, s: api.Session = Depends(page_session)) -> HTMLResponse:
    return _editor(request, s, _NEW_DEAL, deal_id=None, editable=not s.workspace.read_only)


@router.get("/deals/{deal_id}", response_class=HTMLResponse)
def edit_deal(request: Request, deal_id: str, saved: str = "", submitted: str = "",
              issued: str = "", s: api.Session = Depends(page_session)) -> HTMLResponse:
    found, text = s.deal_file(deal_id)
    notice = ("Saved." if saved else
              f"Submitted: {submitted} new approval request(s)." if submitted else
              f"Issued {issued}." if issued else "")
    files = sorted(p.name for p in _documents(s).glob(f"{deal_id}-po-*")) if issued else []
    return _editor(request, s, text, deal_id=deal_id, editable=found.editable,
                   notice=notice, downloads=files)


async def _form(request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    """The editor form: the base deal data and the fields as plain strings."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    base_text = fields.pop("base", "")
    try:
        base = text_to_data(base_text) if base_text.strip() else {}
    except InputError:
        base = {}
    return base, fields


@router.post("/deals/check", response_class=HTMLResponse)
async def check_deal(request: Request, s: api.Session = Depends(page_session)) -> HTMLResponse:
    """The live panel (htmx), or the whole editor again without JavaScript."""
    base, fields = await _form(request)
    data = form_to_data(base, fields, s.workspace.policy)
    if request.headers.get("HX-Request"):
        check = _check(s, data_to_yaml(data))
        return _web(request).render("_check.html", request, check=check)
    return _editor(request, s, "", deal_id=fields.get("editing") or None, editable=True,
                   data=data)


@router.post("/deals/save")
async def save_deal(request: Request, s: api.Session = Depends(page_session)) -> Response:
    base, fields = await _form(request)
    editing = fields.get("editing") or None
    data = form_to_data(base, fields, s.workspace.policy)
    if fields.get("add_line"):
        return _editor(request, s, "", deal_id=editing, editable=True, data=data)
    try:
        saved = s.save_deal(data_to_yaml(data), expect=editing)
    except InputError as exc:
        return _editor(request, s, "", deal_id=editing, editable=True, data=data, status=400,
                       refused=[f"Not saved: {p}" for p in exc.problems])
    return RedirectResponse(f"/deals/{quote(saved.deal_id)}?saved=1", status_code=303)


# -- submitting exceptions and issuing the PO ------------------------------------------------------

@router.post("/deals/{deal_id}/submit")
def submit(deal_id: str, s: api.Session = Depends(page_session)) -> Response:
    """Ask for every approval the deal needs (starts the SLA clock), as the signed-in person."""
    found, _ = s.deal_file(deal_id)
    (done,) = s.submit([found.path])
    return RedirectResponse(f"/deals/{quote(deal_id)}?submitted={done.created}",
                            status_code=303)


@router.post("/deals/{deal_id}/issue")
def issue(request: Request, deal_id: str, s: api.Session = Depends(page_session)) -> Response:
    """Issue the final PO (numbered, signed, recorded) when nothing blocks it."""
    found, text = s.deal_file(deal_id)
    batch = s.render("po", [found.path], out_dir=_documents(s), formats=("pdf", "docx"),
                     issue_date=date.today(), jobs=1)
    if batch.blocked:
        (r,) = batch.blocked
        return _editor(request, s, text, deal_id=deal_id, editable=found.editable,
                       status=409, refused=[f"The PO cannot be issued yet: {f.code} at "
                                            f"{f.where}: {f.message}" for f in r.blockers("po")])
    if batch.failed:
        raise InputError([Problem(deal_id, None, "", msg) for _, msg in batch.failed])
    (doc,) = batch.rendered
    return RedirectResponse(f"/deals/{quote(deal_id)}?issued={quote(doc.number or '')}",
                            status_code=303)


def _documents(s: api.Session) -> Any:
    """Where the web app keeps the documents it issues: ``documents/`` in the workspace."""
    return s.workspace.root / "documents"


@router.get("/documents/{name}")
def document(name: str, s: api.Session = Depends(page_session)) -> Response:
    """An issued document, by its file name."""
    folder = _documents(s).resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file() or path.suffix not in (".pdf", ".docx"):
        raise InputError([Problem(name, None, "", "no such issued document")])
    media = ("application/pdf" if path.suffix == ".pdf" else
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    return Response(path.read_bytes(), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{path.name}"'})


# -- documents: preview and drafts ----------------------------------------------------------------

@router.get("/deals/{deal_id}/preview/{kind}")
def preview(deal_id: str, kind: str, s: api.Session = Depends(page_session)) -> Response:
    """The draft exactly as the PDF will look (the HTML WeasyPrint lays out)."""
    found, _ = s.deal_file(deal_id)
    (r,) = s.validate([found.path])
    html = s.preview(r, kind, fmt="html", issue_date=date.today())
    return Response(html, media_type="text/html; charset=utf-8")


@router.get("/deals/{deal_id}/draft/{kind}.{fmt}")
def draft(deal_id: str, kind: str, fmt: str, s: api.Session = Depends(page_session)) -> Response:
    """A draft quotation (PDF or DOCX) to download."""
    if fmt not in ("pdf", "docx"):
        raise InputError([Problem("format", None, "", "drafts come as pdf or docx")])
    found, _ = s.deal_file(deal_id)
    (r,) = s.validate([found.path])
    blob = s.preview(r, kind, fmt=fmt, issue_date=date.today())
    media = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument."
             "wordprocessingml.document"}[fmt]
    return Response(blob, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{deal_id}-{kind}-draft.{fmt}"'})


# -- YAML import and export -------------------------------------------------------------------

@router.get("/deals/{deal_id}/export")
def export_deal(deal_id: str, s: api.Session = Depends(page_session)) -> Response:
    """The deal file exactly as stored (byte for byte)."""
    found, _ = s.deal_file(deal_id)
    return Response(found.path.read_bytes(), media_type="application/yaml", headers={
        "Content-Disposition": f'attachment; filename="{found.path.name}"'})


@router.post("/deals/import")
async def import_deal(request: Request, file: UploadFile = File(...),
                      s: api.Session = Depends(page_session)) -> Response:
    """Store an uploaded deal file as it is (a new deal; refused if it does not load)."""
    blob = await file.read(_MAX_UPLOAD + 1)
    name = file.filename or "deal.yaml"
    if len(blob) > _MAX_UPLOAD:
        raise InputError([Problem(name, None, "", "the file is larger than 1 MB")])
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError([Problem(name, None, "", "not UTF-8 text")]) from None
    saved = s.save_deal(text, name=name)
    return RedirectResponse(f"/deals/{quote(saved.deal_id)}?saved=1", status_code=303)
