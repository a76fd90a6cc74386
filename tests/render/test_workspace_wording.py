"""Wording in the workspace: legal overrides labels and standard clauses per locale, translates
with ``docgen i18n`` in any workspace, and ``templates check`` understands overrides."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import DOCGEN, example
from tests.docs import pdf_text, render_document

pytestmark = pytest.mark.slow  # subprocesses and renders

ACCEPTANCE_EN = "Each deliverable is accepted when the customer signs its delivery note."


def _docgen(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DOCGEN, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=300, check=False)


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """A workspace made by `docgen init`, as a company starts one (outside the repository)."""
    proc = _docgen("init", "acme", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return tmp_path / "acme"


def test_legal_changes_a_clause_and_a_label_in_a_fresh_workspace(fresh: Path,
                                                                 tmp_path: Path) -> None:
    # given: an English and a German override, written by legal in the workspace
    labels = fresh / "templates" / "labels"
    labels.mkdir()
    (labels / "en.yaml").write_text(f"acceptance_default: >\n  {ACCEPTANCE_EN}\n"
                                    "sold_amount: Net amount\n", "utf-8")
    (labels / "de.yaml").write_text("sold_amount: Endbetrag\n", "utf-8")
    # when: the next SOW of an English deal, and the next PO of a German one
    sow = render_document(fresh, example("D-2026-0110"), "sow", tmp_path)
    po_en = render_document(fresh, example("D-2026-0101"), "po", tmp_path / "en")
    po_de = render_document(fresh, example("D-2026-0042"), "po", tmp_path / "de")
    # then: each shows the workspace's wording
    assert ACCEPTANCE_EN in " ".join(pdf_text(sow.pdf).split())
    assert "Net amount" in " ".join(pdf_text(po_en.pdf).split())
    de = " ".join(pdf_text(po_de.pdf).split())
    assert "Endbetrag" in de
    assert "Nettobetrag" not in de
    # and the templates check accepts the overrides
    proc = _docgen("templates", "check", cwd=fresh)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_names_an_unknown_label_and_a_changed_placeholder(fresh: Path) -> None:
    # given: a typo in a key and a placeholder renamed in a text
    labels = fresh / "templates" / "labels"
    labels.mkdir()
    (labels / "fr.yaml").write_text("sold_amuont: Net\nuse_by: \"À utiliser avant {jour}\"\n",
                                    "utf-8")
    # when
    proc = _docgen("templates", "check", cwd=fresh)
    # then: one line each, with file and line
    assert proc.returncode == 1
    assert "templates/labels/fr.yaml:1: sold_amuont: no label 'sold_amuont'; did you mean " \
           "'sold_amount'?" in proc.stdout
    assert "templates/labels/fr.yaml" in proc.stdout and "use_by" in proc.stdout


def test_an_english_catalog_is_an_override_not_a_translation(fresh: Path, tmp_path: Path
                                                             ) -> None:
    # given: an English catalog holding one entry (not the ~190 labels of a translation)
    po = fresh / "templates" / "locale" / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Sold amount"\nmsgstr "Amount due"\n', "utf-8")
    # when
    proc = _docgen("templates", "check", cwd=fresh)
    out = render_document(fresh, example("D-2026-0101"), "po", tmp_path)
    # then: no "no entry" errors, and the override prints
    assert proc.returncode == 0, proc.stdout
    assert "no entry" not in proc.stdout
    assert "Amount due" in " ".join(pdf_text(out.pdf).split())


def test_i18n_targets_work_in_any_workspace(fresh: Path) -> None:
    # when: update, init a language, compile — from inside the workspace, no repository around
    update = _docgen("i18n", "update", cwd=fresh)
    init = _docgen("i18n", "init", "es", cwd=fresh)
    comp = _docgen("i18n", "compile", cwd=fresh)
    # then: the template and the catalogs are the workspace's; the new catalog is untranslated
    assert update.returncode == 0, update.stderr
    assert "fr: 1" in update.stdout or "fr:" in update.stdout
    assert (fresh / "templates" / "locale" / "messages.pot").is_file()
    assert init.returncode == 0, init.stderr
    assert (fresh / "templates" / "locale" / "es" / "LC_MESSAGES" / "messages.po").is_file()
    assert comp.returncode == 1
    assert "locale/es/LC_MESSAGES/messages.po" in comp.stdout
    assert "is not translated" in comp.stdout
    assert "locale/fr/" not in comp.stdout


def test_i18n_update_refuses_the_bundled_sample(tmp_path: Path) -> None:
    # when: no workspace is found, so the bundled sample would be written
    proc = _docgen("i18n", "update", cwd=tmp_path)
    # then
    assert proc.returncode == 2
    assert "read-only" in proc.stderr
