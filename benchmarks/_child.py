"""One render in a fresh process, reporting its peak memory: ``python -m benchmarks._child KIND …``.

``docgen WS DEAL OUT``: docgen's whole path (load, validate, context, Jinja, WeasyPrint, write) for
a draft PDF. ``weasyprint HTML_FILE TEMPLATES_DIR CSS…``: WeasyPrint alone on the HTML docgen
produced, with the same stylesheets. Each prints one JSON line: peak RSS (``VmHWM`` of this
process, MiB), RSS before the render, and the render's wall time.
``repeat SIDE N WS DEAL OUT HTML_FILE CSS…`` renders one side N times after warming both, for
counting instructions under valgrind.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _rss_mib() -> float:
    """Peak RSS of this process image so far, in MiB.

    ``ru_maxrss`` alone is wrong here: Linux carries the parent's peak over fork and exec, so a
    child started by a benchmark that already holds 400 MiB reports at least 400 MiB. ``VmHWM``
    in /proc/self/status belongs to this image only; ``ru_maxrss`` is the fallback elsewhere.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:  # pragma: no cover - not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _docgen(ws_root: str, deal: str, out: str) -> dict[str, float]:
    from benchmarks._data import ISSUE_DATE
    from docgen import api

    session = api.Session(ws_root)
    before = _rss_mib()
    t0 = time.perf_counter()
    batch = session.render(api.DocumentKind.PO, [deal], formats=("pdf",), out_dir=Path(out),
                           draft=True, issue_date=ISSUE_DATE, jobs=1)
    seconds = time.perf_counter() - t0
    if not batch.ok:
        raise SystemExit(f"render failed: {batch.failed or batch.blocked}")
    return {"peak_rss_mib": _rss_mib(), "rss_before_mib": before, "seconds": seconds}


def _weasyprint(html_file: str, templates_dir: str, *stylesheets: str) -> dict[str, float]:
    from benchmarks._measure import WeasyFloor

    html = Path(html_file).read_text("utf-8")
    floor = WeasyFloor(Path(templates_dir), stylesheets)
    before = _rss_mib()
    t0 = time.perf_counter()
    floor.render(html)
    seconds = time.perf_counter() - t0
    return {"peak_rss_mib": _rss_mib(), "rss_before_mib": before, "seconds": seconds}


def _repeat(side: str, times: str, ws_root: str, deal: str, out: str, html_file: str,
            *stylesheets: str) -> dict[str, float]:
    """Warm up, then render the same page `times` times: for counting instructions (valgrind)."""
    from benchmarks._data import ISSUE_DATE
    from benchmarks._measure import WeasyFloor
    from docgen import api

    session = api.Session(ws_root)
    html = Path(html_file).read_text("utf-8")
    floor = WeasyFloor(session.workspace.templates_dir, stylesheets)

    def docgen() -> None:
        session.render(api.DocumentKind.PO, [deal], formats=("pdf",), out_dir=Path(out),
                       draft=True, issue_date=ISSUE_DATE, jobs=1)

    for _ in range(2):  # both sides warm, whichever is counted
        docgen()
        floor.render(html)
    render = docgen if side == "docgen" else (lambda: floor.render(html))
    for _ in range(int(times)):
        render()
    return {}


def main(argv: list[str]) -> None:
    """Dispatch on the first argument and print the JSON result."""
    kind, *args = argv
    result = {"docgen": _docgen, "weasyprint": _weasyprint, "repeat": _repeat}[kind](*args)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
