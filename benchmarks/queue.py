"""SPEC §7: the batch of 200 one-page POs on 2 ``docgen worker`` processes through the job queue,
÷ the same batch with ``docgen po --jobs 1``; target ≤ 0.60.

Both sides are whole ``docgen po`` processes over the same workspace on the same PostgreSQL
database (a throwaway server, see :mod:`benchmarks._cluster`), timed from start to exit:
``--queue`` enqueues one job per deal and follows the batch until the two workers (started
before, warmed on a small batch, as workers run in production) have written every PDF;
``--jobs 1`` renders in its own process. Drafts, as in the ``batch`` figure. Without PostgreSQL
the figure is skipped, saying why.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from benchmarks._cluster import Cluster, Skip, postgres
from benchmarks._data import ISSUE_DATE, write_deals
from benchmarks._measure import median

if TYPE_CHECKING:
    from benchmarks.figures import Context, Figure

__all__ = ["queue_batch"]

TITLE = "same batch on 2 `docgen worker`s via the queue ÷ --jobs 1"
TARGET = 0.60


def queue_batch(ctx: Context) -> Figure:
    """The figure (see the module docstring)."""
    from benchmarks.figures import ONE_PAGE_LINES, Figure

    count, rounds = ctx.size(200, 6), ctx.size(3, 1)
    title = f"batch of {count} 1-page POs: {TITLE}"
    try:
        with postgres() as url:
            cluster = Cluster.create(ctx.root / "queue", url)
            try:
                return _measure(ctx, cluster, count, rounds, title, ONE_PAGE_LINES, Figure)
            finally:
                cluster.stop()
    except Skip as why:
        return Figure("queue_batch", title, float("nan"), TARGET, "x", skipped=str(why))


def _measure(ctx: Context, cluster: Cluster, count: int, rounds: int, title: str, lines: int,
             figure: type[Figure]) -> Figure:
    deals = write_deals(cluster.call(lambda s: s.workspace), ctx.folder("queue-deals"), count,
                        lines)
    warm = write_deals(cluster.call(lambda s: s.workspace), ctx.folder("queue-warm"), 6, lines,
                       prefix="D-QWARM")
    cluster.workers(2)
    times: dict[str, list[float]] = {"queue": [], "jobs1": []}

    def run(how: str, batch: list, n: int = count) -> float:  # type: ignore[type-arg]
        out = ctx.folder(f"queue-out-{how}")
        extra = ["--queue"] if how != "jobs1" else ["--jobs", "1"]
        t0 = time.perf_counter()
        proc = cluster.docgen("po", *batch, "-o", out, "--format", "pdf", "--draft", "--date",
                              ISSUE_DATE.isoformat(), *extra)
        elapsed = time.perf_counter() - t0
        made = len(list(out.glob("*.pdf")))
        if proc.returncode != 0 or made != n:
            msg = (f"docgen po {' '.join(extra)} exited {proc.returncode} with {made}/{n} "
                   f"PDFs:\n{proc.stderr[-3000:]}\n{cluster.log('worker1')[-2000:]}")
            raise RuntimeError(msg)
        return elapsed

    run("warm", warm, len(warm))  # both workers render a few: their renderers are warm
    run("jobs1", warm, len(warm))  # the bytecode and file caches are warm
    for i in range(rounds):
        for how in (("jobs1", "queue") if i % 2 == 0 else ("queue", "jobs1")):
            times[how].append(run(how, deals))
    jobs = {name: cluster.log(name).count(": draft -> ") for name in ("worker1", "worker2")}
    t1, tq = median(times["jobs1"]), median(times["queue"])
    return figure("queue_batch", title, tq / t1, TARGET, "x", details=[
        (f"`docgen po … --format pdf --draft --queue` with 2 `docgen worker` processes already "
         f"running, ÷ `docgen po … --jobs 1`; both whole processes on PostgreSQL, wall-clock "
         f"median of {rounds} run(s) each"),
        (f"--jobs 1 {t1:.2f} s ({t1 / count * 1000:.0f} ms/PO); through the queue {tq:.2f} s "
         f"({tq / count * 1000:.0f} ms/PO, {count / tq:.1f} POs/s)"),
        f"documents rendered per worker over the run: {jobs['worker1']} and {jobs['worker2']}"])
