"""The scale run of issue 16 (bounded, loopback only): PostgreSQL, 2 ``docgen worker`` and 2
``docgen serve`` processes; N deals issued as final POs through the queue while a bounded load
generator posts validations to both web servers' ``POST /api/v1/validate``.

It checks what must hold whatever the load: ``po --queue`` exits 0, every deal has exactly one
issued PO, the numbers are ``PO-YEAR-000001`` … N with no gap, no void or reserved number is left,
the output folder holds exactly one PDF per PO, every queued document is done, and every HTTP
answer was 200. It prints its figures: wall time of the batch, POs per second, and the
validation latency under that load (p50, p95, max). ::

    python -m benchmarks.scale [--deals 500] [--users 20] [--think 0.25]

exits 1 when a check fails. ``make bench`` runs it as the figure ``scale`` (its value: validate p95
under load, beside §7's 50 ms for live validation); ``tests/jobs/test_scale.py`` runs 40 deals.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from benchmarks._cluster import Cluster, Skip, postgres
from benchmarks._data import ISSUE_DATE, deal_data, write_deals

if TYPE_CHECKING:
    from benchmarks.figures import Context, Figure

__all__ = ["ScaleReport", "main", "run_scale", "scale_figure"]

#: Bounds of the load generator, whatever happens to the batch.
MAX_SECONDS = 1800
MAX_REQUESTS = 200_000


@dataclass
class ScaleReport:
    """What one scale run measured and what it found wrong (nothing, when it passes)."""

    deals: int
    wall_s: float = 0.0
    requests: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    per_worker: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def pos_per_s(self) -> float:
        return self.deals / self.wall_s if self.wall_s else 0.0

    def pct(self, q: float) -> float:
        """The `q` quantile (0-1) of the validation latencies, in ms."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def lines(self) -> list[str]:
        """The figures, one per line."""
        return [
            f"{self.deals} final POs through the queue on 2 workers: {self.wall_s:.1f} s wall, "
            f"{self.pos_per_s:.2f} POs/s (per worker: "
            + ", ".join(f"{n} {c}" for n, c in sorted(self.per_worker.items())) + ")",
            f"validations under load on 2 web servers: {self.requests} requests, p50 "
            f"{self.pct(0.5):.1f} ms, p95 {self.pct(0.95):.1f} ms, max "
            f"{max(self.latencies_ms, default=float('nan')):.1f} ms",
            "checks: " + ("every PO exactly once, numbers gapless, no error" if not self.errors
                          else f"{len(self.errors)} FAILED: " + "; ".join(self.errors[:5]))]


class _Load:
    """`users` threads posting deals to `ports` in turn, each waiting `think` s between posts,
    until stopped or MAX_SECONDS / MAX_REQUESTS."""

    def __init__(self, ports: list[int], token: str, bodies: list[bytes], users: int,
                 think: float) -> None:
        self.ports, self.token, self.bodies = ports, token, bodies
        self.users, self.think = users, think
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.count = 0
        self.threads = [threading.Thread(target=self._user, args=(i,), daemon=True)
                        for i in range(users)]

    def __enter__(self) -> _Load:
        self.started = time.monotonic()
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)

    def _user(self, i: int) -> None:
        port = self.ports[i % len(self.ports)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/yaml"}
        n = i
        while not self.stop.is_set():
            with self.lock:
                if self.count >= MAX_REQUESTS or time.monotonic() - self.started > MAX_SECONDS:
                    return
                self.count += 1
            body = self.bodies[n % len(self.bodies)]
            n += self.users
            t0 = time.perf_counter()
            try:
                try:
                    conn.request("POST", "/api/v1/validate", body=body, headers=headers)
                    resp = conn.getresponse()
                except (ConnectionError, http.client.RemoteDisconnected):
                    # the server closed the kept-alive connection (as a browser would, reconnect)
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    t0 = time.perf_counter()
                    conn.request("POST", "/api/v1/validate", body=body, headers=headers)
                    resp = conn.getresponse()
                data = resp.read()
                ms = (time.perf_counter() - t0) * 1000
                ok = resp.status == 200 and json.loads(data)["deals"][0]["deal"]  # noqa: PLR2004
            except (OSError, http.client.HTTPException, ValueError, KeyError) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with self.lock:
                    self.errors.append(f"validate on :{port}: {type(exc).__name__}: {exc}")
                continue
            with self.lock:
                if ok:
                    self.latencies.append(ms)
                else:
                    self.errors.append(f"validate on :{port}: HTTP {resp.status} {data[:200]!r}")
            self.stop.wait(self.think)


def run_scale(root: Path, *, deals: int = 500, users: int = 20, think: float = 0.25,
              database_url: str | None = None,
              log: Callable[[str], None] = print) -> ScaleReport:
    """The run (see the module docstring) in `root`; on `database_url`, else a throwaway server
    (:class:`benchmarks._cluster.Skip` when there is none)."""
    if database_url is not None:
        return _run(root, database_url, deals, users, think, log)
    with postgres() as url:
        return _run(root, url, deals, users, think, log)


def _run(root: Path, url: str, deals: int, users: int, think: float,
         log: Callable[[str], None]) -> ScaleReport:
    report = ScaleReport(deals=deals)
    cluster = Cluster.create(root / "cluster", url)
    try:
        ws = cluster.call(lambda s: s.workspace)
        paths = write_deals(ws, root / "deals", deals, 3, prefix="D-SCALE")
        bodies = [yaml.safe_dump(deal_data(ws.catalogue, f"D-LOAD-{i:03d}", 3 + i % 4, seed=i),
                                 sort_keys=False).encode() for i in range(16)]
        workers = cluster.workers(2)
        ports = cluster.servers(2)
        out = root / "out"
        log(f"scale: {deals} deals, 2 workers, 2 web servers on ports {ports[0]} and {ports[1]}, "
            f"{users} validating users ({think:g} s between posts)")
        with _Load(ports, cluster.token, bodies, users, think) as load:
            time.sleep(min(2.0, think * 4))  # the load is on before the batch starts
            t0 = time.perf_counter()
            proc = cluster.docgen("po", *paths, "-o", out, "--format", "pdf", "--date",
                                  ISSUE_DATE.isoformat(), "--queue")
            report.wall_s = time.perf_counter() - t0
        report.requests = load.count
        report.latencies_ms = load.latencies
        report.errors += load.errors[:20]
        if proc.returncode != 0:
            report.errors.append(f"po --queue exited {proc.returncode}: {proc.stderr[-1500:]}")
        _check(cluster, report, out, [p.stem for p in paths])
        cluster.stop()  # the logs are complete now
        for name in workers:
            text = cluster.log(name)
            report.per_worker[name] = text.count(" po: PO-")
            bad = [ln for ln in text.splitlines() if "failed" in ln or "Traceback" in ln
                   or "blocked" in ln]
            report.errors += [f"{name}: {ln}" for ln in bad[:5]]
    finally:
        cluster.stop()
    return report


def _check(cluster: Cluster, report: ScaleReport, out: Path, deal_ids: list[str]) -> None:
    """Every PO exactly once, numbers gapless, files one per PO, every queued document done."""
    from docgen.store._queue import QueueBook

    docs, counts = cluster.call(lambda s: (s.documents(), QueueBook(s.store).counts()))
    year = ISSUE_DATE.year
    numbers = [d.number for d in docs]
    if numbers != [f"PO-{year}-{i:06d}" for i in range(1, len(deal_ids) + 1)]:
        report.errors.append(f"numbers are not PO-{year}-000001..{len(deal_ids)} without a gap: "
                             f"{len(numbers)} numbers, first {numbers[:3]}, last {numbers[-3:]}")
    not_issued = [d.number for d in docs if d.status != "issued"]
    if not_issued:
        report.errors.append(f"{len(not_issued)} number(s) not issued: {not_issued[:5]}")
    per_deal: dict[str, int] = {}
    for d in docs:
        per_deal[d.deal_id] = per_deal.get(d.deal_id, 0) + 1
    wrong = {k: v for k, v in per_deal.items() if v != 1}
    missing = sorted(set(deal_ids) - set(per_deal))
    if wrong or missing:
        report.errors.append(f"deals not issued exactly once: {len(wrong)} twice or more "
                             f"{list(wrong)[:3]}, {len(missing)} never {missing[:3]}")
    files = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    expected = sorted(f"{d.deal_id}-po-{d.number}.pdf" for d in docs)
    if files != expected:
        report.errors.append(f"the folder holds {len(files)} file(s), not one PDF per PO "
                             f"({len(expected)}): extra {sorted(set(files) - set(expected))[:3]}")
    if counts != {"done": len(deal_ids)}:
        report.errors.append(f"queued documents by status: {counts}")


def scale_figure(ctx: Context) -> Figure:
    """The ``scale`` figure of ``make bench``: validate p95 under the load of the run."""
    from benchmarks.figures import Figure

    deals = ctx.size(500, 20)
    title = f"scale: validate p95 while {deals} POs go through the queue"
    try:
        report = run_scale(ctx.root / "scale", deals=deals, users=ctx.size(20, 4),
                           log=lambda text: None)
    except Skip as why:
        return Figure("scale", title, float("nan"), 50, "ms", skipped=str(why))
    return Figure("scale", title, report.pct(0.95), 50, "ms", ok=not report.errors, details=[
        *report.lines(),
        ("2 `docgen worker` and 2 `docgen serve` processes, PostgreSQL, the load generator and "
         "`docgen po --queue` share this machine's cores; the target is §7's for live "
         "validation (20 users, nothing else running)")])


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.scale``: run, print the figures, exit 1 when a check failed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--deals", type=int, default=500)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--think", type=float, default=0.25,
                        help="seconds each user waits between two validations")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="docgen-scale-") as tmp:
        try:
            report = run_scale(Path(tmp), deals=args.deals, users=args.users, think=args.think)
        except Skip as why:
            print(f"skipped: {why}")
            return 0
    for line in report.lines():
        print(line)
    for e in report.errors:
        print(f"  error: {e}")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())

