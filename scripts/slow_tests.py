"""Write tests/slow_tests.txt: the tests `make test-fast` leaves out because they take long.

Usage: ``python -m pytest -m 'not slow' --durations=0 -q > report.txt`` then
``python scripts/slow_tests.py report.txt [SECONDS]``. Every test whose setup, call and teardown
took SECONDS or more (default 0.5) in that run is listed; tests/conftest.py marks them ``slow``.
``make test`` runs them all the same; the list only keeps the inner loop under a minute.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

LINE = re.compile(r"^(\d+(?:\.\d+)?)s (?:setup|call|teardown)\s+(\S.*)$")


def main(argv: list[str]) -> int:
    report = Path(argv[0]).read_text("utf-8")
    threshold = float(argv[1]) if len(argv) > 1 else 0.5
    spent: dict[str, float] = defaultdict(float)
    for line in report.splitlines():
        m = LINE.match(line.strip())
        if m:
            spent[m.group(2).strip()] += float(m.group(1))
    old = Path(__file__).resolve().parents[1] / "tests" / "slow_tests.txt"
    keep = {ln for ln in old.read_text("utf-8").splitlines()
            if ln and not ln.startswith("#")} if old.exists() else set()
    slow = sorted({t for t, s in spent.items() if s >= threshold} | (keep - set(spent)))
    header = ("# Tests `make test-fast` leaves out (each took >= "
              f"{threshold} s); regenerate with scripts/slow_tests.py\n")
    old.write_text(header + "".join(f"{t}\n" for t in slow), "utf-8")
    print(f"{len(slow)} slow tests listed in {old}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
