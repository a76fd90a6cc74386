"""The web figures of SPEC §7: live validation and the PO preview under 20 signed-in users.

A bounded load generator on the loopback only. ``docgen serve --workers 2`` runs as a real process
(uvicorn, SQLite, the default) over a workspace ``docgen init`` made from the sample; 20 people
are added with passwords and each signs in through the sign-in form, as a browser does. Then each
person works in the deal editor on a deal of their own, as htmx makes a browser do it:

- **live validation**: the editor's form posted to ``/deals/check`` with ``HX-Request`` and the
  session's CSRF token, one field changed each time (the quantity of the first line), answered by
  the pricing and findings panel;
- **preview**: ``GET /deals/D/preview/po``, the HTML WeasyPrint lays out for the 1-page PO.

Each person repeats *four edits, then a preview*, waiting between requests as a person typing
does: htmx posts 300 ms after the last keystroke, so never sooner than that, and on average
:data:`THINK_SECONDS` apart. Every request is checked (status and content) and timed from the
moment it is sent to the last byte of the answer. The run is bounded by a number of rounds per
person and by a deadline; nothing leaves the loopback.

The same people then send the same requests back to back (no waiting at all): the saturation
figures printed beside the real ones say how far the machine is from its limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from benchmarks._data import write_deals
from benchmarks._measure import REPO, child_env

__all__ = ["THINK_SECONDS", "USERS", "WebRun", "run_web_load"]

#: Signed-in people working at once (SPEC §7).
USERS = 20
#: Mean time between one person's requests (an editor typing: htmx waits 300 ms after a key).
THINK_SECONDS = 1.0
HTMX_DELAY = 0.3
#: Edits per preview in each person's round.
EDITS_PER_PREVIEW = 4
PASSWORD = "benchmark password 1234"
#: Lines of each person's deal: its PO fits on one page.
DEAL_LINES = 3


@dataclass
class WebRun:
    """Latencies (seconds) of one load run, per kind of request."""

    validate: list[float] = field(default_factory=list)
    preview: list[float] = field(default_factory=list)
    seconds: float = 0.0
    saturated_validate: list[float] = field(default_factory=list)
    saturated_preview: list[float] = field(default_factory=list)
    saturated_seconds: float = 0.0
    users: int = 0
    workers: int = 0
    server_cpu: float = 0.0          # CPU seconds the server processes used during both runs
    worker_cpu: list[float] = field(default_factory=list)  # … each uvicorn worker of it
    loadgen_cpu: float = 0.0         # CPU seconds of the load generator (this process)
    details: list[str] = field(default_factory=list)


def percentile(values: list[float], pct: float) -> float:
    """The `pct` percentile of `values` (nearest rank)."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


class _Form(HTMLParser):
    """The fields of the editor's deal form, as a browser would post them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "deal-form" in a.get("class", ""):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workspace(root: Path, users: int) -> tuple[Path, list[tuple[str, str]]]:
    """A workspace made by ``docgen init`` from the sample, with `users` people (passwords set)
    and a 1-page deal each in ``deals/``: [(e-mail, deal id)]."""
    from docgen import api

    made = api.init_workspace(root, admin_email="admin@bench.example")
    paths = write_deals(made.workspace, made.workspace.root / "deals", users, DEAL_LINES,
                        prefix="D-WEB")
    people = []
    with api.Session(made.workspace.root, token=made.token) as s:
        for i, path in enumerate(paths):
            email = f"seller{i:02d}@bench.example"
            s.add_user(email, name=f"Seller {i:02d}", password=PASSWORD)
            people.append((email, path.stem))
    return made.workspace.root, people


class Server:
    """``docgen serve`` as a real process on a free loopback port."""

    def __init__(self, workspace: Path, workers: int) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "docgen", "-w", str(workspace), "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(workers)],
            env=child_env(), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True)

    def wait(self, timeout: float = 120) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read() if self.proc.stdout else ""
                msg = f"docgen serve exited {self.proc.returncode}:\n{out[-3000:]}"
                raise RuntimeError(msg)
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).text == "ok":
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        msg = f"docgen serve did not answer /healthz within {timeout:.0f} s"
        raise RuntimeError(msg)

    def cpu_seconds(self) -> dict[int, float]:
        """User + system CPU seconds so far of the server and each of its worker processes."""
        out = {}
        for pid in [self.proc.pid, *_children(self.proc.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return out

    def workers(self) -> set[int]:
        """The uvicorn worker processes (not multiprocessing's resource tracker)."""
        found = set()
        for pid in _children(self.proc.pid):
            try:
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.add(pid)
            except OSError:
                continue
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class _Connection:
    """One person's keep-alive HTTP/1.1 connection, for the timed requests.

    As lean as a client can be (one write, then the status line, the headers and exactly
    Content-Length bytes), so that what is timed is the server, not the client's own work: a
    person's browser runs on their own machine, this load generator on the server's two cores.
    A connection the server closed between requests (uvicorn keeps one open 5 s) is opened
    again, within the timed request, as a browser would.
    """

    def __init__(self, host: str, port: int, cookie: str) -> None:
        self.host, self.port = host, port
        self.head = f"Host: {host}:{port}\r\nCookie: docgen_session={cookie}\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        await self.close()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: str = "") -> tuple[int, bytes]:
        """(status, body) of one request."""
        message = (f"{method} {path} HTTP/1.1\r\n{self.head}{headers}"
                   f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body
        for attempt in (1, 2):
            if self.writer is None or self.writer.is_closing():
                await self._open()
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(message)
                await self.writer.drain()
                status = await self.reader.readline()
            except ConnectionError:
                status = b""
            if status:
                break
            self.writer = None  # closed by the server while idle: once more on a new one
            if attempt == 2:
                msg = f"{method} {path}: the server closed the connection"
                raise RuntimeError(msg)
        length, chunked, close = 0, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif name == "connection":
                close = "close" in value.lower()
        if chunked:
            parts = []
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size + 2))
            await self.reader.readline()
            data = b"".join(p[:-2] for p in parts)
        else:
            data = await self.reader.readexactly(length)
        if close:
            await self.close()
        return int(status.split()[1]), data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class _Person:
    email: str
    deal: str
    client: Any                      # an httpx client: signing in, opening the editor
    conn: _Connection | None = None  # the timed requests
    form: bytes = b""                # the editor's form, encoded, but the first line's quantity
    csrf: str = ""
    customer: bytes = b""
    quantity: int = 1


async def _sign_in(person: _Person) -> None:
    from urllib.parse import urlencode, urlsplit

    c = person.client
    page = await c.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    if token is None:
        msg = f"no sign-in form at /login ({page.status_code})"
        raise RuntimeError(msg)
    done = await c.post("/login", data={"email": person.email, "password": PASSWORD,
                                        "csrf": token.group(1), "next": "/deals"})
    if done.status_code != 303 or "docgen_session" not in c.cookies:
        msg = f"{person.email} could not sign in ({done.status_code}): {done.text[-500:]}"
        raise RuntimeError(msg)
    editor = await c.get(f"/deals/{person.deal}")
    if editor.status_code != 200:
        msg = f"{person.email}: the editor of {person.deal} answered {editor.status_code}"
        raise RuntimeError(msg)
    form = _Form()
    form.feed(editor.text)
    if not form.fields.get("csrf") or "lines.0.quantity" not in form.fields:
        msg = f"{person.email}: the editor of {person.deal} has no deal form with a first line"
        raise RuntimeError(msg)
    person.csrf = form.fields["csrf"]
    person.customer = form.fields.get("customer.name", "").encode()
    person.quantity = int(form.fields.pop("lines.0.quantity") or 1)
    person.form = urlencode(form.fields).encode() + b"&lines.0.quantity="
    url = urlsplit(str(c.base_url))
    person.conn = _Connection(url.hostname or "127.0.0.1", url.port or 80,
                              c.cookies["docgen_session"])


async def _validate(person: _Person, step: int) -> float:
    """One live validation: the editor's form with the first line's quantity changed, as htmx
    posts it; the pricing and findings panel back."""
    assert person.conn is not None
    body = person.form + str(person.quantity + step % 3).encode()
    t0 = time.perf_counter()
    status, page = await person.conn.request(
        "POST", "/deals/check", body, "Content-Type: application/x-www-form-urlencoded\r\n"
        f"HX-Request: true\r\nX-CSRF-Token: {person.csrf}\r\n")
    elapsed = time.perf_counter() - t0
    if status != 200 or b'id="check"' not in page or b"Total due" not in page:
        msg = f"live validation of {person.deal} answered {status}: {page[:300]!r}"
        raise RuntimeError(msg)
    return elapsed


async def _preview(person: _Person) -> float:
    """The PO preview: the HTML WeasyPrint lays out, with the deal's customer on it."""
    assert person.conn is not None
    t0 = time.perf_counter()
    status, page = await person.conn.request("GET", f"/deals/{person.deal}/preview/po")
    elapsed = time.perf_counter() - t0
    if status != 200 or person.customer not in page:
        msg = f"preview of {person.deal} answered {status}: {page[:300]!r}"
        raise RuntimeError(msg)
    return elapsed


async def _work(people: list[_Person], rounds: int, think: float, deadline: float,
                seed: int) -> tuple[list[float], list[float]]:
    validations: list[float] = []
    previews: list[float] = []

    async def one(person: _Person, rng: random.Random) -> None:
        if think:  # people do not all start typing in the same millisecond
            await asyncio.sleep(rng.uniform(0, think))
        for r in range(rounds):
            for step in range(EDITS_PER_PREVIEW + 1):
                if time.monotonic() > deadline:
                    return
                if step < EDITS_PER_PREVIEW:
                    validations.append(await _validate(person, r + step))
                else:
                    previews.append(await _preview(person))
                if think:
                    await asyncio.sleep(HTMX_DELAY + rng.expovariate(1 / (think - HTMX_DELAY)))

    await asyncio.gather(*(one(p, random.Random(seed + i)) for i, p in enumerate(people)))
    return validations, previews


async def _run(url: str, people: list[tuple[str, str]], *, rounds: int, saturated_rounds: int,
               think: float, budget: float, server: Server, out: WebRun) -> None:
    import httpx

    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    clients = [httpx.AsyncClient(base_url=url, timeout=60, limits=limits) for _ in people]
    persons = [_Person(e, d, c) for (e, d), c in zip(people, clients, strict=True)]
    try:
        for p in persons:  # one after the other: argon2 is slow on purpose, and not measured
            await _sign_in(p)
        for c in clients:  # from here on, each person's one connection of their own
            await c.aclose()
        for p in persons:  # each warms the server's caches once, not measured
            await _validate(p, 0)
            await _preview(p)
        cpu0, load_cpu0 = server.cpu_seconds(), time.process_time()
        t0 = time.perf_counter()
        out.validate, out.preview = await _work(persons, rounds, think,
                                                time.monotonic() + budget, seed=1)
        out.seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        out.saturated_validate, out.saturated_preview = await _work(
            persons, saturated_rounds, 0.0, time.monotonic() + budget, seed=2)
        out.saturated_seconds = time.perf_counter() - t0
        cpu1 = server.cpu_seconds()
        spent = {pid: cpu1[pid] - cpu0.get(pid, 0.0) for pid in cpu1}
        out.server_cpu = sum(spent.values())
        out.worker_cpu = sorted((v for pid, v in spent.items() if pid in server.workers()),
                                reverse=True)
        out.loadgen_cpu = time.process_time() - load_cpu0
    finally:
        for p in persons:
            if p.conn is not None:
                await p.conn.close()
        for c in clients:
            await c.aclose()


def run_web_load(root: Path, *, quick: bool, users: int = USERS, workers: int = 2) -> WebRun:
    """Start ``docgen serve --workers N`` over a fresh workspace, sign in `users` people and
    run the load (see the module's docstring)."""
    rounds, saturated = (1, 1) if quick else (6, 3)
    think = 0.4 if quick else THINK_SECONDS
    workspace, people = _workspace(root, users if not quick else min(users, 3))
    server = Server(workspace, workers)
    out = WebRun(users=len(people), workers=workers)
    try:
        server.wait()
        asyncio.run(_run(server.url, people, rounds=rounds, saturated_rounds=saturated,
                         think=think, budget=300.0, server=server, out=out))
    finally:
        server.stop()
    n = len(people)
    out.details = [
        (f"`docgen serve --workers {workers}` (uvicorn, SQLite) on the loopback; {n} people "
         f"signed in through the form, each editing a {DEAL_LINES}-line deal of their own: "
         f"{EDITS_PER_PREVIEW} live validations (htmx POST /deals/check) then 1 PO preview, "
         f"{rounds} time(s), {HTMX_DELAY * 1000:.0f} ms + on average "
         f"{(think - HTMX_DELAY) * 1000:.0f} ms between one person's requests"),
        (f"{len(out.validate)} validations and {len(out.preview)} previews in "
         f"{out.seconds:.1f} s ({(len(out.validate) + len(out.preview)) / out.seconds:.1f} "
         f"requests/s)"),
    ]
    if out.saturated_validate:
        rate = (len(out.saturated_validate) + len(out.saturated_preview)) / out.saturated_seconds
        out.details.append(
            f"saturated (the same {n} people, no pause at all): validation p50 "
            f"{percentile(out.saturated_validate, 50) * 1000:.0f} ms, p95 "
            f"{percentile(out.saturated_validate, 95) * 1000:.0f} ms; preview p50 "
            f"{percentile(out.saturated_preview, 50) * 1000:.0f} ms, p95 "
            f"{percentile(out.saturated_preview, 95) * 1000:.0f} ms; {rate:.0f} requests/s")
    total = (len(out.validate) + len(out.preview) + len(out.saturated_validate)
             + len(out.saturated_preview))
    out.details.append(f"CPU over both runs: server {out.server_cpu:.1f} s "
                       f"({out.server_cpu / max(total, 1) * 1000:.1f} ms a request; by worker "
                       f"{', '.join(f'{w:.1f} s' for w in out.worker_cpu)}), load "
                       f"generator {out.loadgen_cpu:.1f} s (on the same 2 cores)")
    return out


# ---------------------------------------------------------------------------------------------
# the two figures, from one run (whichever is asked for first starts it)

def _run_once(ctx: Any) -> WebRun:
    if "web" not in ctx.cache:
        ctx.cache["web"] = run_web_load(ctx.folder("web") / "ws", quick=ctx.quick)
    return ctx.cache["web"]  # type: ignore[no-any-return]


def _figure(ctx: Any, name: str, what: str, values: list[float], target_ms: float,
            others: str, *, first: bool) -> Any:
    from benchmarks.figures import Figure

    run = _run_once(ctx)
    p95 = percentile(values, 95)
    details = [f"p50 {percentile(values, 50) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, p99 "
               f"{percentile(values, 99) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms over "
               f"{len(values)} requests ({others})"]
    details += run.details if first else ["the same run as web_validate (see there)"]
    return Figure(name, f"web {what}, {run.users} users, {run.workers} workers: p95",
                  p95 * 1000, target_ms, "ms", details=details)


def web_validate(ctx: Any) -> Any:
    """Live validation in the web app (htmx POST of an edited deal, findings back): p95."""
    first = "web" not in ctx.cache
    run = _run_once(ctx)
    return _figure(ctx, "web_validate", "live validation", run.validate, 50,
                   f"previews at the same time: p95 {percentile(run.preview, 95) * 1000:.0f} ms",
                   first=first)


def web_preview(ctx: Any) -> Any:
    """The HTML preview of a 1-page PO in the web app, same load: p95."""
    first = "web" not in ctx.cache
    run = _run_once(ctx)
    return _figure(ctx, "web_preview", "1-page PO preview", run.preview, 250,
                   f"live validations at the same time: p95 "
                   f"{percentile(run.validate, 95) * 1000:.0f} ms", first=first)
