"""The ASGI application: FastAPI for routing and the JSON API, Jinja2 pages, htmx for live parts.

One application object per workspace, created by :func:`create_app`. Each request opens its own
:class:`docgen.api.Session` (so each uvicorn worker and each request has its own database
connection), on a workspace object and a renderer that the application keeps warm and reloads
when the catalogue, its lock or the policy change on disk.
"""

from __future__ import annotations

import os
import threading
import time
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
#: Seconds a look at the templates folder holds: a template changed on disk by hand is seen
#: within this time, one docgen changed itself (activating a version) at once.
TEMPLATES_LOOK = 0.5


class Web:
    """What the application keeps between requests: the workspace, its renderer, the pages'
    templates."""

    def __init__(self, workspace: str | os.PathLike[str] | None) -> None:
        self._flag = workspace
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self._workspace: Any = None
        self._renderer: Any = None
        self._verified = False  # the loaded catalogue and policy match their locks
        self._templates_seen: tuple[float, int] | None = None  # (when, newest change)
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
        now = time.monotonic()
        # read once: keep_renderer() (outside the lock) may reset it meanwhile
        seen = self._templates_seen
        if seen is None or now - seen[0] >= TEMPLATES_LOOK:
            # walking the templates folder is most of a request's fixed cost: once a moment
            seen = self._templates_seen = (now, _newest(ws.templates_dir))
        return (*(_mtime(p) for p in paths), seen[1])

    def session(self) -> api.Session:
        """A session for one request, on the warm workspace (reloaded after a change)."""
        find_workspace = api.find_workspace
        with self._lock:
            ws = self._workspace or find_workspace(self._flag)
            stamp = self._files_stamp(ws)
            if stamp != self._stamp:  # first use, or the catalogue, lock or policy changed
                self._workspace, self._stamp = find_workspace(self._flag), stamp
                self._renderer = None
                self._verified = False
            if not self._verified:  # once per change of the files, not on every request
                self._workspace.verify_locks()  # LockMismatchError: refused until fixed
                self._verified = True
            return api.Session(self._workspace, renderer=self._renderer, locked=False)

    def sync_templates(self, s: api.Session) -> None:
        """Bring this server's templates folder up to the activations legal made through
        another server sharing the database (one indexed read when there is none new)."""
        latest = s.latest_template_activation()
        if latest != self._activation_seen:
            done = s.sync_templates()
            self._activation_seen = done.latest if done is not None else latest

    def keep_renderer(self, s: api.Session) -> None:
        """Keep the renderer a session warmed up for the next request. A session that has none
        may have dropped it (activating a template does): the next request looks at the
        templates folder again at once."""
        if s.warm_renderer is not None:
            self._renderer = s.warm_renderer
        else:
            self._templates_seen = None

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


_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
     b"frame-ancestors 'self'; form-action 'self'"),
)


class _SecurityHeaders:
    """Every answer gets the security headers it does not set itself. A plain ASGI middleware:
    Starlette's ``@app.middleware("http")`` costs each request a task group and a stream."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _SECURITY_HEADERS if k not in have]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _mtime(path: Path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _newest(folder: Path) -> int:
    """The newest change under `folder`: a file written, added or removed (a folder's own time
    changes when an entry is added or removed). One scandir per folder: this runs on every
    request."""
    newest, todo = 0, [os.fspath(folder)]
    while todo:
        try:
            entries = os.scandir(todo.pop())
        except OSError:
            continue
        with entries:
            for e in entries:
                try:
                    newest = max(newest, e.stat(follow_symlinks=True).st_mtime_ns)
                    if e.is_dir(follow_symlinks=False):
                        todo.append(e.path)
                except OSError:
                    continue
    return newest


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

    app.add_middleware(_SecurityHeaders)

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
