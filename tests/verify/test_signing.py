"""The signing key: `docgen init` makes a self-signed one (mode 0600), a workspace without one
gets it on its first signature, and a company's own (``DOCGEN_SIGNING_P12`` and
``DOCGEN_SIGNING_PASSWORD``) signs instead; a key that cannot be used is exit 2 before any PO
number is taken."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import cli
from docgen.signing import ENV_P12, ENV_PASSWORD, P12_FILE, signature_check, signing_key
from docgen.workspace import Workspace
from tests.conftest import assert_no_traceback

Run = Callable[..., subprocess.CompletedProcess[str]]


def _company_p12(path: Path, password: bytes) -> bytes:
    """A company's PKCS#12 file, password-protected; returns its certificate (DER)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    from docgen.signing import create_self_signed

    plain = path.with_suffix(".plain")
    create_self_signed(plain, "Vendor Example Inc. purchasing")
    key, cert, _ = pkcs12.load_key_and_certificates(plain.read_bytes(), None)
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"company", key, cert, None, serialization.BestAvailableEncryption(password)))
    return cert.public_bytes(serialization.Encoding.DER)


def test_init_makes_a_private_self_signed_key(tmp_path: Path) -> None:
    # when
    done = CliRunner().invoke(cli, ["init", str(tmp_path / "acme")])
    # then
    assert done.exit_code == 0, done.output
    key = tmp_path / "acme" / ".docgen" / P12_FILE
    assert str(key.resolve()) in done.output and ENV_P12 in done.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert signing_key(Workspace(tmp_path / "acme")).certificate_der()


def test_first_signature_makes_the_key(ws: Workspace) -> None:
    assert not (ws.state_dir / P12_FILE).exists()
    first = signing_key(ws)
    assert stat.S_IMODE((ws.state_dir / P12_FILE).stat().st_mode) == 0o600
    assert signing_key(ws).p12 == first.p12  # made once, then read


@pytest.mark.slow
def test_a_company_key_signs_and_verifies(run_cli: Run, ws_path: Path, tmp_path: Path,
                                          admin_token: str) -> None:
    # given: the company's own key, by environment
    cert = _company_p12(tmp_path / "company.p12", b"s3cret")
    env = {ENV_P12: str(tmp_path / "company.p12"), ENV_PASSWORD: "s3cret"}
    deal = next((ws_path / "examples" / "deals").glob("D-2026-0101*.yaml"))
    # when
    issued = run_cli("po", deal, "-o", tmp_path / "out", "--date", "2026-11-22", env=env,
                     token=admin_token)
    assert issued.returncode == 0, issued.stderr
    pdf = next((tmp_path / "out").glob("*.pdf"))
    # then: signed with it, verified with it, and not with the workspace's own
    assert signature_check(pdf.read_bytes(), cert)[1] == []
    assert not (ws_path / ".docgen" / P12_FILE).exists()
    ok = run_cli("verify", pdf, env=env)
    assert ok.returncode == 0, ok.stdout
    assert "ok   signature: PAdES" in ok.stdout
    other = run_cli("verify", pdf)  # without the variables: the self-signed key is not it
    assert other.returncode == 1
    assert "FAIL signature" in other.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("env", "said"), [
    ({ENV_PASSWORD: "wrong"}, f"wrong password ({ENV_PASSWORD})"),
    ({ENV_P12: "/nonexistent/company.p12"}, "no such file"),
])
def test_an_unusable_key_is_exit_2_before_a_number_is_taken(
        run_cli: Run, ws_path: Path, tmp_path: Path, env: dict[str, str], said: str) -> None:
    _company_p12(tmp_path / "company.p12", b"s3cret")
    full = {ENV_P12: str(tmp_path / "company.p12"), ENV_PASSWORD: "s3cret", **env}
    deal = next((ws_path / "examples" / "deals").glob("D-2026-0101*.yaml"))
    done = run_cli("po", deal, "-o", tmp_path / "out", "--date", "2026-11-22", env=full)
    assert_no_traceback(done)
    assert done.returncode == 2, done.stderr
    assert ENV_P12 in done.stderr and said in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    from docgen.store import open_existing_store

    store = open_existing_store(Workspace(ws_path))  # no number was reserved either
    assert store is None or store.documents() == []
