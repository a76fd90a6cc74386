"""Labels come from the message catalogs: a French deal's documents contain no English label,
German ones are German, and the catalogs are complete and consistent."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from docgen.pricing import PricedDeal
from docgen.render.i18n import plural_index, plural_translations, translations
from docgen.render.labels import LABELS, UNIT_FORMS, all_msgids
from docgen.workspace import Workspace
from tests.conftest import example_data
from tests.render._helpers import KINDS, docx_text, pdf_text, priced, render

ALL_LABELS = all_msgids()
_RULE_CODE = re.compile(r"\b[A-Z]{3}\d{3}\b")


def english_fragments(catalog: dict[str, str], data: str) -> Iterator[tuple[str, str]]:
    """(label, fragment): the English words of each label that must not appear in a document.

    A label is split at its {placeholders}; a fragment is skipped when it is the same in the
    translation (Description, Page, Type, ...), has fewer than 3 letters, or occurs in the
    deal's own data (an English catalogue description says "per month" and "of").
    """
    for msgid in dict.fromkeys(ALL_LABELS):
        translated = catalog.get(msgid, "")
        if translated == msgid:
            continue
        for part in re.split(r"\{\w*\}", msgid):
            frag = part.strip(" :·,.()%")
            if sum(ch.isalpha() for ch in frag) < 3 or frag in translated:
                continue
            if re.search(rf"(?<!\w){re.escape(frag)}(?!\w)", data):
                continue
            yield msgid, frag


def _data_text(p: PricedDeal, doc_ws: Workspace) -> str:
    """Every text of the deal and the catalogue that a document may print verbatim."""
    parts = [ln.name + " " + ln.description for ln in p.lines]
    parts += [c.name + " " + c.description for ln in p.lines for c in ln.components]
    parts.append(p.deal.model_dump_json())
    cat = doc_ws.catalogue.catalogue
    parts += [cat.vendor.name, cat.vendor.address]
    return "\n".join(parts)


@pytest.mark.parametrize("kind", KINDS)
def test_french_documents_have_no_english_label(doc_ws: Workspace,
                                                write_deal: Callable[..., Path],
                                                tmp_path: Path, kind: str) -> None:
    # given: the French sample deal and the French catalog
    path = write_deal(example_data("D-2026-0105"))
    p = priced(doc_ws, path)
    catalog = translations(doc_ws.templates_dir / "locale", "fr_FR")
    data = _data_text(p, doc_ws)
    # when: rendered as PDF and DOCX
    paths = render(doc_ws, path, kind, tmp_path, formats=("pdf", "docx"))
    for fmt, text in (("pdf", pdf_text(paths["pdf"])), ("docx", docx_text(paths["docx"]))):
        text = "\n".join(ln for ln in text.splitlines() if not _RULE_CODE.search(ln))
        flat = " ".join(text.split())
        # then
        found = [(msgid, frag) for msgid, frag in english_fragments(catalog, data)
                 if re.search(rf"(?<!\w){re.escape(frag)}(?!\w)", flat)]
        assert not found, f"English labels in the French {kind} {fmt}: {found}"
        # a draft PO is a quotation for the customer (SPEC §6)
        assert catalog[LABELS[{"po": "quotation", "sow": "statement_of_work",
                               "onboarding": "onboarding_form"}[kind]]] in flat


def test_french_check_would_catch_an_untranslated_label(doc_ws: Workspace) -> None:
    # given: a catalog where "Sold amount" is not translated
    catalog = dict(translations(doc_ws.templates_dir / "locale", "fr_FR"))
    del catalog["Sold amount"]
    # then: the fragment is looked for
    assert ("Sold amount", "Sold amount") in set(english_fragments(catalog, ""))


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_catalog_translates_every_label(doc_ws: Workspace, lang: str) -> None:
    # given
    catalog = translations(doc_ws.templates_dir / "locale", lang)
    # then: every label has a translation with the same placeholders
    for msgid in ALL_LABELS:
        assert catalog.get(msgid), f"{lang}: {msgid!r} is not translated"
        assert sorted(re.findall(r"\{\w*\}", catalog[msgid])) == \
            sorted(re.findall(r"\{\w*\}", msgid)), msgid


def test_german_po_is_german(doc_ws: Workspace, write_deal: Callable[..., Path],
                             tmp_path: Path) -> None:
    # given: a German deal
    path = write_deal(example_data("D-2026-0042"))
    # when
    text = pdf_text(render(doc_ws, path, "po", tmp_path)["pdf"])
    flat = " ".join(text.split())  # a column head may wrap
    # then: a draft PO is a quotation ("Angebot"), not an order
    for label in ("Angebot", "Keine Bestellung", "Listenpreis je Einheit", "Rabattbetrag",
                  "Nettobetrag", "Gesamtbetrag", "Seite 1 von"):
        assert label in flat
    assert "Bestellung" not in flat.replace("Keine Bestellung", "")


def test_pot_file_lists_every_label(doc_ws: Workspace) -> None:
    # given: the template translators start from
    from babel.messages.pofile import read_po

    with (doc_ws.templates_dir / "locale" / "messages.pot").open("rb") as fh:
        pot = {m.id for m in read_po(fh) if m.id}
    # then: `make i18n-extract` has been run since the last label change
    missing = [m for m in dict.fromkeys(ALL_LABELS) if m not in pot]
    assert not missing, f"run `make i18n-update`: {missing}"
    plan = {t.task for t in doc_ws.policy.onboarding_plan}
    assert plan <= pot, "the policy's plan tasks are extracted too"


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_catalog_translates_every_unit_in_every_plural_form(doc_ws: Workspace, lang: str) -> None:
    # given: the catalog's plural entries and its Plural-Forms header
    from babel.messages.pofile import read_po

    locale_dir = doc_ws.templates_dir / "locale"
    with (locale_dir / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        nplurals = read_po(fh, locale=lang).num_plurals
    forms = plural_translations(locale_dir, lang)
    # then: every unit has one form per plural category, each printing the number
    for singular, _plural in UNIT_FORMS.values():
        assert singular in forms, f"{lang}: {singular!r} is not translated"
        assert len(forms[singular]) == nplurals, singular
        assert all(re.findall(r"\{\w*\}", f) == ["{n}"] for f in forms[singular]), singular


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_catalog_plural_forms_header_follows_cldr(doc_ws: Workspace, lang: str) -> None:
    # given: the Plural-Forms expression gettext tools (pybabel, Poedit) number forms by
    from gettext import c2py

    from babel.messages.pofile import read_po

    with (doc_ws.templates_dir / "locale" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    expr = c2py(catalog.plural_expr)
    # then: it picks the form docgen picks by the CLDR rule, for every whole number tried
    for n in [*range(200), 1000, 999999, 1000000, 2000000, 3500000]:
        assert expr(n) == plural_index(lang, Decimal(n)), n


def test_pot_file_lists_every_unit(doc_ws: Workspace) -> None:
    # given
    from babel.messages.pofile import read_po

    with (doc_ws.templates_dir / "locale" / "messages.pot").open("rb") as fh:
        pot = {m.id for m in read_po(fh) if m.id}
    # then: each unit is a msgid/msgid_plural pair (`make i18n-extract` knows the Nn_ marker)
    missing = [pair for pair in UNIT_FORMS.values() if pair not in pot]
    assert not missing, f"run `make i18n-update`: {missing}"


def test_sample_catalogue_units_have_plural_forms(doc_ws: Workspace) -> None:
    # given: every unit the sample catalogue sells by or counts in
    skus = doc_ws.catalogue.skus
    units = {sku.unit for sku in skus}
    units |= {sku.threshold.unit for sku in skus if sku.threshold is not None}
    units |= {sku.threshold.per for sku in skus if sku.threshold is not None}
    # then
    assert units <= set(UNIT_FORMS), sorted(units - set(UNIT_FORMS))
