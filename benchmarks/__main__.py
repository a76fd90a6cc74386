"""``python -m benchmarks [--quick] [--only NAME…] [--json F] [--instructions] [--strict]``: SPEC §7.

Prints the machine (cores, load, versions), then each figure as it finishes and a closing table of
every figure beside its target with PASS or FAIL. Exit status: 0 when every benchmark ran (whatever
the figures), 1 with ``--strict`` when a figure misses its target, 2 when a benchmark could not run
(docgen failed to render or validate): that is what the smoke test guards against.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

from benchmarks.figures import FIGURES, Context, Figure


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes: checks that the benchmarks run, the figures mean nothing")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help=f"run only these figures (repeat or comma-separate): "
                             f"{', '.join(FIGURES)}")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--instructions", action="store_true",
                        help="also count the instructions of a 1-page render under valgrind "
                             "(figure one_page; immune to load, adds a few minutes)")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a figure misses its target")
    args = parser.parse_args(argv)
    names = [n.strip() for item in args.only for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    args.names = names or list(FIGURES)
    return args


def _value(fig: Figure) -> str:
    if fig.unit == "x":
        return f"{fig.value:.3f}"
    if fig.unit == "s":
        return f"{fig.value:.3f} s"
    if fig.unit == "ms":
        return f"{fig.value:.1f} ms"
    return f"{fig.value:,.0f} {fig.unit}"


def _target(fig: Figure) -> str:
    op = "≥" if fig.higher_is_better else "≤"
    if fig.unit == "x":
        return f"{op} {fig.target:.2f}"
    if fig.unit == "s":
        return f"{op} {fig.target:.2f} s"
    return f"{op} {fig.target:,.0f} {fig.unit}"


def _header(quick: bool) -> str:
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        affinity = os.cpu_count() or 1
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    quick_note = " — QUICK: tiny sizes, figures not meaningful" if quick else ""
    return (f"docgen benchmarks (SPEC §7){quick_note}\n"
            f"machine: {os.cpu_count()} cores ({affinity} usable), load average {load}, "
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"WeasyPrint {version('weasyprint')}, pydantic {version('pydantic')}")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen figures; print them beside their targets."""
    args = _parse(argv)
    print(_header(args.quick), flush=True)
    figures: list[Figure] = []
    errors: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="docgen-bench-") as tmp:
        ctx = Context(root=Path(tmp), quick=args.quick, instructions=args.instructions)
        for name in args.names:
            t0, load0 = time.perf_counter(), os.getloadavg()[0]
            try:
                fig = FIGURES[name](ctx)
            except Exception as exc:  # noqa: BLE001 - report it, run the other figures
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
                print(f"\n[{name}] ERROR: {type(exc).__name__}: {exc}", flush=True)
                traceback.print_exc()
                continue
            figures.append(fig)
            if fig.skipped is not None:
                print(f"\n[{name}] {fig.title}: skipped: {fig.skipped}", flush=True)
                continue
            fig.details.append(f"load average (1 min) {load0:.2f} before, "
                               f"{os.getloadavg()[0]:.2f} after: other programs' use of the cores")
            verdict = "PASS" if fig.passed else "FAIL"
            print(f"\n[{name}] {fig.title}: {_value(fig)} (target {_target(fig)}) {verdict}"
                  f"  [{time.perf_counter() - t0:.0f} s]", flush=True)
            for line in fig.details:
                print(f"    {line}", flush=True)
    width = max((len(f.title) for f in figures), default=10)
    print(f"\n{'figure':<{width}}  {'measured':>16}  {'target':>16}  result")
    for fig in figures:
        if fig.skipped is not None:
            print(f"{fig.title:<{width}}  {'-':>16}  {_target(fig):>16}  skipped: {fig.skipped}")
            continue
        print(f"{fig.title:<{width}}  {_value(fig):>16}  {_target(fig):>16}  "
              f"{'PASS' if fig.passed else 'FAIL'}")
    for e in errors:
        print(f"{'ERROR':<{width}}  {e}")
    print(f"({time.perf_counter() - started:.0f} s; reproduce with `make bench`, "
          f"or `python -m benchmarks --only NAME`)")
    if args.json:
        args.json.write_text(json.dumps({
            "cores": os.cpu_count(), "quick": args.quick,
            "figures": [{**asdict(f), "passed": f.passed} for f in figures
                        if f.skipped is None],
            "skipped": [{"name": f.name, "reason": f.skipped} for f in figures
                        if f.skipped is not None], "errors": errors,
        }, indent=2), "utf-8")
    if errors:
        return 2
    return 1 if args.strict and not all(f.passed for f in figures if f.skipped is None) else 0


if __name__ == "__main__":
    sys.exit(main())
