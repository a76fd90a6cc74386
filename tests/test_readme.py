"""The README's generated parts agree with the code."""

from __future__ import annotations

import importlib.util

from tests.conftest import REPO


def test_readme_rule_table_matches_the_registry() -> None:
    spec = importlib.util.spec_from_file_location("readme_rules", REPO / "scripts" /
                                                  "readme_rules.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = (REPO / "README.md").read_text("utf-8")
    start, end = text.index(mod.START), text.index(mod.END)
    assert text[start + len(mod.START):end].strip() == mod.rules_table(), \
        "README rule table is stale: run scripts/readme_rules.py"


def test_readme_names_every_command() -> None:
    import click

    from docgen.cli import cli

    text = (REPO / "README.md").read_text("utf-8")
    names = cli.list_commands(click.Context(cli))
    assert "validate" in names and "serve" in names
    for name in names:
        assert cli.get_command(click.Context(cli), name) is not None, name
        assert f"docgen {name}" in text, name
