"""The figures of SPEC §7, one function each, in the table's order (the web app's two in
:mod:`benchmarks._web`), and the scale run.

Each takes a :class:`Context` (a private workspace in a temporary folder, the size) and returns a
:class:`Figure`: the measured value, its target and the raw numbers behind it.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks._data import ISSUE_DATE, copy_workspace, write_deals
from benchmarks._measure import (
    REPO,
    Captured,
    WeasyFloor,
    capture_html,
    child_env,
    instructions_per_render,
    interleaved,
    median,
    parallel_capacity,
    pdf_pages,
    run_child,
    write_wait,
)
from benchmarks._web import web_preview, web_validate
from docgen.workspace import Workspace

__all__ = ["FIGURES", "Context", "Figure"]

#: Lines of a generated deal whose draft PO fits on one page, whichever SKUs it starts with.
ONE_PAGE_LINES = 3

#: Top-level packages `docgen validate` must never import: the renderers and the database layer.
RENDERERS = ("weasyprint", "docxtpl", "docx", "pypdf", "pydyf", "tinycss2", "tinyhtml5",
             "fontTools", "PIL", "jinja2", "facturx", "lxml", "sqlalchemy", "alembic", "psycopg",
             "docgen.render")


@dataclass
class Figure:
    """One line of the SPEC §7 table: measured value beside its target."""

    name: str
    title: str
    value: float
    target: float
    unit: str                       # "x" (a ratio), "s" or "deals/s"
    higher_is_better: bool = False
    details: list[str] = field(default_factory=list)
    ok: bool = True                 # False when a condition beyond the number fails
    skipped: str | None = None      # why the figure could not be measured here (no value)

    @property
    def passed(self) -> bool:
        """True when the value meets the target (and any extra condition holds)."""
        if self.skipped is not None:
            return False
        meets = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return meets and self.ok


@dataclass
class Context:
    """Where a run works and how big it is."""

    root: Path
    quick: bool
    instructions: bool = False      # also count instructions under valgrind (figure a)
    log: Callable[[str], None] = print
    _session: Any = field(default=None, repr=False)
    small_html: str | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # what several figures share

    @property
    def session(self) -> Any:
        """A session on a private copy of the sample workspace (loaded and lock-checked once)."""
        if self._session is None:
            from docgen import api

            copy_workspace(self.root / "ws")
            self._session = api.Session(self.root / "ws")
        return self._session

    @property
    def ws(self) -> Workspace:
        """The private copy of the sample workspace."""
        return self.session.workspace  # type: ignore[no-any-return]

    def folder(self, name: str) -> Path:
        """A fresh, empty folder under the run's temporary root."""
        path = self.root / name
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        return path

    def size(self, full: int, quick: int) -> int:
        """`full`, or `quick` under ``--quick``."""
        return quick if self.quick else full

    def pyc_env(self) -> dict[str, str]:
        """Child environment with a bytecode cache, as an installed package has (see figure d)."""
        env = child_env(PYTHONPYCACHEPREFIX=str(self.root / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env


# ---------------------------------------------------------------------------------------------
# (a), (b): docgen's whole path ÷ WeasyPrint on the same HTML, in one warm process

def _render_ratio(ctx: Context, *, name: str, title: str, n_lines: int, rounds: int,
                  target: float) -> Figure:
    from docgen import api

    ws = ctx.ws
    [deal] = write_deals(ws, ctx.folder(f"{name}-deal"), 1, n_lines)
    out = ctx.folder(f"{name}-out")

    def docgen() -> None:
        batch = ctx.session.render(api.DocumentKind.PO, [deal], formats=("pdf",), out_dir=out, draft=True,
                                     issue_date=ISSUE_DATE, jobs=1)
        if not batch.ok:
            msg = f"docgen could not render {deal.name}: {batch.failed or batch.blocked}"
            raise RuntimeError(msg)

    with capture_html() as seen:
        docgen()
    captured = seen[-1]
    floor = WeasyFloor(ws.templates_dir, captured.stylesheets)
    floor.render(_warm(ctx))  # docgen's per-process engine and the floor's fonts, on a small page
    if n_lines <= 20:  # cheap enough to warm on the very page too
        docgen()
        floor.render(captured.html)
    with write_wait() as waits:
        ours, theirs = interleaved(docgen, lambda: floor.render(captured.html), rounds)
    if len(waits) != len(ours.cpu):  # pragma: no cover - docgen changed how it writes files
        waits = [0.0] * len(ours.cpu)
    d = median([c + w for c, w in zip(ours.cpu, waits, strict=True)])
    w = median(theirs.cpu)
    wall_d, wall_w = median(ours.wall), median(theirs.wall)
    pages = pdf_pages(next(out.glob("*.pdf")))
    fig = Figure(name, title, d / w, target, "x", details=[
        (f"{n_lines} lines, {pages} page(s), draft PDF; medians of {rounds} interleaved pairs, "
         "each run from a collected heap"),
        (f"CPU time (+ docgen's own fsync wait, median {median(waits) * 1000:.1f} ms): docgen "
         f"{d * 1000:.1f} ms (load + validate + context + Jinja + WeasyPrint + attachment + atomic "
         f"write), WeasyPrint alone {w * 1000:.1f} ms: docgen's own {(d - w) * 1000:+.1f} ms"),
        (f"wall clock (suffers from other load on the machine): docgen {wall_d * 1000:.1f} ms, "
         f"WeasyPrint {wall_w * 1000:.1f} ms, ratio {wall_d / wall_w:.3f}"),
    ])
    if ctx.instructions and n_lines <= 20:
        fig.details.append(_instructions(ctx, deal, out, captured))
    return fig


def _instructions(ctx: Context, deal: Path, out: Path, captured: Captured) -> str:
    html_file = ctx.root / "instructions.html"
    html_file.write_text(captured.html, "utf-8")
    common = [str(ctx.ws.root), str(deal), str(out), str(html_file), *captured.stylesheets]
    ours = instructions_per_render(["docgen", *common])
    theirs = instructions_per_render(["weasyprint", *common])
    if ours is None or theirs is None:
        return "instructions: valgrind is not installed"
    return (f"instructions per render (valgrind, immune to load): docgen {ours / 1e6:.1f} M, "
            f"WeasyPrint {theirs / 1e6:.1f} M, ratio {ours / theirs:.3f}")


def _warm(ctx: Context) -> str:
    """Render a small draft with docgen (warming its engine); return that page's HTML."""
    from docgen import api

    [deal] = write_deals(ctx.ws, ctx.folder("warm-deal"), 1, 3, prefix="D-WARM")
    out = ctx.folder("warm-out")
    if ctx.small_html is None:
        with capture_html() as seen:
            ctx.session.render(api.DocumentKind.PO, [deal], formats=("pdf",), out_dir=out, draft=True,
                                 issue_date=ISSUE_DATE, jobs=1)
        ctx.small_html = seen[-1].html
    ctx.session.render(api.DocumentKind.PO, [deal], formats=("pdf",), out_dir=out, draft=True,
                         issue_date=ISSUE_DATE, jobs=1)
    return ctx.small_html


def one_page(ctx: Context) -> Figure:
    """(a) One 1-page PO, in one process: docgen's whole path ÷ WeasyPrint on the same HTML."""
    return _render_ratio(ctx, name="one_page", title="1-page PO: docgen ÷ WeasyPrint",
                         n_lines=ONE_PAGE_LINES, rounds=ctx.size(25, 2), target=1.05)


def long_po(ctx: Context) -> Figure:
    """(b) A 900-line PO, same ratio."""
    n = ctx.size(900, 40)
    return _render_ratio(ctx, name="long_po", title=f"{n}-line PO: docgen ÷ WeasyPrint",
                         n_lines=n, rounds=ctx.size(3, 1), target=1.05)


# ---------------------------------------------------------------------------------------------
# (a'): one PO from the shell: the whole `docgen po` process ÷ the whole `weasyprint` command

def po_process(ctx: Context) -> Figure:
    """`docgen po` of one 1-page draft, whole process ÷ the `weasyprint` command on the same HTML."""
    from docgen import api

    rounds = ctx.size(9, 2)
    [deal] = write_deals(ctx.ws, ctx.folder("process-deal"), 1, ONE_PAGE_LINES, prefix="D-PROC")
    with capture_html() as seen:
        ctx.session.render(api.DocumentKind.PO, [deal], formats=("pdf",),
                           out_dir=ctx.folder("process-html"), draft=True,
                           issue_date=ISSUE_DATE, jobs=1)
    html_file = ctx.root / "process.html"
    html_file.write_text(seen[-1].html, "utf-8")
    css = [str(ctx.ws.templates_dir / "css" / n) for n in seen[-1].stylesheets]
    out = ctx.folder("process-out")
    env = ctx.pyc_env()
    ours = [sys.executable, "-m", "docgen", "-w", str(ctx.ws.root), "po", str(deal), "-o",
            str(out), "--format", "pdf", "--draft", "--date", ISSUE_DATE.isoformat(),
            "--jobs", "1"]
    theirs = [sys.executable, "-m", "weasyprint", "-u", ctx.ws.templates_dir.as_uri() + "/",
              *(a for c in css for a in ("-s", c)), str(html_file), str(ctx.root / "wp.pdf")]
    wall: dict[str, list[float]] = {"docgen": [], "weasyprint": []}
    cpu: dict[str, list[float]] = {"docgen": [], "weasyprint": []}

    def run(side: str, cmd: list[str]) -> None:
        before = _children_cpu()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO,
                              check=False, timeout=300)
        wall[side].append(time.perf_counter() - t0)
        cpu[side].append(_children_cpu() - before)
        if proc.returncode != 0:
            msg = f"{side} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
            raise RuntimeError(msg)

    run("docgen", ours)  # writes both sides' bytecode caches (and Jinja's) first
    run("weasyprint", theirs)
    for side in wall:
        wall[side].clear()
        cpu[side].clear()
    for i in range(rounds):
        pair = (("docgen", ours), ("weasyprint", theirs))
        for side, cmd in (pair if i % 2 == 0 else pair[::-1]):
            run(side, cmd)
    d, w = median(wall["docgen"]), median(wall["weasyprint"])
    cd, cw = median(cpu["docgen"]), median(cpu["weasyprint"])
    return Figure("po_process", "`docgen po` of one 1-page draft ÷ `weasyprint` command, "
                  "whole processes", d / w, 1.15, "x", details=[
                      (f"wall-clock medians of {rounds} interleaved pairs (bytecode cached, as "
                       f"after `pip install`): `docgen po … --draft --jobs 1` {d:.3f} s, "
                       f"`python -m weasyprint` on the HTML docgen lays out {w:.3f} s"),
                      (f"CPU time including child processes: docgen {cd:.3f} s, WeasyPrint "
                       f"{cw:.3f} s (ratio {cd / cw:.3f}); the `weasyprint` command starts ~200 "
                       "child processes (ldconfig, gcc, ld) looking for its libraries, docgen "
                       "none (docgen.render._weasy)")])


# ---------------------------------------------------------------------------------------------
# (c): a batch with --jobs 2 ÷ --jobs 1, whole CLI process

def batch(ctx: Context) -> Figure:
    """(c) `docgen po` of 200 one-page drafts: wall time with --jobs 2 ÷ --jobs 1 (the CLI)."""
    count, rounds = ctx.size(200, 6), ctx.size(3, 1)
    deals = write_deals(ctx.ws, ctx.folder("batch-deals"), count, ONE_PAGE_LINES)
    env = ctx.pyc_env()
    times: dict[int, list[float]] = {1: [], 2: []}
    cores: dict[int, list[float]] = {1: [], 2: []}

    def run(jobs: int) -> None:
        out = ctx.folder(f"batch-out-{jobs}")
        cmd = [sys.executable, "-m", "docgen", "-w", str(ctx.ws.root), "po", *map(str, deals),
               "-o", str(out), "--format", "pdf", "--draft", "--date", ISSUE_DATE.isoformat(),
               "--jobs", str(jobs)]
        before = _children_cpu()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO,
                              check=False, timeout=3600)
        elapsed = time.perf_counter() - t0
        made = len(list(out.glob("*.pdf")))
        if proc.returncode != 0 or made != count:
            msg = (f"docgen po --jobs {jobs} exited {proc.returncode} with {made}/{count} PDFs:\n"
                   f"{proc.stderr[-3000:]}")
            raise RuntimeError(msg)
        times[jobs].append(elapsed)
        cores[jobs].append((_children_cpu() - before) / elapsed)

    run(1)  # warm-up: writes the bytecode cache, warms the OS file cache
    capacity = [parallel_capacity()]
    for i in range(rounds):
        for jobs in ((1, 2) if i % 2 == 0 else (2, 1)):
            run(jobs)
    capacity.append(parallel_capacity())
    pages = {pdf_pages(p) for p in (ctx.root / "batch-out-1").glob("*.pdf")}
    t1, t2 = median(times[1]), median(times[2])
    return Figure("batch", f"batch of {count} 1-page POs: --jobs 2 ÷ --jobs 1", t2 / t1, 0.55,
                  "x", details=[
                      (f"`docgen po … --format pdf --draft --jobs N` as a whole process (CLI), "
                       f"wall-clock median of {rounds} run(s) each; pages per PO: "
                       f"{', '.join(map(str, sorted(pages)))}"),
                      (f"--jobs 1 {t1:.2f} s ({t1 / count * 1000:.0f} ms/PO) using "
                       f"{median(cores[1]):.2f} cores, --jobs 2 {t2:.2f} s "
                       f"({t2 / count * 1000:.0f} ms/PO) using {median(cores[2]):.2f} cores"),
                      (f"cores this machine could give a 2-process job before/after: "
                       f"{capacity[0]:.2f}/{capacity[1]:.2f} (2.00 when idle), so the best ratio "
                       f"reachable then was about {1 / max(capacity):.2f}")])


def _children_cpu() -> float:
    """User + system CPU seconds of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------------------------------------
# (d), (e): validation

_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)$")


def _import_costs(stderr: str) -> tuple[set[str], dict[str, float]]:
    """Modules imported, and the ms spent importing each top-level package (self times summed)."""
    modules: set[str] = set()
    costs: dict[str, float] = {}
    for line in stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if m:
            name = m.group(4)
            modules.add(name)
            root = name.split(".")[0]
            costs[root] = costs.get(root, 0.0) + int(m.group(1)) / 1000
    return modules, costs


#: Third-party modules `docgen validate` cannot do without (the floor under figure d).
_VALIDATE_LIBRARIES = ("click", "pydantic", "yaml", "babel.numbers", "email_validator")


def _timed_run(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, env=env, cwd=REPO, check=True, timeout=120)
    return time.perf_counter() - t0


def validate_cold(ctx: Context) -> Figure:
    """(d) `docgen validate` of one deal, whole process, cold; it must not import the renderers."""
    runs = ctx.size(9, 2)
    [deal] = write_deals(ctx.ws, ctx.folder("cold-deal"), 1, 6, prefix="D-COLD")
    cmd = [sys.executable, "-m", "docgen", "-w", str(ctx.ws.root), "validate", str(deal)]
    env = ctx.pyc_env()

    cpu: list[float] = []

    def once(environment: dict[str, str]) -> float:
        before = _children_cpu()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=environment, cwd=REPO,
                              check=False, timeout=120)
        elapsed = time.perf_counter() - t0
        cpu.append(_children_cpu() - before)
        if proc.returncode not in (0, 1):  # 1: the deal is blocked, a valid answer too
            msg = f"docgen validate exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
            raise RuntimeError(msg)
        return elapsed

    # a workspace made by `docgen init` has its state folder, where validate keeps the email
    # verdicts of CUS001 (docgen.email_verdicts); the first run below writes them
    state = ctx.ws.root / ".docgen"
    state.mkdir(exist_ok=True)
    once(env)  # writes the bytecode cache, like the first run after `pip install`
    cpu.clear()
    seconds = median([once(env) for _ in range(runs)])
    cpu_seconds = median(cpu)

    def unseen(environment: dict[str, str]) -> float:
        shutil.rmtree(state / "cache", ignore_errors=True)
        return once(environment)

    first_time = median([unseen(env) for _ in range(ctx.size(5, 1))])
    proc = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], capture_output=True,
                          text=True, env=env, cwd=REPO, check=False, timeout=120)
    modules, costs = _import_costs(proc.stderr)
    total = sum(costs.values())
    bad = sorted(r for r in RENDERERS if any(m == r or m.startswith(r + ".") for m in modules))
    heavy = sorted(costs.items(), key=lambda kv: -kv[1])[:8]
    fig = Figure("validate_cold", "`docgen validate` of one deal, cold process", seconds, 0.25,
                 "s", ok=not bad, details=[
                     (f"`python -m docgen validate DEAL`, wall-clock median of {runs} runs "
                      f"(bytecode cached, as after `pip install`); CPU time {cpu_seconds:.3f} s"),
                     (f"the deal's addresses never validated in this workspace before (no "
                      f"cached email verdicts: email-validator is imported): {first_time:.3f} s"),
                     "renderers and database imported: " + (", ".join(bad) if bad else "none"),
                     f"imports: {len(modules)} modules, {total:.0f} ms under -X importtime "
                     "(which inflates); by package: "
                     + ", ".join(f"{n} {ms:.0f}" for n, ms in heavy)])
    libs = [sys.executable, "-c", f"import {', '.join(_VALIDATE_LIBRARIES)}"]
    lib_seconds = median([_timed_run(libs, env) for _ in range(runs)])
    fig.details.append(f"of which starting Python and importing the libraries validate needs "
                       f"({', '.join(_VALIDATE_LIBRARIES)}), nothing of docgen: {lib_seconds:.3f} s")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        plain = median([once(child_env()) for _ in range(ctx.size(3, 1))])
        fig.details.append(f"without a bytecode cache (PYTHONDONTWRITEBYTECODE is set here): "
                           f"{plain:.3f} s")
    return fig


def validate_rate(ctx: Context) -> Figure:
    """(e) Deals validated per second on one core, in process (`validate_deal` on loaded deals)."""
    from docgen import api
    from docgen.validate import validate_deal

    per_round, rounds = ctx.size(500, 20), ctx.size(5, 2)
    ws = ctx.ws
    cat, pol = ws.load_all()
    skus = ws.skus
    paths = write_deals(ws, ctx.folder("rate-deals"), per_round * rounds + 1, 6, prefix="D-RATE")
    loaded = ctx.session.load(paths)
    src, warm = loaded[0]
    validate_deal(warm, cat, pol, source=src, skus=skus)  # lazy imports of the rules happen here
    rates = []
    for r in range(rounds):  # every round validates deals never seen before (cold caches)
        chunk = loaded[1 + r * per_round: 1 + (r + 1) * per_round]
        t0 = time.perf_counter()
        for src, deal in chunk:
            validate_deal(deal, cat, pol, source=src, skus=skus)
        rates.append(len(chunk) / (time.perf_counter() - t0))
    again = time.perf_counter()
    for src, deal in loaded[1:per_round + 1]:
        validate_deal(deal, cat, pol, source=src, skus=skus)
    warm_rate = per_round / (time.perf_counter() - again)
    return Figure("validate_rate", "deals validated per second, one core", median(rates), 5000,
                  "deals/s", higher_is_better=True, details=[
                      (f"6-line deals, each with its own customer and email; median of {rounds} "
                       f"rounds of {per_round} deals never validated before"),
                      f"the same deals validated again (caches warm): {warm_rate:,.0f} deals/s"])


# ---------------------------------------------------------------------------------------------
# (f): peak memory, each side in a fresh process

def memory(ctx: Context) -> Figure:
    """(f) Peak RSS rendering a 2,000-line PO ÷ WeasyPrint's own peak on the same HTML."""
    from docgen import api

    n = ctx.size(2000, 60)
    [deal] = write_deals(ctx.ws, ctx.folder("memory-deal"), 1, n, prefix="D-MEM")
    with capture_html() as seen:
        ctx.session.render(api.DocumentKind.PO, [deal], formats=("pdf",), out_dir=ctx.folder("memory-html"),
                             draft=True, issue_date=ISSUE_DATE, jobs=1)
    html_file = ctx.root / "memory.html"
    html_file.write_text(seen[-1].html, "utf-8")
    ours = run_child(["docgen", str(ctx.ws.root), str(deal), str(ctx.folder("memory-out"))])
    theirs = run_child(["weasyprint", str(html_file), str(ctx.ws.templates_dir),
                        *seen[-1].stylesheets])
    d, w = ours["peak_rss_mib"], theirs["peak_rss_mib"]
    return Figure("memory", f"peak memory, {n}-line PO: docgen ÷ WeasyPrint", d / w, 1.10, "x",
                  details=[
                      ("peak RSS (VmHWM: ru_maxrss would include this benchmark's own peak, "
                       "carried over fork and exec) of a fresh process each: docgen's whole path "
                       "vs WeasyPrint alone on the same HTML"),
                      (f"docgen {d:.0f} MiB (before the render {ours['rss_before_mib']:.0f} MiB, "
                       f"{ours['seconds']:.1f} s), WeasyPrint {w:.0f} MiB (before "
                       f"{theirs['rss_before_mib']:.0f} MiB, {theirs['seconds']:.1f} s)")])


def queue_batch(ctx: Context) -> Figure:
    """(c') The same batch on 2 `docgen worker` processes through the queue ÷ --jobs 1."""
    from benchmarks.queue import queue_batch as measure

    return measure(ctx)


def scale(ctx: Context) -> Figure:
    """Issue 16's scale run: POs through the queue while the web app validates under load."""
    from benchmarks.scale import scale_figure

    return scale_figure(ctx)


FIGURES: dict[str, Callable[[Context], Figure]] = {
    "one_page": one_page,
    "po_process": po_process,
    "long_po": long_po,
    "batch": batch,
    "queue_batch": queue_batch,
    "validate_cold": validate_cold,
    "validate_rate": validate_rate,
    "memory": memory,
    "web_validate": web_validate,
    "web_preview": web_preview,
    "scale": scale,
}
