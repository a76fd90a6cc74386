"""Locale details on documents: plural units, addresses in each country's order, country names
in the document's language, catalogue descriptions per language with an English fallback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from docgen.models.deal import Address
from docgen.render.addresses import address_lines, country_name, vendor_address_lines
from docgen.workspace import Workspace
from tests.conftest import DOCGEN, example
from tests.docs import document_context, pdf_text, render_document


@pytest.mark.parametrize(("addr", "locale", "lines"), [
    (Address(street="500 Market Street", postal_code="94105", city="San Francisco",
             region="CA", country="US"), "en_US",
     ["500 Market Street", "San Francisco, CA 94105", "United States"]),
    (Address(street="Hauptstr. 1", postal_code="10115", city="Berlin", country="DE"), "fr_FR",
     ["Hauptstr. 1", "10115 Berlin", "Allemagne"]),
    (Address(street="千代田区丸の内1-1-1", postal_code="100-0005", city="東京都", country="JP"),
     "ja_JP", ["〒100-0005", "東京都", "千代田区丸の内1-1-1", "日本"]),
    (Address(street="10 Downing Street", postal_code="SW1A 2AA", city="London", country="GB"),
     "de_DE", ["10 Downing Street", "London", "SW1A 2AA", "Vereinigtes Königreich"]),
    (Address(street="Rue 1", city="Nowhere", country="ZZ"), "en_US",
     ["Rue 1", "Nowhere", "Unknown Region"]),
])
def test_address_in_its_countrys_order(addr: Address, locale: str, lines: list[str]) -> None:
    assert address_lines(addr, locale) == lines


def test_vendor_country_in_the_documents_language() -> None:
    address = "Keizersgracht 120, 1015 CW Amsterdam, Netherlands"
    assert vendor_address_lines(address, None, "de_DE")[-1] == "Niederlande"
    assert vendor_address_lines(address, None, "fr_FR") == [
        "Keizersgracht 120", "1015 CW Amsterdam", "Pays-Bas"]
    assert vendor_address_lines("1 Main St, Springfield", None, "fr_FR") == [
        "1 Main St", "Springfield"]  # no country named: printed as written
    assert country_name("JP", "de_DE") == "Japan"


def test_documents_print_plural_units_and_country_names(doc_ws: Workspace) -> None:
    # given: the French deal (36 months of licences, 360 seats) and the US one
    fr = document_context(doc_ws, example("D-2026-0105"), "po")
    us = document_context(doc_ws, example("D-2026-0101"), "po")
    # then
    assert fr.deal.term == "36 mois"
    assert "360 utilisateurs" in [ln.quantity_text for ln in fr.lines]
    assert fr.deal.territory_name == "France"
    assert fr.vendor.address_lines[-1] == "Pays-Bas"
    assert us.deal.term == "12 months"
    assert "120 seats" in [ln.quantity_text for ln in us.lines]
    assert us.billing_address[-2:] == ["San Francisco, CA 94105", "United States"]


def _translate_descriptions(root: Path) -> None:
    """Give LIC-ANL-PRO a French description, then re-lock the catalogue."""
    from docgen.catalogue import lock_catalogue

    path = root / "skus" / "catalogue.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["catalogue"]["version"] += "-fr"  # changed content takes a new version label
    for sku in data["skus"]:
        if sku["code"] == "LIC-ANL-PRO":
            sku["description"] = {"en": sku["description"],
                                  "fr": "Brightfield Analytics Pro, hébergé en UE ou aux "
                                        "États-Unis au choix du client."}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    lock_catalogue(Workspace(root).catalogue, root / "skus" / "catalogue.lock")


@pytest.mark.slow
def test_catalogue_descriptions_per_language(ws_path: Path, tmp_path: Path) -> None:
    # given: one SKU described in English and French
    _translate_descriptions(ws_path)
    # when: a French and a German PO
    fr = " ".join(pdf_text(render_document(ws_path, example("D-2026-0105"), "po",
                                           tmp_path / "fr").pdf).split())
    de = " ".join(pdf_text(render_document(ws_path, example("D-2026-0042"), "po",
                                           tmp_path / "de").pdf).split())
    # then: French where written, English otherwise
    assert "hébergé en UE ou aux" in fr  # (the line may break after "États-")
    assert "au choix du client" in fr
    assert "hosted in the EU or US region" in de
    # and the check lists what is missing, as notes (English is a valid fallback)
    proc = subprocess.run([*DOCGEN, "-w", str(ws_path), "templates", "check"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout
    assert "skus/catalogue.yaml:LIC-ANL-PRO: description has no de text" in proc.stderr
    skus = yaml.safe_load((ws_path / "skus" / "catalogue.yaml").read_text("utf-8"))["skus"]
    assert f"{len(skus) - 1} SKU description(s) are English only" in proc.stderr


def test_description_needs_an_english_fallback(ws_path: Path) -> None:
    from docgen.errors import InputError

    path = ws_path / "skus" / "catalogue.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["skus"][0]["description"] = {"fr": "Seulement en français"}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    with pytest.raises(InputError) as exc:
        _ = Workspace(ws_path).catalogue
    assert "`en`" in str(exc.value)
