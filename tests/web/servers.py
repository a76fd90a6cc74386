"""Real ``docgen serve`` processes on loopback ports, for the tests that need several of them
(several servers on one database, a reverse proxy in front of them)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "correct horse battery staple"


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen[Any], log: Path, timeout: float = 90) -> None:
    """Until `url` answers 200 (pytest.fail when the process exits or time runs out)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{proc.args} exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2, verify=False).status_code == 200:  # noqa: S501
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen[Any]) -> None:
    """Terminate a process started here (and wait for it)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without any docgen setting of the developer's, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    env.update(extra or {})
    return env


@contextmanager
def serve(root: Path, logs: Path, *, count: int = 1, env: dict[str, str] | None = None,
          args: Sequence[str] = ()) -> Iterator[list[str]]:
    """`count` ``docgen serve`` processes over the workspace `root`, each on its own loopback
    port (with `env` and extra `args`); yields their base URLs, stops them after."""
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        started = []
        for i in range(count):
            port = free_port()
            log = logs / f"serve-{i}-{port}.log"
            out = stack.enter_context(log.open("w"))
            proc = subprocess.Popen(
                [sys.executable, "-m", "docgen", "-w", str(root), "serve", "--host",
                 "127.0.0.1", "--port", str(port), *args],
                env=clean_env(env), stdout=out, stderr=subprocess.STDOUT, text=True)
            stack.callback(stop, proc)
            started.append((f"http://127.0.0.1:{port}", proc, log))
        for url, proc, log in started:
            wait_for(f"{url}/healthz", proc, log)
        yield [url for url, _, _ in started]


def login_csrf(page: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def sign_in(client: Any, email: str, password: str = PASSWORD, *,
            form_from: Any = None) -> Any:
    """Sign in through the form, as a browser does; the form may come from another server."""
    page = (form_from or client).get("/login")
    if form_from is not None:  # the browser carries the form's cookie over
        client.cookies.update(form_from.cookies)
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf": login_csrf(page.text), "next": "/deals"})
