"""Shared fixtures: a private copy of the sample workspace, deal writing, running the CLI."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from docgen.workspace import Workspace, sample_root

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "deals"
DOCGEN = [sys.executable, "-m", "docgen"]


#: Settings of the developer's that a test must never pick up (workspace, database, identity).
_PRIVATE_ENV = ("DOCGEN_WORKSPACE", "DOCGEN_DATABASE_URL", "DOCGEN_TOKEN", "DOCGEN_SECRET_KEY")

#: Markers that make a test slow by themselves (a server to start, a word processor to run).
_SLOW_BECAUSE = ("postgres", "libreoffice")


#: Tests measured to take long (scripts/slow_tests.py writes the list from a --durations run).
_SLOW_LIST = Path(__file__).with_name("slow_tests.txt")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that need PostgreSQL or LibreOffice, and those measured to take half a second or
    more, are slow too: ``make test-fast`` leaves them out, ``make test`` runs them."""
    measured = set()
    if _SLOW_LIST.is_file():
        measured = {ln.strip() for ln in _SLOW_LIST.read_text("utf-8").splitlines()
                    if ln.strip() and not ln.startswith("#")}
    for item in items:
        if item.nodeid in measured or any(item.get_closest_marker(m) for m in _SLOW_BECAUSE):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _isolate_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's workspace or database settings."""
    for name in _PRIVATE_ENV:
        monkeypatch.delenv(name, raising=False)


def copy_sample(root: Path) -> Path:
    """Copy the sample workspace (skus, templates, examples) to `root`: the one workspace copy
    every fixture starts from."""
    src = sample_root()
    for name in ("skus", "templates", "examples"):
        shutil.copytree(src / name, root / name,
                        ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
    return root


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    """A private copy of the sample workspace (skus, templates, examples)."""
    return copy_sample(tmp_path / "ws")


@pytest.fixture(scope="session")
def shared_ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample workspace shared by the tests that only read it (a session keeps its
    renderer warm, so sharing one saves the font set-up of each test). Tests that write state
    use `ws_path`."""
    return copy_sample(tmp_path_factory.mktemp("shared-ws"))


@pytest.fixture(scope="session")
def shared_ws(shared_ws_path: Path) -> Workspace:
    """The shared workspace, loaded and lock-checked."""
    from docgen import api

    with api.Session(shared_ws_path) as s:
        return s.workspace


@pytest.fixture
def ws(ws_path: Path) -> Workspace:
    """The private workspace, loaded."""
    return Workspace(ws_path)


def relock_policy(root: Path | Workspace) -> None:
    """After a test edited ``skus/policy.yaml``: give it a new version and re-lock the file
    (what ``docgen policy lock`` does, without recording the version in a database)."""
    from docgen.policy_lock import lock_policy

    path = (root.root if isinstance(root, Workspace) else Path(root)) / "skus" / "policy.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["version"] = f"{data.get('version', 'test')}-t{next(_RELOCKS)}"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    ws = Workspace(path.parent.parent)
    lock_policy(ws.policy, path.with_suffix(".lock"))


_RELOCKS = itertools.count(1)


def example(name: str) -> Path:
    """Path of a sample deal by id prefix, e.g. example('D-2026-0042')."""
    matches = sorted(EXAMPLES.glob(f"{name}*.yaml"))
    assert matches, f"no example deal {name}"
    return matches[0]


def example_data(name: str) -> dict[str, Any]:
    """A sample deal's data, for tests to modify."""
    return yaml.safe_load(example(name).read_text("utf-8"))


@pytest.fixture
def write_deal(tmp_path: Path) -> Callable[..., Path]:
    """Write deal data (dict -> YAML, or raw text) to a file and return its path."""
    counter = iter(range(1_000_000))

    def write(data: dict[str, Any] | str, name: str | None = None, suffix: str = ".yaml") -> Path:
        path = tmp_path / "deals" / (name or f"deal{next(counter)}{suffix}")
        path.parent.mkdir(parents=True, exist_ok=True)
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False,
                                                                  allow_unicode=True)
        path.write_text(text, "utf-8")
        return path

    return write


@pytest.fixture
def run_cli(ws_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m docgen -w <private workspace> ARGS`` as a subprocess."""

    def run(*args: str | os.PathLike[str], workspace: bool = True, env: dict[str, str] | None = None,
            cwd: Path | None = None, timeout: float = 300,
            token: str | None = None) -> subprocess.CompletedProcess[str]:
        cmd = [*DOCGEN, *(["-w", str(ws_path)] if workspace else []), *map(str, args)]
        full_env = {k: v for k, v in os.environ.items() if k not in _PRIVATE_ENV}
        full_env.update(env or {})
        if token is not None:
            full_env["DOCGEN_TOKEN"] = token
        return subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=cwd,
                              timeout=timeout, check=False)

    return run


# -- people (issue 12): tokens for tests that record something --------------------------------

_ADMIN_TOKENS: dict[tuple[str, str | None], str] = {}


def admin_token_for(root: Path | Workspace) -> str:
    """The API token of an administrator of the workspace at `root` (made on first use).

    The database is the one ``$DOCGEN_DATABASE_URL`` names when a test set it, else the
    workspace's SQLite file.
    """
    from docgen import api

    path = root.root if isinstance(root, Workspace) else Path(root)
    key = (str(path), os.environ.get("DOCGEN_DATABASE_URL"))
    if key not in _ADMIN_TOKENS:
        with api.Session(path, locked=False) as s:
            _, token = s.add_user("admin@localhost", name="Test administrator", admin=True)
        _ADMIN_TOKENS[key] = token
    return _ADMIN_TOKENS[key]


def people_tokens(root: Path | Workspace, *emails: str) -> dict[str, str]:
    """Add each person (not an administrator) and return their first tokens by e-mail."""
    from docgen import api

    path = root.root if isinstance(root, Workspace) else Path(root)
    with api.Session(path, locked=False, token=admin_token_for(path)) as s:
        return {e: s.add_user(e, name=e.split("@")[0], admin=False)[1] for e in emails}


@pytest.fixture
def admin_token(ws_path: Path) -> str:
    """An administrator's token for the private workspace (its database made on first use)."""
    return admin_token_for(ws_path)


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    """The CLI never shows a traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout


@pytest.fixture
def no_weasyprint_warnings() -> Iterator[list[Any]]:
    """Collect WARNING records of the weasyprint logger; the test fails if any appear."""
    import logging

    records: list[logging.LogRecord] = []

    class H(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    h = H(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(h)
    try:
        yield records
    finally:
        logger.removeHandler(h)
    assert not records, [r.getMessage() for r in records]


# -- PostgreSQL (issue 5): a throwaway server for the whole session -----------------------------

@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """URL of a PostgreSQL database: $DOCGEN_TEST_DATABASE_URL, else one started for this run.

    The server is installed (apt, when root) if missing, initialised in a temporary folder as the
    ``postgres`` user, started on a free localhost port and stopped when the session ends (see
    ``tests/store/pgserver.py``). ``DOCGEN_TEST_SKIP_POSTGRES=1`` skips PostgreSQL tests instead.
    """
    given = os.environ.get("DOCGEN_TEST_DATABASE_URL")
    if given:
        yield given
        return
    if os.environ.get("DOCGEN_TEST_SKIP_POSTGRES"):
        pytest.skip("DOCGEN_TEST_SKIP_POSTGRES is set")
    from tests.store.pgserver import PgServer, PgUnavailable, create_database

    server = PgServer()
    try:
        url = create_database(server.start())
    except PgUnavailable as exc:
        server.stop()
        pytest.fail(f"cannot start PostgreSQL for the tests: {exc}")
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_database_url: str) -> str:
    """SQLAlchemy URL of a fresh, empty schema (search_path) on the test PostgreSQL database."""
    from tests.store.pgserver import create_schema

    return create_schema(postgres_database_url)


_PERSON_TOKENS: dict[tuple[str, str | None, str], str] = {}


def person_token(root: Path | Workspace, email: str) -> str:
    """The API token of the person `email` of the workspace at `root` (added on first use)."""
    path = root.root if isinstance(root, Workspace) else Path(root)
    key = (str(path), os.environ.get("DOCGEN_DATABASE_URL"), email)
    if key not in _PERSON_TOKENS:
        _PERSON_TOKENS[key] = people_tokens(path, email)[email]
    return _PERSON_TOKENS[key]


def act(root: Path | Workspace, who: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call one session method as the person `who` (their token), e.g. act(ws, CS, "approve",
    deal, code="CAT002", where="lines[3]", role="cs")."""
    from docgen import api

    path = root.root if isinstance(root, Workspace) else Path(root)
    with api.Session(path, token=person_token(path, who)) as s:
        return getattr(s, method)(*args, **kwargs)
