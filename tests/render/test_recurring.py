"""A recurring line's quantity cell: "10 seats × 36 months", in the document's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import example_data
from tests.docs import document_context


@pytest.mark.parametrize(("locale", "first", "second"), [
    ("en_US", "10 seats × 36 months", "5 seats × 24 months"),
    ("de_DE", "10 Benutzer × 36 Monate", "5 Benutzer × 24 Monate"),
])
def test_recurring_line_prints_units_times_months(ws_path: Path, write_deal: Any, locale: str,
                                                  first: str, second: str) -> None:
    # given: the recurring sample deal in `locale`
    data = example_data("D-2026-0140")
    data["customer"]["locale"] = locale
    deal = write_deal(data)
    # when
    ctx = document_context(ws_path, deal, "po")
    # then: one cell says how many of what for how long; a one-off line is as before
    cells = [(ln.code, ln.quantity, ln.unit) for ln in ctx.lines]
    assert cells[1] == ("LIC-VIEWER", first, "")
    assert cells[2] == ("LIC-VIEWER", second, "")
    assert cells[0][:2] == ("LIC-ANL-PRO", "36") and cells[0][2]
