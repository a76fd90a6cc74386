"""The ASGI application: FastAPI for routing and the JSON API, Jinja2 pages, htmx for live parts.

One application object per workspace, created by :func:`create_app`. Each request opens its own
:class:`docgen.api.Session` (so each uvicorn worker and each request has its own database
connection), on a workspace object and a renderer that the application keeps warm and reloads
when the catalogue, its lock or the policy change on disk.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import (HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse,
                               Response)
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from docgen import api
from docgen.errors import DocgenError, InputError

__all__ = ["Web", "create_app"]

HERE = Path(__file__).resolve().parent


class Web:
    """What the application keeps between requests: the workspace, its renderer, the pages'
    templates."""

    def __init__(self, workspace: str | os.PathLike[str] | None) -> None:
        self._flag = workspace
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self._workspace: Any = None
        self._renderer: Any = None
        #: the newest template activation this server has applied to its templates folder
        self._activation_seen = -1
        self.pages = Environment(loader=FileSystemLoader(HERE / "templates"),
                                 autoescape=select_autoescape(default=True),
                                 trim_blocks=True, lstrip_blocks=True)
        with api.Session(workspace) as s:    # fails early (exit 2) on a bad workspace
            self.root = s.workspace.root

    def _files_stamp(self, ws: Any) -> tuple[Any, ...]:
        paths = [ws.catalogue_path, ws.lock_path, ws.policy_path,
                 ws.policy_path.with_suffix(".lock")]
        templates = max((p.stat().st_mtime_ns for p in ws.templates_dir.rglob("*")
                         if p.is_file()), default=0)
        return (*(p.stat().st_mtime_ns if p.exists() else None for p in paths), templates)

    def session(self) -> api.Session:
        """A session for one request, on the warm workspace (reloaded after a change)."""
        find_workspace = api.find_workspace
        with self._lock:
            ws = self._workspace or find_workspace(self._flag)
            stamp = self._files_stamp(ws)
            if stamp != self._stamp:  # first use, or the catalogue, lock or policy changed
                self._workspace, self._stamp = find_workspace(self._flag), stamp
                self._renderer = None
            return api.Session(self._workspace, renderer=self._renderer)

    def sync_templates(self, s: api.Session) -> None:
        """Bring this server's templates folder up to the activations legal made through
        another server sharing the database (one indexed read when there is none new)."""
        latest = s.latest_template_activation()
        if latest != self._activation_seen:
            done = s.sync_templates()
            self._activation_seen = done.latest if done is not None else latest

    def keep_renderer(self, s: api.Session) -> None:
        """Keep the renderer a session warmed up for the next request."""
        if s.warm_renderer is not None:
            self._renderer = s.warm_renderer

    def render(self, template: str, request: Request, http_status: int = 200, **context: Any
               ) -> HTMLResponse:
        """A page from the application's own templates."""
        context.setdefault("request", request)
        context.setdefault("user", getattr(request.state, "user", None))
        context.setdefault("csrf", getattr(request.state, "csrf", ""))
        context.setdefault("htmx", (HERE / "static" / "vendor" / "htmx.min.js").is_file())
        context.setdefault("path", request.url.path)
        html = self.pages.get_template(template).render(**context)
        return HTMLResponse(html, status_code=http_status)


def create_app(workspace: str | os.PathLike[str] | None = None) -> FastAPI:
    """The web application and JSON API over the workspace (SPEC §10)."""
    from starlette.exceptions import HTTPException

    from docgen.web import _api, _cs, _everyone, _legal, _login, _pages
    from docgen.web._auth import NeedsSignIn

    web = Web(workspace)
    app = FastAPI(title="docgen", version=_version(), docs_url="/api/docs",
                  openapi_url="/api/v1/openapi.json", redoc_url=None)
    app.state.web = web
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/healthz", response_class=PlainTextResponse, include_in_schema=False)
    def healthz() -> str:
        return "ok"

    @app.exception_handler(DocgenError)
    async def docgen_error(request: Request, exc: DocgenError) -> Response:
        problems = [str(p) for p in getattr(exc, "problems", [])] or [str(exc)]
        status = 400 if isinstance(exc, InputError) else 500
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "input" if status == 400 else "internal",
                                 "problems": problems}, status_code=status)
        return web.render("error.html", request, http_status=status, problems=problems)

    @app.exception_handler(NeedsSignIn)
    async def sign_in_first(request: Request, exc: NeedsSignIn) -> Response:
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "http", "detail": exc.detail},
                                status_code=exc.status_code, headers=exc.headers)
        return web.render("error.html", request, http_status=exc.status_code,
                          problems=[str(exc.detail)])

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'self'; form-action 'self'")
        return response

    app.include_router(_login.router)
    app.include_router(_pages.router)
    app.include_router(_cs.router)
    app.include_router(_legal.router)
    app.include_router(_everyone.router)
    app.include_router(_api.router)
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("docgen")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without install
        return "0"
