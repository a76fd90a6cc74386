"""The mail templates' texts are extracted (mail.pot) and translated (German, French)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docgen.notify._compose import KINDS
from docgen.workspace import sample_root

TEMPLATES = sample_root() / "templates"


def _extracted() -> set[str]:
    from babel.messages.extract import extract_from_dir

    method = "jinja2.ext:babel_extract"
    options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
    found = extract_from_dir(str(TEMPLATES / "mail"), method_map=[("**.txt", method),
                                                                  ("**.html", method)],
                             options_map={"**": options})
    return {msg if isinstance(msg, str) else msg[0] for _, _, msg, _, _ in found}


def _catalog(path: Path) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id and not m.fuzzy}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_text_and_an_html_template(kind: str) -> None:
    assert (TEMPLATES / "mail" / f"{kind}.txt").is_file()
    assert (TEMPLATES / "mail" / f"{kind}.html").is_file()


def test_mail_pot_lists_every_text_of_the_templates() -> None:
    # given / when
    pot = _catalog(TEMPLATES / "locale" / "mail.pot")
    missing = _extracted() - set(pot)
    # then
    assert not missing, f"run `make mail-i18n-update`: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_mail_catalog_translates_every_text_with_its_placeholders(lang: str) -> None:
    # given
    catalog = _catalog(TEMPLATES / "locale" / lang / "LC_MESSAGES" / "mail.po")
    # when / then
    for msgid in _extracted():
        assert catalog.get(msgid), f"{lang}: untranslated {msgid!r}"
        fields = sorted(re.findall(r"%\((\w+)\)s", msgid))
        assert sorted(re.findall(r"%\((\w+)\)s", catalog[msgid])) == fields, msgid
