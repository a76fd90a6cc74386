"""Compiled templates come from Jinja's bytecode cache: the sandbox must hold for them too."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from jinja2.exceptions import SecurityError

from docgen.render.pdf import jinja_env

HOSTILE = "{{ ''.__class__.__mro__[1].__subclasses__() }}"


@pytest.fixture(autouse=True)
def _private_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Jinja keeps its cache in a folder of this user's under the temporary directory, which
    every other process of the user shares: test workers running beside this one write their
    templates' entries there too. These tests get a folder of their own, so that the entries
    they count are the ones they made."""
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))


def _cache_files(env: object) -> set[Path]:
    cache = env.bytecode_cache  # type: ignore[attr-defined]
    return set(Path(cache.directory).glob(cache.pattern.replace("%s", "*")))


def test_a_template_loaded_from_the_cache_is_still_sandboxed(tmp_path: Path) -> None:
    # given: a hostile template, compiled once (and cached) by a first environment
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "evil.html").write_text(HOSTILE, "utf-8")
    first = jinja_env(tmp_path)
    with pytest.raises(SecurityError):
        first.get_template("html/evil.html").render()
    before = _cache_files(first)
    assert before  # the compiled template is in the cache
    # when: a new environment (a new process would be the same) loads it from the cache
    second = jinja_env(tmp_path)
    # then: no new entry was compiled, and the sandbox still refuses
    with pytest.raises(SecurityError):
        second.get_template("html/evil.html").render()
    assert _cache_files(second) == before


def test_code_compiled_outside_the_sandbox_is_never_loaded(tmp_path: Path) -> None:
    # given: the same template compiled by an unsandboxed environment into the same folder,
    # under Jinja's default naming
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "evil.html").write_text(HOSTILE, "utf-8")
    docgen_env = jinja_env(tmp_path)
    plain = Environment(loader=FileSystemLoader(str(tmp_path)),
                        bytecode_cache=type(docgen_env.bytecode_cache)(
                            docgen_env.bytecode_cache.directory))
    assert "object" in plain.get_template("html/evil.html").render()  # unsandboxed: it runs
    # when / then: docgen's environment keys its entries apart and refuses the template
    with pytest.raises(SecurityError):
        docgen_env.get_template("html/evil.html").render()
