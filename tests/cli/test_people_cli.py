"""People, tokens and the audit log from the command line (issue 12), as subprocesses."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DOCGEN, assert_no_traceback, example

pytestmark = pytest.mark.slow  # a dozen subprocesses per test

Run = Callable[..., subprocess.CompletedProcess[str]]
DEAL = example("D-2026-0042")


def last_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The token a command printed: alone on the last line of standard output."""
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.rstrip("\n").splitlines()[-1]


@pytest.fixture
def acme(run_cli: Run, tmp_path: Path) -> tuple[Path, str]:
    """A workspace made by ``docgen init`` and its administrator's token."""
    target = tmp_path / "acme"
    proc = run_cli("init", target, "--admin-email", "Ops@Acme.example", workspace=False)
    return target, last_line(proc)


def test_init_makes_the_key_and_the_first_administrator(run_cli: Run, acme: tuple[Path, str]
                                                        ) -> None:
    # given
    root, token = acme

    # then: a private key file, and a token that works for an administrator's command
    key = root / ".docgen" / "secret.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert token.startswith("dgt_") and " " not in token
    proc = run_cli("-w", root, "users", "list", workspace=False, token=token)
    assert proc.returncode == 0, proc.stderr
    assert "ops@acme.example" in proc.stdout and "admin" in proc.stdout
    # the token is nowhere in the database
    with sqlite3.connect(root / ".docgen" / "docgen.db") as db:
        dump = "\n".join(db.iterdump())
    assert token not in dump


def test_users_add_list_disable_and_token_create(run_cli: Run, acme: tuple[Path, str]) -> None:
    # given
    root, admin = acme

    def docgen(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_cli("-w", root, *args, workspace=False, token=token)

    # when: the administrator adds an approver
    cs = last_line(docgen("users", "add", "CS.Lead@Brightfield.example", "--name", "Cas",
                          token=admin))

    # then: roles come from the policy, whatever the case of the address
    listed = docgen("users", "list", "--json", token=admin)
    assert '"cs"' in listed.stdout and "cs.lead@brightfield.example" in listed.stdout

    # a person who is not an administrator cannot manage people
    proc = docgen("users", "add", "x@brightfield.example", "--name", "X", token=cs)
    assert proc.returncode == 2 and "administrators" in proc.stderr
    assert_no_traceback(proc)

    # they make a second token of their own; both work
    second = last_line(docgen("token", "create", "--name", "laptop", token=cs))
    assert second != cs
    for t in (cs, second):
        proc = docgen("approve", DEAL, "--code", "CAT002", "--where", "lines[3]", "--role", "cs",
                      token=t)
        assert proc.returncode == 0, proc.stderr

    # disabled: every token of theirs stops at once
    assert docgen("users", "disable", "cs.lead@brightfield.example", token=admin).returncode == 0
    proc = docgen("approve", DEAL, "--code", "CAT007", "--where", "lines[4]", "--role", "cs",
                  token=second)
    assert proc.returncode == 2 and "disabled" in proc.stderr
    assert_no_traceback(proc)


APPROVE = ("approve", str(DEAL), "--code", "CAT002", "--where", "lines[3]", "--role", "cs")


@pytest.mark.parametrize(("command", "token", "why"), [
    (("submit", str(DEAL)), None, "DOCGEN_TOKEN"),
    (APPROVE, None, "DOCGEN_TOKEN"),
    (APPROVE, "", "DOCGEN_TOKEN"),
    (APPROVE, "dgt_" + "A" * 43, "not a valid API token"),
    (APPROVE, "cs.lead@brightfield.example", "not a valid API token"),  # an e-mail is no token
    (("reject", str(DEAL), "--code", "CAT002", "--where", "lines[3]", "--role", "cs", "--note",
      "n"), None, "DOCGEN_TOKEN"),
    (("po", str(example("D-2026-0101")), "-o", "OUT", "--date", "2026-11-22", "--format",
      "html"), None, "DOCGEN_TOKEN"),
    (("catalogue", "lock"), None, "DOCGEN_TOKEN"),
    (("users", "add", "x@brightfield.example", "--name", "X"), None, "DOCGEN_TOKEN"),
    (("token", "create"), None, "DOCGEN_TOKEN"),
])
def test_recording_needs_a_valid_token(run_cli: Run, acme: tuple[Path, str], tmp_path: Path,
                                       command: tuple[str, ...], token: str | None,
                                       why: str) -> None:
    # given
    root, _ = acme
    args = [str(tmp_path / "out") if a == "OUT" else a for a in command]

    # when
    proc = run_cli("-w", root, *args, workspace=False, token=token)

    # then: exit 2, one clear line, nothing recorded
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert why in proc.stderr
    assert_no_traceback(proc)
    assert not (tmp_path / "out").exists()
    log = run_cli("-w", root, "audit", "log", "--json", workspace=False)
    assert '"user.add"' in log.stdout and '"request"' not in log.stdout
    assert '"approve"' not in log.stdout and '"issue"' not in log.stdout


def test_by_is_gone(run_cli: Run, acme: tuple[Path, str]) -> None:
    root, admin = acme
    proc = run_cli("-w", root, "approve", DEAL, "--code", "CAT002", "--where", "lines[3]",
                   "--role", "cs", "--by", "cs.lead@brightfield.example", workspace=False,
                   token=admin)
    assert proc.returncode == 2
    assert "--by" in proc.stderr
    assert_no_traceback(proc)


def test_first_person_of_an_older_workspace_must_be_an_administrator(run_cli: Run) -> None:
    # given: a workspace without people (the private copy of the sample has no database)
    # when / then
    proc = run_cli("users", "add", "ops@acme.example", "--name", "Ops")
    assert proc.returncode == 2 and "--admin" in proc.stderr
    token = last_line(run_cli("users", "add", "ops@acme.example", "--name", "Ops", "--admin"))
    # the second needs the first one's token
    proc = run_cli("users", "add", "two@acme.example", "--name", "Two", "--admin")
    assert proc.returncode == 2 and "DOCGEN_TOKEN" in proc.stderr
    assert run_cli("users", "add", "two@acme.example", "--name", "Two", "--admin",
                   token=token).returncode == 0


def test_password_is_stored_as_argon2(run_cli: Run, acme: tuple[Path, str]) -> None:
    root, admin = acme
    proc = subprocess.run(
        [*DOCGEN, "-w", str(root), "users", "add", "web@acme.example", "--name", "Web",
         "--password-stdin"],
        input="correct horse battery staple\n", capture_output=True, text=True, check=False,
        env={**os.environ, "DOCGEN_TOKEN": admin})
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(root / ".docgen" / "docgen.db") as db:
        (stored,) = db.execute("SELECT password_hash FROM users WHERE email = "
                               "'web@acme.example'").fetchone()
    assert stored.startswith("$argon2id$") and "horse" not in stored


def test_audit_log_and_verify(run_cli: Run, acme: tuple[Path, str]) -> None:
    # given: a submission and a decision
    root, admin = acme
    seller = last_line(run_cli("-w", root, "users", "add", "riley@brightfield.example",
                               "--name", "Riley", workspace=False, token=admin))
    cs = last_line(run_cli("-w", root, "users", "add", "cs.lead@brightfield.example",
                           "--name", "Cas", workspace=False, token=admin))
    assert run_cli("-w", root, "submit", DEAL, workspace=False, token=seller).returncode == 0
    assert run_cli("-w", root, "approve", DEAL, "--code", "CAT002", "--where", "lines[3]",
                   "--role", "cs", workspace=False, token=cs).returncode == 0

    # when
    log = run_cli("-w", root, "audit", "log", "--deal", "D-2026-0042", workspace=False)
    ok = run_cli("-w", root, "audit", "verify", workspace=False)

    # then
    assert log.returncode == 0
    assert "riley@brightfield.example" in log.stdout and "request" in log.stdout
    assert "cs.lead@brightfield.example" in log.stdout and "approve" in log.stdout
    assert ok.returncode == 0 and "verified" in ok.stdout

    # when: a decision's row is edited in the database
    with sqlite3.connect(root / ".docgen" / "docgen.db") as db:
        (seq,) = db.execute("SELECT seq FROM audit_log WHERE action = 'approve'").fetchone()
        db.execute("UPDATE audit_log SET actor = 'cfo@brightfield.example' WHERE seq = ?",
                   (seq,))

    # then: exit 1, naming the row
    bad = run_cli("-w", root, "audit", "verify", workspace=False)
    assert bad.returncode == 1
    assert f"row {seq}" in bad.stdout
    assert_no_traceback(bad)
