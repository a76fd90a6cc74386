"""Regenerate the rule table of README.md from the registry (a test checks they agree).

    .venv/bin/python scripts/readme_rules.py
"""

from __future__ import annotations

import re
from pathlib import Path

from docgen.rules import ALL_RULES

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rules_table() -> str:
    """The Markdown table of every rule."""
    rows = ["| code | name | severity | gate | fires when |", "|---|---|---|---|---|"]
    rows += [f"| {r.code} | `{r.name}` | {r.severity.value} | {r.gate.value} | {r.summary} |"
             for r in ALL_RULES]
    return "\n".join(rows)


def main() -> None:
    """Rewrite the table between the markers."""
    text = README.read_text("utf-8")
    new = re.sub(re.escape(START) + ".*?" + re.escape(END),
                 f"{START}\n{rules_table()}\n{END}", text, flags=re.S)
    README.write_text(new, "utf-8")


if __name__ == "__main__":
    main()
