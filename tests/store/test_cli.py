"""The approval commands from the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from docgen.cli import cli
from docgen.store import open_store
from docgen.workspace import Workspace
from tests.conftest import assert_no_traceback, example, example_data, people_tokens
from tests.store.conftest import Backend

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out

Run = Callable[..., subprocess.CompletedProcess[str]]
PEOPLE = {"cs": "cs.lead@brightfield.example", "finance": "cfo@brightfield.example",
          "sales_manager": "sales.manager@brightfield.example"}
SELLER = "sam.seller@brightfield.example"
EVERYONE = (*PEOPLE.values(), "cs.deputy@brightfield.example", SELLER,
            "mallory@evil.example")
APPROVAL_CODES = {"CAT002", "CAT007", "PRC001"}


def _findings(proc: subprocess.CompletedProcess[str]) -> tuple[bool, list[dict[str, Any]]]:
    (deal,) = json.loads(proc.stdout)["deals"]
    return deal["blocking"], deal["findings"]


def test_cli_whole_approval_flow(run_cli: Run, ws_path: Path, backend: Backend) -> None:
    deal = example("D-2026-0042")
    tokens = people_tokens(ws_path, SELLER, *PEOPLE.values())

    # given: validate shows what needs approval
    proc = run_cli("validate", deal, "--json", env=backend.env)
    assert proc.returncode == 1, proc.stderr
    _, findings = _findings(proc)
    needed = [(f["code"], f["where"], role) for f in findings if f["severity"] == "approval"
              for role in f["approvers"]]
    assert {(c, w) for c, w, _ in needed} == {("CAT002", "lines[3]"), ("CAT007", "lines[4]"),
                                              ("PRC001", "lines[0]"), ("PRC001", "lines[1]")}

    # when: submitted, then approved by the right people in the right roles
    proc = run_cli("submit", deal, env=backend.env, token=tokens[SELLER])
    assert proc.returncode == 0, proc.stderr
    assert "4 new request(s)" in proc.stdout
    for code, where, role in needed:
        proc = run_cli("approve", deal, "--code", code, "--where", where, "--role", role,
                       "--note", "ok", env=backend.env, token=tokens[PEOPLE[role]])
        assert proc.returncode == 0, proc.stderr
        assert_no_traceback(proc)

    # then: no approval finding is left; nothing else about CAT/PRC blocks it
    proc = run_cli("validate", deal, "--json", env=backend.env)
    blocking, findings = _findings(proc)
    assert not [f for f in findings if f["code"] in APPROVAL_CODES]
    others_block = any(f["severity"] in ("error", "approval") and f["gate"] != "none"
                       for f in findings)
    assert blocking is others_block
    assert proc.returncode == (1 if others_block else 0)

    # and, when nothing else blocks, the final PO takes a number, is recorded and names each
    # approved exception by its reference; the internal copy names the approvers (SPEC §6)
    if not others_block:
        out_dir = ws_path.parent / "po"
        proc = run_cli("po", deal, "-o", out_dir, "--date", "2026-11-25", "--format", "html",
                       env=backend.env, token=tokens[SELLER])
        assert proc.returncode == 0, proc.stderr
        assert "PO-2026-000001" in proc.stdout
        (html,) = out_dir.glob("*.html")
        assert "EX-D-2026-0042-PRC001-L1" in html.read_text("utf-8")
        assert PEOPLE["finance"] not in html.read_text("utf-8")
        proc = run_cli("po", deal, "-o", out_dir, "--internal", "--format", "html",
                       env=backend.env)
        assert proc.returncode == 0, proc.stderr
        internal = out_dir / "D-2026-0042-po-PO-2026-000001-internal.html"  # shows the number
        assert PEOPLE["finance"] in internal.read_text("utf-8")
        with open_store(Workspace(ws_path)) as s:
            issued = s.issued("PO-2026-000001")
        assert issued is not None and issued.status == "issued"
        assert issued.deal_id == "D-2026-0042" and issued.file_sha256

    # and the history lists every request and decision
    proc = run_cli("approvals", deal, env=backend.env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("requested ") == 4
    assert proc.stdout.count("approved ") == len(needed)
    assert "stale" not in proc.stdout

    # and the report shows them approved
    out = ws_path.parent / "report.json"
    proc = run_cli("report", deal, "-o", out, "--now", "2027-01-01T00:00Z", env=backend.env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text("utf-8"))
    assert data["summary"]["by_status"]["approved"] == 4
    assert data["summary"]["total"] == 4


def test_cli_submit_twice_is_idempotent(run_cli: Run, ws_path: Path, backend: Backend) -> None:
    deal = example("D-2026-0042")
    token = people_tokens(ws_path, SELLER)[SELLER]
    assert run_cli("submit", deal, env=backend.env, token=token).returncode == 0
    proc = run_cli("submit", deal, env=backend.env, token=token)
    assert proc.returncode == 0
    assert "0 new request(s), 4 already submitted" in proc.stdout


@pytest.fixture
def tokens(ws_path: Path, backend: Backend) -> dict[str, str]:
    """A token for each person of the sample policy, the seller and an outsider."""
    return people_tokens(ws_path, *EVERYONE)


@pytest.fixture
def invoke(ws_path: Path, tokens: dict[str, str]) -> Callable[..., Any]:
    """Run the CLI in process (faster than a subprocess) against the private workspace,
    as the person `as_` (an e-mail; their token goes in DOCGEN_TOKEN)."""

    def run(*args: str | Path, as_: str | None = None) -> Any:
        env = {"DOCGEN_TOKEN": tokens[as_]} if as_ else {"DOCGEN_TOKEN": ""}
        return CliRunner().invoke(cli, ["-w", str(ws_path), *map(str, args)], env=env)

    return run


@pytest.mark.parametrize(("role", "by", "where", "why"), [
    ("cs", "cfo@brightfield.example", "lines[3]", "does not hold the role cs"),
    ("finance", "cfo@brightfield.example", "lines[3]", "needs cs, not finance"),
    ("owner", "cs.lead@brightfield.example", "lines[3]", "not an approver role"),
    ("cs", "cs.lead@brightfield.example", "lines[2]", "has no CAT002 approval finding"),
    ("cs", "mallory@evil.example", "lines[3]", "does not hold the role cs"),
])
def test_cli_wrong_approver_is_refused_and_nothing_recorded(
        invoke: Callable[..., Any], ws: Workspace, backend: Backend, role: str, by: str,
        where: str, why: str) -> None:
    # when
    res = invoke("approve", example("D-2026-0042"), "--code", "CAT002", "--where", where,
                 "--role", role, as_=by)

    # then
    assert res.exit_code == 2, res.output
    assert why in res.output
    assert "Traceback" not in res.output
    with open_store(ws) as s:
        assert s.decisions(["D-2026-0042"]) == []
        assert s.requests(["D-2026-0042"]) == []


def test_cli_reject_then_edit_the_line(invoke: Callable[..., Any], backend: Backend,
                                       write_deal: Callable[..., Path]) -> None:
    # given
    data = example_data("D-2026-0042")
    path = write_deal(data)
    res = invoke("reject", path, "--code", "CAT007", "--where", "lines[4]", "--role", "cs",
                 "--note", "nobody free in December", as_="cs.lead@brightfield.example")
    assert res.exit_code == 0, res.output

    # when / then: the rejection is an error naming who and why
    res = invoke("validate", path, "--json")
    assert res.exit_code == 1
    (f,) = [f for f in json.loads(res.output)["deals"][0]["findings"] if f["code"] == "CAT007"]
    assert f["severity"] == "error"
    assert "cs.lead@brightfield.example" in f["message"] and "December" in f["message"]

    # and approving the rejected version is refused, with nothing recorded
    res = invoke("approve", path, "--code", "CAT007", "--where", "lines[4]", "--role", "cs",
                 as_="cs.deputy@brightfield.example")
    assert res.exit_code == 2
    assert "rejected" in res.output

    # when the line changes, it is an open approval again, and the history says the rest is stale
    data["lines"][4]["quantity"] = 1
    path2 = write_deal(data)
    res = invoke("validate", path2, "--json")
    (f,) = [f for f in json.loads(res.output)["deals"][0]["findings"] if f["code"] == "CAT007"]
    assert f["severity"] == "approval"
    res = invoke("approvals", path2)
    assert res.exit_code == 0
    assert "rejected CAT007 lines[4]" in res.output and "stale" in res.output


def test_cli_reject_needs_a_note(invoke: Callable[..., Any], backend: Backend) -> None:
    res = invoke("reject", example("D-2026-0042"), "--code", "CAT007", "--where", "lines[4]",
                 "--role", "cs", as_="cs.lead@brightfield.example")
    assert res.exit_code == 2


def test_cli_approvals_by_id_without_a_database(ws: Workspace) -> None:
    res = CliRunner().invoke(cli, ["-w", str(ws.root), "approvals", "D-2026-0042"])
    assert res.exit_code == 0
    assert "no approval requests or decisions" in res.output
    assert not ws.state_dir.exists()


def test_cli_bad_database_url_is_one_clear_error(run_cli: Run) -> None:
    proc = run_cli("submit", example("D-2026-0042"), token="dgt_whatever",
                   env={"DOCGEN_DATABASE_URL": "postgresql+psycopg://x:s3cr3t@127.0.0.1:1/db"
                                               "?connect_timeout=2"})
    assert proc.returncode == 2
    assert_no_traceback(proc)
    assert "DOCGEN_DATABASE_URL" in proc.stderr
    assert "s3cr3t" not in proc.stderr
