"""CUS: who is billed, where: invoice contact, billing address, territory and VAT id, and
whether the texts that reach a document can be printed at all.

Data a well-kept library already knows is checked by that library, never by a home-made regex:
email addresses by email-validator (syntax only, no DNS), VAT ids by python-stdnum, ISO 3166 country
codes by Babel's CLDR data. Postal-code formats are the one table kept here (:data:`POSTAL_CODES`).
The libraries are imported on first use and each answer is cached, because the same contact and VAT
id come back deal after deal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from docgen._identity_memo import IdentityMemo
from docgen.findings import Finding, Gate, Severity
from docgen.rules.registry import RuleContext, rule

#: Postal-code formats by ISO 3166 country: at least every territory of the sample policy.
#: Upper-case forms; input is upper-cased and stripped first. A country not listed here is not
#: checked beyond "present" (see :data:`NO_POSTAL_CODE` for countries that have none).
POSTAL_CODES: dict[str, str] = {
    "US": r"\d{5}(-\d{4})?",
    "CA": r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d",
    # outward code (area, district) and inward code (sector, unit); GIR 0AA is Girobank's
    "GB": r"GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}",
    "FR": r"\d{5}",
    "DE": r"\d{5}",
    "ES": r"(0[1-9]|[1-4]\d|5[0-2])\d{3}",  # the first two digits are the province, 01-52
    "IT": r"\d{5}",
    "NL": r"[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}",
    "JP": r"\d{3}-?\d{4}",
    "IN": r"[1-9]\d{2} ?\d{3}",
    "AU": r"\d{4}",
    "SG": r"\d{6}",
    "AT": r"\d{4}", "BE": r"\d{4}", "CH": r"\d{4}", "DK": r"\d{4}", "NO": r"\d{4}",
    "LU": r"\d{4}", "HU": r"\d{4}", "NZ": r"\d{4}", "ZA": r"\d{4}",
    "FI": r"\d{5}", "MX": r"\d{5}", "KR": r"\d{5}", "SE": r"\d{3} ?\d{2}",
    "CZ": r"\d{3} ?\d{2}", "SK": r"\d{3} ?\d{2}", "PL": r"\d{2}-\d{3}", "PT": r"\d{4}-\d{3}",
    "BR": r"\d{5}-?\d{3}", "CN": r"\d{6}",
    "IE": r"([AC-FHKNPRTV-Y]\d{2}|D6W) ?[\dAC-FHKNPRTV-Y]{4}",  # Eircode: routing key + id
}
_POSTAL_RE = {cc: re.compile(f"(?:{pattern})") for cc, pattern in POSTAL_CODES.items()}

#: Countries without a postal-code system (per the Universal Postal Union): no code is required.
NO_POSTAL_CODE = frozenset({
    "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BS", "BW", "BZ", "CD", "CF", "CG", "CI", "CK", "CM",
    "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "KI", "KM", "KN", "KP", "LC",
    "ML", "MO", "MR", "MW", "NR", "NU", "QA", "RW", "SB", "SC", "SL", "SR", "ST", "SY", "TD", "TF",
    "TG", "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW",
})

#: Region codes CLDR knows that are not assigned ISO 3166-1 countries (exceptional reservations,
#: user-assigned and pseudo regions). XK (Kosovo) stays: it is user-assigned but what the EU, banks
#: and carriers use.
_NOT_ISO = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "TA", "UN", "QO", "XA", "XB",
                      "ZZ"})

#: VAT prefixes that are not the ISO code of their country (Greece, Northern Ireland).
_VAT_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}


@lru_cache(maxsize=1)
def iso_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 country codes, from Babel's CLDR territory data.

    Read from CLDR's territory table in Babel's global data (loaded anyway for currencies),
    which lists the same territories as the English territory names without loading a whole
    locale (~12 ms a process); a test keeps the two equal."""
    from babel.core import get_global

    return frozenset(code for code in get_global("territory_languages")
                     if len(code) == 2 and code.isalpha() and code not in _NOT_ISO)


#: Verdicts of :func:`email_problem`: those read from the workspace's cache
#: (:mod:`docgen.email_verdicts`) and those this process worked out.
EMAIL_VERDICTS: dict[str, str | None] = {}
#: The addresses of EMAIL_VERDICTS this process asked email-validator about.
NEW_EMAIL_VERDICTS: set[str] = set()


@lru_cache(maxsize=1)
def _email_validator() -> Any:
    """The email-validator module, imported on first use (a ``from … import`` in
    :func:`email_problem` would cost more than a dict lookup on every new address)."""
    import email_validator

    return email_validator


def email_problem(address: str) -> str | None:
    """Why `address` is not a valid email address (email-validator, no DNS), or None.

    Importing email-validator compiles its Unicode-wide patterns, ~20 ms of a ~0.3 s
    ``docgen validate``; a verdict already known (this process, or the workspace's cache of the
    same email-validator version) is returned without it."""
    try:
        return EMAIL_VERDICTS[address]
    except KeyError:
        pass
    library = _email_validator()
    try:
        library.validate_email(address, check_deliverability=False)
    except library.EmailNotValidError as exc:
        verdict: str | None = str(exc)
    else:
        verdict = None
    if len(EMAIL_VERDICTS) < 100_000:  # a bounded memory, even for a server validating forever
        EMAIL_VERDICTS[address] = verdict
        NEW_EMAIL_VERDICTS.add(address)
    return verdict


def postal_code_fits(country: str, postal_code: str) -> bool:
    """True when `postal_code` has the format of `country` (or the country's format is unknown)."""
    pattern = _POSTAL_RE.get(country)
    return pattern is None or pattern.fullmatch(postal_code.strip().upper()) is not None


_CC = re.compile(r"[A-Z]{2}")


@lru_cache(maxsize=64)
def _vat_module(cc: str) -> Any:
    """python-stdnum's VAT module for ISO country `cc` (e.g. stdnum.de.vat), or None."""
    if not _CC.fullmatch(cc):  # stdnum imports `stdnum.<cc>`: never hand it arbitrary text
        return None
    from stdnum.util import get_cc_module

    return get_cc_module(cc.lower(), "vat")


@lru_cache(maxsize=4096)
def vat_problem(vat_id: str, country: str | None) -> tuple[str, str] | None:
    """(country, reason) when python-stdnum finds `vat_id` invalid, or None.

    The id's own prefix picks the country (`DE…`, `EL…` for Greece, `XI…` for Northern Ireland,
    `CHE…`); an id without one is read as a number of `country` (JP's "T" invoice prefix is
    accepted). Countries stdnum has no VAT module for (e.g. the US) are not checked.
    """
    from stdnum.exceptions import ValidationError

    number = re.sub(r"[\s.\-/]", "", vat_id).upper()
    prefix = number[:2]
    cc = country
    module = None
    if _CC.fullmatch(prefix):
        cc_guess = _VAT_PREFIX_COUNTRY.get(prefix, prefix)
        module = _vat_module(cc_guess)
        if module is not None:
            cc = cc_guess
            if prefix in _VAT_PREFIX_COUNTRY:  # country modules want their own prefix or none
                number = number[2:]
    if module is None and cc:
        module = _vat_module(cc)
        if cc == "JP" and number.startswith("T"):  # qualified invoice issuer: T + corporate no.
            number = number[1:]
    if module is None:
        return None
    try:
        module.validate(number)
    except ValidationError as exc:
        return cc or "?", str(exc).rstrip(".")
    return None


@rule("CUS001", name="invalid-invoice-contact", severity=Severity.ERROR, gate=Gate.PO,
      summary="the invoice contact is missing, or its email is not a valid address",
      message="{problem}",
      hint="Set customer.invoice_contact: {{name: ..., email: ...}} with a working address")
def invalid_invoice_contact(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    `customer.invoice_contact` exists and its `email` is a valid address. The address is checked
    by the email-validator library (syntax, internationalised domains, reserved names such as
    `.test` or `localhost`); no DNS lookup is made, so validation is offline and repeatable.

    ## Why
    An invoice nobody receives is paid late or never; the PO prints this contact.

    ## Example
    `invoice_contact: {name: Jana Schulz, email: "ap@acme"}` -> the domain has no dot.

    ## How to fix
    Ask the customer for their accounts-payable contact and write it down exactly.
    """
    contact = ctx.deal.customer.invoice_contact
    if contact is None:
        yield invalid_invoice_contact.finding(
            "customer.invoice_contact", problem="The customer has no invoice contact")
        return
    where = "customer.invoice_contact.email"
    if not contact.email:
        yield invalid_invoice_contact.finding(
            where, problem=f"The invoice contact {contact.name} has no email address")
        return
    problem = email_problem(contact.email)
    if problem is not None:
        yield invalid_invoice_contact.finding(
            where, problem=f"The invoice contact's email {contact.email!r} is not valid: "
                           f"{problem}")


@rule("CUS002", name="invalid-billing-address", severity=Severity.ERROR, gate=Gate.PO,
      summary="the billing address lacks street, postal code, city or country, or the postal code "
              "does not fit the country",
      message="{problem}",
      hint="Complete customer.billing_address: {{street, postal_code, city, country}}")
def invalid_billing_address(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    `customer.billing_address` has a street, a postal code, a city and a country; the country is
    an ISO 3166-1 alpha-2 code (`DE`, `GB`, not `UK` or `Germany`; Babel's CLDR data decides);
    the postal code has the country's format (at least US, CA, GB, FR, DE, ES, IT, NL, JP, IN,
    AU and SG, plus most of Europe). Countries without postal codes (e.g. HK, AE) need none.

    ## Why
    The billing address is printed on the PO and the invoice; a wrong one delays payment and
    can make the invoice invalid for VAT.

    ## Example
    `billing_address: {street: Hauptstr. 1, postal_code: "1011", city: Berlin, country: DE}`
    -> a German postal code has five digits.

    ## How to fix
    Fill in the missing part, or correct the code (one finding names each problem).
    """
    base = "customer.billing_address"
    addr = ctx.deal.customer.billing_address
    if addr is None:
        yield invalid_billing_address.finding(base, problem="The customer has no billing address")
        return
    country = (addr.country or "").strip()
    known = country in iso_countries()
    for part in ("street", "postal_code", "city", "country"):
        value = getattr(addr, part)
        if value is not None and value.strip():
            continue
        if part == "postal_code" and known and country in NO_POSTAL_CODE:
            continue
        yield invalid_billing_address.finding(
            f"{base}.{part}", problem=f"The billing address has no {part.replace('_', ' ')}")
    if country and not known:
        upper = country.upper()
        example = f"write {upper}" if upper in iso_countries() else "e.g. DE, GB, US"
        yield invalid_billing_address.finding(
            f"{base}.country", problem=f"Country {addr.country!r} is not an ISO 3166 alpha-2 "
                                       f"code ({example})")
    elif known and addr.postal_code and addr.postal_code.strip() \
            and not postal_code_fits(country, addr.postal_code):
        yield invalid_billing_address.finding(
            f"{base}.postal_code",
            problem=f"Postal code {addr.postal_code!r} does not fit {country}")


@rule("CUS003", name="territory-not-in-policy", severity=Severity.ERROR, gate=Gate.PO,
      summary="the territory is not in the policy's controlled list",
      message="Territory {territory!r} is not in the policy's list ({allowed})",
      hint="Use one of {allowed}, or have the policy owner add the territory")
def territory_not_in_policy(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    `customer.territory` is one of the policy's `territories`.

    ## Why
    Territories decide which SKUs may be sold, the tax rate and who delivers. A territory outside
    the controlled list has no tax rate, no delivery team and no agreed terms.

    ## Example
    `territory: UK` with a policy listing `GB`.

    ## How to fix
    Use the territory's code from the policy; selling in a new territory is a policy change.
    """
    territory = ctx.deal.customer.territory
    allowed = ctx.policy.territories
    if territory not in allowed:
        yield territory_not_in_policy.finding("customer.territory", territory=territory,
                                              allowed=", ".join(allowed))


@rule("CUS004", name="invalid-vat-id", severity=Severity.WARNING, gate=Gate.NONE,
      summary="the VAT id fails its country's check digits or format (python-stdnum)",
      message="VAT id {vat_id!r} does not look valid for {country}: {reason}",
      hint="Check the VAT id with the customer (EU ids can be confirmed in VIES)")
def invalid_vat_id(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    `customer.vat_id`, when given, passes python-stdnum's check for its country: the id's prefix
    (`DE`, `FR`, `EL`, `XI`, `GB`, `CHE` …) picks the country, else the billing country, else the
    territory. EU ids use the member state's rules, GB the HMRC check digits, JP the corporate
    number behind the `T` of a qualified-invoice number, IN the GSTIN, AU the ABN, SG the UEN,
    CA the business number. Countries without a VAT number module (e.g. the US) are not checked.

    ## Why
    A VAT id with a typo makes a reverse-charge invoice invalid. It is a warning, not an error,
    because the format check cannot tell whether the number is registered (only VIES can), and a
    customer may have a new format before the library knows it.

    ## Example
    `vat_id: DE123456789` -> the check digit is wrong (`DE123456788` passes).

    ## How to fix
    Ask the customer for the id on their VAT registration and copy it exactly.
    """
    customer = ctx.deal.customer
    if not customer.vat_id or not customer.vat_id.strip():
        return
    addr = customer.billing_address
    country = (addr.country.strip().upper() if addr and addr.country else None) \
        or customer.territory.upper()
    problem = vat_problem(customer.vat_id, country)
    if problem is not None:
        cc, reason = problem
        yield invalid_vat_id.finding("customer.vat_id", vat_id=customer.vat_id, country=cc,
                                     reason=reason)


#: Unicode's Bidi_Control characters: they reorder how text is shown without changing the data
#: (U+202E can make "evil.exe" read "exe.live"), so a document would not read as its data.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067"
                          "\u2068\u2069")
#: Characters named in one finding before "and N more".
_SHOWN = 4


_WIDE = re.compile("[^\x00-\xff]")


def _wide(text: str) -> bool:
    """True when `text` has a character outside Latin-1 (the only ones CUS005 must look up)."""
    return not text.isascii() and _WIDE.search(text) is not None


def _bad_chars(text: str) -> set[str]:
    """The characters of `text` CUS005 reports: bidi controls and those no font can print."""
    if not _wide(text):
        return set()
    from docgen.fonts import unprintable  # only for text outside Latin-1: keeps startup fast

    wide = "".join(set(_WIDE.findall(text)))
    return set(unprintable(wide)) | (set(wide) & BIDI_CONTROLS)


def _deal_texts(model: BaseModel) -> list[tuple[str, str]]:
    """(field path, text) of every text in `model` holding a character CUS005 reports.

    Every field is walked, not a list of known text fields, so a field added later is checked
    too. Most deals hold no such character: a deal loaded from a plain-ASCII file says so at
    once, and for others one look at their JSON (pydantic's serializer, in Rust, leaves
    non-ASCII characters as they are) says so before any Python walk.
    """
    private = model.__pydantic_private__  # a loaded deal's `_ascii_only`, without __getattr__
    if (private and private.get("_ascii_only")) or not _bad_chars(model.model_dump_json()):
        return []
    out: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [("", model)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _bad_chars(value):
                out.append((path, value))
        elif isinstance(value, BaseModel):
            stack += [(f"{path}.{k}" if path else k, v) for k, v in value.__dict__.items()]
        elif isinstance(value, list | tuple):
            stack += [(f"{path}[{i}]", v) for i, v in enumerate(value)]
        elif isinstance(value, dict):
            stack += [(f"{path}.{k}", v) for k, v in value.items()]
            stack += [(f"{path}.{k}", k) for k in value]
    return sorted(out)


@lru_cache(maxsize=8)
def _vendor_texts(vendor: BaseModel) -> tuple[tuple[str, str], ...]:
    """:func:`_deal_texts` of the vendor block, which every deal of a catalogue shares."""
    return tuple(_deal_texts(vendor))


@lru_cache(maxsize=64)
def locale_text(locale: str, currency: str) -> str:
    """Every character the documents' dates and amounts can take in `locale`: month names, the
    medium and long date patterns' literal text, the number symbols and the currency's symbol
    and pattern (what :mod:`docgen.render.i18n` formats with Babel)."""
    from babel import Locale

    loc = Locale.parse(locale)
    parts = [loc.currency_symbols.get(currency, currency),
             *(loc.date_formats[style].pattern for style in ("medium", "long")),
             loc.currency_formats["standard"].pattern, loc.percent_formats[None].pattern,
             loc.decimal_formats[None].pattern, *loc.number_symbols["latn"].values()]
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            parts += loc.months.get(context, {}).get(width, {}).values()
    return "".join(parts)


def _document_texts(ctx: RuleContext) -> Iterator[tuple[str, str, str]]:
    """(where, what, text) of every text a document prints that holds a character CUS005
    reports: the deal's own, and the catalogue's for the vendor and for each SKU on the deal
    (bundle components too)."""
    for where, text in _deal_texts(ctx.deal):
        yield where, "The text", text
    if _plain_catalogue(ctx.catalogue, ctx.skus):  # most catalogues: nothing more to look at
        return
    for field, text in _vendor_texts(ctx.catalogue.catalogue.vendor):
        yield f"catalogue.vendor.{field}", "The vendor's text", text
    for ln in ctx.sku_lines():
        for what, text in _line_texts(ln.sku, ctx.skus):
            yield ln.where, what, text


def _texts_of_sku(sku: Any) -> tuple[tuple[str, str], ...]:
    found = []
    for field in ("name", "description", "unit"):
        value = getattr(sku, field)
        # a description may be written per language: each text reaches a document
        for text in value.values() if isinstance(value, dict) else (value,):
            if _bad_chars(text):
                found.append((field, text))
    return tuple(found)


#: (field, text) of the SKU's name, description (in every language it is written in) and unit
#: that hold a character CUS005 reports, worked out once per SKU object (catalogues are loaded
#: once per workspace).
_sku_texts = IdentityMemo(_texts_of_sku, limit=4096)


def _catalogue_is_plain(catalogue: Any, skus: dict[str, Any]) -> bool:
    return not _vendor_texts(catalogue.catalogue.vendor) and not any(
        _sku_texts(sku) for sku in skus.values())


#: True when neither the catalogue's vendor block nor any SKU of `skus` holds a text CUS005
#: reports (then no line of any deal needs looking at), worked out once per catalogue.
_plain_catalogue = IdentityMemo(_catalogue_is_plain, limit=64)


def _texts_of_line(sku: Any, skus: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((f"The catalogue {field} of {comp.code}", text)
                 for comp in (sku, *(skus[c.sku] for c in sku.components if c.sku in skus))
                 for field, text in _sku_texts(comp))


#: (what, text) of every text a line of the SKU prints that CUS005 reports: the SKU's own and
#: its bundle components' (looked up in the catalogue's SKUs), worked out once per SKU and
#: catalogue.
_line_texts = IdentityMemo(_texts_of_line, limit=4096)


@lru_cache(maxsize=64)
def _locale_unprintable(locale: str, currency: str) -> tuple[str, ...]:
    """The characters of :func:`locale_text` no installed font can print (asked once per
    locale and currency: the fonts' answers are cached for the process anyway)."""
    printed = locale_text(locale, currency)
    if not _wide(printed):
        return ()
    from docgen.fonts import unprintable  # only for text outside Latin-1: keeps startup fast

    return tuple(unprintable(printed))


def _named(chars: list[str]) -> str:
    shown = [f"U+{ord(c):04X} {unicodedata.name(c, '(unassigned)')}" for c in chars[:_SHOWN]]
    more = f" and {len(chars) - _SHOWN} more" if len(chars) > _SHOWN else ""
    return ", ".join(shown) + more


@rule("CUS005", name="unprintable-text", severity=Severity.ERROR, gate=Gate.PO,
      summary="a text that reaches a document holds characters no installed font can print, or "
              "bidi control characters",
      message="{what} {problem}",
      hint="Remove the bidi control characters, write the text in a script the installed fonts "
           "cover, or install a font that covers it and validate again")
def unprintable_text(ctx: RuleContext) -> Iterator[Finding]:
    """## What it checks
    Every text of the deal that a document can print (customer name, addresses, contacts,
    sales rep, payment terms, SOW scope, custom line descriptions, evidence …), the
    catalogue's vendor block and the name, description and unit of each SKU on the deal, and
    the month names and symbols of the dates and amounts printed in the customer's locale, for
    - characters that no font installed on this machine covers: the PDF renderer would draw an
      empty box, and docgen fails such a render. The coverage is read from fontconfig, the same
      fonts the renderer falls back through, so validate and render agree;
    - bidi control characters (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), which
      make a text display in a different order than it is stored.

    ## Why
    A final PO reserves its number before it is rendered: a render bound to fail burns a number.
    Bidi controls let a document read differently from the data that was validated, priced and
    approved ("Trojan Source").

    ## Example
    `customer: {name: "नमस्ते Retail"}` on a machine whose fonts lack Devanagari, `locale: ko_KR`
    (dates print as "2026년 12월 1일") on one whose fonts lack Hangul, or
    `name: "Acme\\u202eGmbH"` (a YAML escape).

    ## How to fix
    Remove the bidi controls. For another script, install a font that covers it (for
    Devanagari, Thai or Hangul, e.g. Debian's fonts-noto-core or fonts-noto-cjk) and validate
    again, or write the text in Latin letters.
    """
    customer = ctx.deal.customer
    if missing := _locale_unprintable(customer.locale, customer.currency):
        yield unprintable_text.finding(
            "customer.locale", what=f"The dates and amounts printed for {customer.locale}",
            problem=f"have characters no installed font can print ({_named(list(missing))}): "
                    "the PDF would fail to render")
    seen: set[tuple[str, str]] = set()
    for where, what, text in _document_texts(ctx):
        if (where, text) in seen:
            continue
        seen.add((where, text))
        bad = _bad_chars(text)
        ordered = [c for c in dict.fromkeys(text) if c in bad]
        missing = [c for c in ordered if c not in BIDI_CONTROLS]
        bidi = [c for c in ordered if c in BIDI_CONTROLS]
        problems = []
        if missing:
            problems.append(f"has characters no installed font can print ({_named(missing)}): "
                            "the PDF would fail to render")
        if bidi:
            problems.append(f"has bidi control characters ({_named(bidi)}), which make a "
                            "document read differently from its data")
        yield unprintable_text.finding(where, what=what, problem="; it ".join(problems))
