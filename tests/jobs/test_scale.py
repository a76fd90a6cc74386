"""The scale run of issue 16, small (40 deals): PostgreSQL, 2 `docgen worker` and 2 `docgen serve`
processes; final POs issued through the queue while a bounded load generator validates deals on
both web servers. What it checks is the point, not how fast (the full run, 500 deals, is
`python -m benchmarks.scale`, and the figure `scale` of `make bench`)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_scale_every_po_once_gapless_no_error_while_the_web_app_validates(
        tmp_path: Path, postgres_url: str) -> None:
    from benchmarks.scale import run_scale

    # when
    report = run_scale(tmp_path, deals=40, users=6, think=0.2, database_url=postgres_url,
                       log=lambda _text: None)
    # then: every check held (one PO per deal, numbers 1..40 without a gap, one file each,
    # every queued document done, every validation answered 200)
    assert report.errors == [], "\n".join(report.errors)
    assert report.requests > 0 and len(report.latencies_ms) == report.requests
    # both workers took part, and together they issued every PO
    assert sum(report.per_worker.values()) == 40
    assert all(n > 0 for n in report.per_worker.values()), report.per_worker
