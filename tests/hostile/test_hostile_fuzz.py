"""Fuzzing: mutated deal, catalogue and policy files fed to the CLI give exit 0, 1 or 2, never a
traceback or an internal error, and never leave a partial file.

Two variants: in process through click's CliRunner (fast: ``DOCGEN_FUZZ_EXAMPLES``, default 400
examples of validate + draft HTML/DOCX), and real subprocesses (slow: ``DOCGEN_FUZZ_SUBPROCESS``,
default 30 examples, each a draft or a final PDF + DOCX through the store).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from docgen.workspace import sample_root

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out

IN_PROCESS = int(os.environ.get("DOCGEN_FUZZ_EXAMPLES", "400"))
SUBPROCESS = int(os.environ.get("DOCGEN_FUZZ_SUBPROCESS", "30"))
SAMPLE = sample_root()
DEALS = sorted((SAMPLE / "examples" / "deals").glob("*.yaml"))
TARGETS = {"catalogue": Path("skus/catalogue.yaml"), "policy": Path("skus/policy.yaml")}

#: Characters that mean something to YAML, Jinja, HTML, XML or a terminal, and a few odd ones.
NASTY = list(":{}[]&*!|>'\"#%@`-?,\n\t\\<>/$;=") + ["{{", "}}", "{%", "%}", "\x00", "\x0b",
                                                 "\ufffe", "\u202e", "é", "￥", "\U0001f600",
                                                 "&amp;", "]]>", "<!--", "file:///etc/passwd"]

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.lists(st.sampled_from(NASTY), max_size=8).map("".join),
    st.sampled_from(["0", "-1", "100.005", "1e309", "NaN", "12.5", "99999999999999999999.99",
                     "ZZZ-NOT-A-SKU", "LIC-ANL-PRO", "EUR", "JPY", "BHD", "XXX", "2026-02-30",
                     "2026-12-01", "de_DE", "xx_YY", "US", "DE", "", " "]),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.sampled_from(["sku", "quantity", "custom", "x", "date"]),
                    st.integers(min_value=-2, max_value=3), max_size=2),
)


@st.composite
def _data_mutation(draw: st.DrawFn, data: Any) -> Any:
    """Replace, delete or add one value somewhere in `data` (a copy)."""
    import copy

    data = copy.deepcopy(data)
    node, depth = data, 0
    while isinstance(node, dict | list) and node and depth < 6:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, dict | list) or not child or draw(st.booleans()):
            action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
            if action == "replace":
                node[key] = draw(VALUES)
            elif action == "delete":
                del node[key]
            elif isinstance(node, dict):
                node[draw(st.sampled_from(["extra", "typo_key", "Deal", "lines"]))] = draw(VALUES)
            else:
                node.append(draw(VALUES))
            return data
        node, depth = child, depth + 1
    return draw(VALUES)


@st.composite
def _text_mutation(draw: st.DrawFn, text: str) -> str:
    """Delete, insert, duplicate or swap pieces of the text, one to three times."""
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if not text:
            break
        pos = draw(st.integers(min_value=0, max_value=len(text) - 1))
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(min_value=1, max_value=40)):]
        elif op == "insert":
            text = text[:pos] + "".join(draw(st.lists(st.sampled_from(NASTY), min_size=1,
                                                      max_size=5))) + text[pos:]
        elif op == "duplicate":
            n = draw(st.integers(min_value=1, max_value=200))
            text = text[:pos] + text[pos:pos + n] + text[pos:]
        else:
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
    return text


@st.composite
def mutations(draw: st.DrawFn) -> dict[str, Any]:
    """Which sample deal, which file to mutate (deal, catalogue or policy), how, and re-lock?"""
    deal = draw(st.sampled_from(DEALS))
    target = draw(st.sampled_from(["deal", "deal", "deal", "catalogue", "policy"]))
    path = deal if target == "deal" else SAMPLE / TARGETS[target]
    text = path.read_text("utf-8")
    if draw(st.booleans()):
        new = draw(_text_mutation(text))
    else:
        new = yaml.safe_dump(draw(_data_mutation(yaml.safe_load(text))), sort_keys=False,
                             allow_unicode=True)
    json_deal = target == "deal" and draw(st.integers(min_value=0, max_value=9)) == 0
    return {"deal": deal, "target": target, "text": new, "json": json_deal,
            "relock": target == "catalogue" and draw(st.booleans()), "final": draw(st.booleans())}


def _fresh_workspace(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    for name in ("skus", "templates"):
        shutil.copytree(SAMPLE / name, root / name, ignore=shutil.ignore_patterns(".docgen"))


def _admin_token(root: Path) -> str:
    """Make the fresh workspace's first administrator (before any file is mutated); its token."""
    from docgen import api

    with api.Session(root, locked=False) as s:
        return s.add_user("admin@localhost", name="Fuzz", admin=True)[1]


def _write_inputs(root: Path, m: dict[str, Any]) -> Path:
    """Write the mutated file into the workspace; return the deal file to run."""
    deal = root / "deal.yaml"
    if m["target"] == "deal":
        if m["json"]:
            import json

            try:
                data = yaml.safe_load(m["text"])
                deal = root / "deal.json"
                deal.write_text(json.dumps(data, default=str), "utf-8")
                return deal
            except (yaml.YAMLError, ValueError, TypeError):
                pass
        deal.write_text(m["text"], "utf-8")
    else:
        (root / TARGETS[m["target"]]).write_text(m["text"], "utf-8")
        shutil.copyfile(m["deal"], deal)
    return deal


def _assert_clean_output(out: Path) -> None:
    """No temporary file, and every file written is complete."""
    if not out.exists():
        return
    for p in out.iterdir():
        assert not p.name.startswith("."), f"partial file left: {p.name}"
        blob = p.read_bytes()
        if p.suffix == ".pdf":
            assert blob.rstrip().endswith(b"%%EOF"), p
        elif p.suffix == ".docx":
            assert zipfile.is_zipfile(p), p
        elif p.suffix == ".html":
            assert blob.rstrip().endswith(b"</html>"), p


def _check(code: int, output: str, what: str) -> None:
    event(f"{what.split()[0]} {what.split()[-1]}: exit {code}")  # --hypothesis-show-statistics
    assert code in (0, 1, 2), f"{what}: exit {code}\n{output}"
    assert "Traceback" not in output, f"{what}\n{output}"
    assert "internal error" not in output, f"{what}\n{output}"


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the fuzzed workspace (module-scoped: hypothesis reuses it per example)."""
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=IN_PROCESS, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(m=mutations())
def test_fuzz_cli_in_process(fuzz_root: Path, m: dict[str, Any]) -> None:
    # given: a fresh workspace with one mutated file
    from docgen.cli import cli

    ws = fuzz_root / "ws"
    _fresh_workspace(ws)
    token = _admin_token(ws) if m["relock"] else ""
    deal = _write_inputs(ws, m)
    out = fuzz_root / "out"
    shutil.rmtree(out, ignore_errors=True)
    runner = CliRunner()
    commands = [["validate", str(deal)],
                ["po", str(deal), "-o", str(out), "--draft", "--date", "2026-11-22",
                 "--format", "html,docx"]]
    if m["relock"]:
        commands.insert(0, ["catalogue", "lock"])
    for args in commands:
        # when
        result = runner.invoke(cli, ["-w", str(ws), *args], env={"DOCGEN_TOKEN": token})
        # then
        _check(result.exit_code, result.output, f"{args[0]} on mutated {m['target']}")
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            repr(result.exception)
    _assert_clean_output(out)


@settings(max_examples=SUBPROCESS, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(m=mutations())
def test_fuzz_cli_subprocess(fuzz_root: Path, m: dict[str, Any]) -> None:
    # given
    ws = fuzz_root / "ws-sub"
    _fresh_workspace(ws)
    token = _admin_token(ws) if m["relock"] or m["final"] else ""
    deal = _write_inputs(ws, m)
    out = fuzz_root / "out-sub"
    shutil.rmtree(out, ignore_errors=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DOCGEN_WORKSPACE", "DOCGEN_DATABASE_URL", "DOCGEN_SECRET_KEY")}
    env["DOCGEN_TOKEN"] = token
    base = [sys.executable, "-m", "docgen", "-w", str(ws)]
    # one render per example (a process costs ~1.5 s): a draft, or a final PO through the store
    commands = [["po", str(deal), "-o", str(out), "--date", "2026-11-22", "--format", "pdf,docx",
                 *([] if m["final"] else ["--draft"])]]
    if m["relock"]:
        commands.insert(0, ["catalogue", "lock"])
    for args in commands:
        # when
        proc = subprocess.run([*base, *args], capture_output=True, text=True, env=env,
                              timeout=300, check=False)
        # then
        _check(proc.returncode, proc.stdout + proc.stderr, f"{args[0]} on mutated {m['target']}")
    _assert_clean_output(out)
