"""Timing, peak memory and the WeasyPrint floor every render figure is divided by.

What "WeasyPrint's own time" means here (the fair floor): the exact HTML string docgen handed to
WeasyPrint, rendered with ``weasyprint.HTML(string=html, base_url=...).write_pdf(stylesheets=[...],
font_config=...)`` in the same warm process, with the same stylesheets parsed **once** into ``CSS``
objects, one ``FontConfiguration`` reused for every render, and called with the same frame-stack
room as docgen's renders (:class:`WeasyFloor`). That is the cheapest way WeasyPrint itself can
produce that page, so everything docgen adds (loading and validating the deal, building
the context, Jinja, the embedded JSON attachment, the PDF identifier, writing the file atomically
with fsync) counts against docgen. The HTML is captured by wrapping ``PdfEngine.pdf`` for one run,
so the floor follows whatever the templates produce today.

How the two are timed, on a shared 2-core machine where other people run test suites: the sides
alternate (AB, BA, …), each run starts from a collected heap, and the figure is the ratio of the
medians of the process's CPU time, plus, on docgen's side, the time its atomic write waited for
the disk (fsync). CPU time does not count the time a process waits for a core another program
holds, which wall-clock time does; the wall-clock ratio is printed beside it. ``--instructions``
also counts instructions under valgrind, which no load can disturb.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Captured",
    "Timings",
    "WeasyFloor",
    "capture_html",
    "child_env",
    "instructions_per_render",
    "interleaved",
    "median",
    "parallel_capacity",
    "pdf_pages",
    "run_child",
    "write_wait",
]

REPO = Path(__file__).resolve().parent.parent


def median(values: Sequence[float]) -> float:
    """The median of `values`."""
    return float(statistics.median(values))


@dataclass
class Timings:
    """Wall-clock and CPU seconds of repeated runs of one side of a comparison."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def interleaved(first: Callable[[], object], second: Callable[[], object], rounds: int
                ) -> tuple[Timings, Timings]:
    """Time `first` and `second` alternately (AB, BA, AB, …) so that drift hits both alike.

    Each run starts from a collected heap (``gc.collect()``, not timed): otherwise a full
    collection made necessary by one side's garbage lands, at random, in the other side's run, and
    on a 1-page PO such a collection costs as much as the difference being measured.
    """
    a, b = Timings(), Timings()
    for i in range(rounds):
        order = ((first, a), (second, b)) if i % 2 == 0 else ((second, b), (first, a))
        for fn, out in order:
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            out.wall.append(time.perf_counter() - t0)
            out.cpu.append(time.process_time() - c0)
    return a, b


@dataclass(frozen=True)
class Captured:
    """What docgen handed to WeasyPrint for one document."""

    html: str
    stylesheets: tuple[str, ...]


@contextmanager
def capture_html() -> Iterator[list[Captured]]:
    """Within the block, ``PdfEngine.pdf`` records its HTML and returns a stub (no layout)."""
    from docgen.render.pdf import PdfEngine

    seen: list[Captured] = []
    original = PdfEngine.pdf

    def record(self: Any, html: str, *, stylesheets: Sequence[str], **_: Any) -> bytes:
        seen.append(Captured(html, tuple(stylesheets)))
        return b"%PDF-1.7\n% captured by benchmarks\n"

    PdfEngine.pdf = record  # type: ignore[assignment,method-assign]
    try:
        yield seen
    finally:
        PdfEngine.pdf = original  # type: ignore[method-assign]


@contextmanager
def write_wait() -> Iterator[list[float]]:
    """Within the block, the seconds docgen's document writes spent off the CPU (fsync), per call.

    CPU time leaves out the time a process waits for the disk; docgen's only such wait of its own
    is writing the document (each format to a temporary file with fsync, then published), so that
    is added back to its side.
    """
    from docgen.api import _render as documents  # where the session writes documents

    waits: list[float] = []
    original = documents.write_temp

    def timed(path: Path, data: bytes) -> Path:
        c0, t0 = time.process_time(), time.perf_counter()
        out = original(path, data)
        waits.append(max(0.0, (time.perf_counter() - t0) - (time.process_time() - c0)))
        return out

    documents.write_temp = timed  # type: ignore[assignment]
    try:
        yield waits
    finally:
        documents.write_temp = original


def _spin(loops: int) -> None:
    total = 0
    for i in range(loops):
        total += i * i % 7


def parallel_capacity(work: int = 4_000_000) -> float:
    """How many cores this process can get right now: a CPU-bound loop in 2 processes ÷ in 1.

    2.0 on an idle 2-core machine; less when other programs keep cores busy. It bounds what any
    ``--jobs 2`` speed-up can be at that moment.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    t0 = time.perf_counter()
    _spin(work)
    one = time.perf_counter() - t0
    procs = [ctx.Process(target=_spin, args=(work,)) for _ in range(2)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    two = time.perf_counter() - t0
    return 2 * one / two


class WeasyFloor:
    """WeasyPrint alone, at its best: stylesheets parsed once, one FontConfiguration reused.

    It is called the way docgen calls it, through ``call_with_stack_room``: on CPython 3.11/3.12
    the cost of a render otherwise depends on the depth of the Python stack it is called from
    (see :mod:`docgen.render._stack`), which would make the floor faster or slower by accident.
    """

    def __init__(self, templates_dir: Path, stylesheets: Sequence[str]) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self._wp = weasyprint
        self.base_url = templates_dir.resolve().as_uri() + "/"
        self.font_config = FontConfiguration()
        self.css = [weasyprint.CSS(string=(templates_dir / "css" / n).read_text("utf-8"),
                                   base_url=self.base_url, font_config=self.font_config)
                    for n in stylesheets]

    def _write(self, html: str) -> bytes | None:
        doc = self._wp.HTML(string=html, base_url=self.base_url)
        out = doc.write_pdf(stylesheets=self.css, font_config=self.font_config)
        return out if isinstance(out, bytes) else None

    def render(self, html: str) -> bytes:
        """Lay out `html` and return the PDF bytes."""
        from docgen.render._stack import call_with_stack_room

        out = call_with_stack_room(self._write, html)
        assert isinstance(out, bytes)
        return out


def child_env(**extra: str) -> dict[str, str]:
    """The environment of benchmark subprocesses: no workspace or database of the user's."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DOCGEN_WORKSPACE", "DOCGEN_DATABASE_URL")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def run_child(args: Sequence[str], *, timeout: float = 1800) -> dict[str, Any]:
    """Run ``python -m benchmarks._child ARGS`` in a fresh process; return the JSON it prints."""
    proc = subprocess.run([sys.executable, "-m", "benchmarks._child", *args], capture_output=True,
                          text=True, env=child_env(), cwd=REPO, timeout=timeout, check=False)
    if proc.returncode != 0:
        msg = f"benchmark child {args[0]} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
        raise RuntimeError(msg)
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def instructions_per_render(args: Sequence[str]) -> float | None:
    """Instructions one render costs, counted by valgrind (None when valgrind is missing).

    Counting is immune to other load on the machine, unlike any clock. ``python -m
    benchmarks._child repeat SIDE N …`` runs under cachegrind with N = 1 and N = 4; the difference
    divided by 3 is one warm render, start-up and warm-up cancelled out.
    """
    import re
    import shutil

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    counts = []
    for times in (1, 4):
        side, *rest = args
        proc = subprocess.run([valgrind, "--tool=cachegrind", "--cache-sim=no",
                               "--cachegrind-out-file=/dev/null", sys.executable, "-m",
                               "benchmarks._child", "repeat", side, str(times), *rest],
                              capture_output=True, text=True, env=child_env(), cwd=REPO,
                              timeout=3600, check=False)
        found = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
        if proc.returncode != 0 or found is None:
            msg = f"valgrind run failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
            raise RuntimeError(msg)
        counts.append(int(found.group(1).replace(",", "")))
    return (counts[1] - counts[0]) / 3


def pdf_pages(path: Path) -> int:
    """Number of pages of a PDF file."""
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)
