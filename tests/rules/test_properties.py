"""Property tests: random deals built from the sample catalogue never crash the validator, and
pricing always reconciles (list - discount = sold on every line; rows sum to the totals; every
amount at its currency's minor unit: JPY 0 decimals, EUR 2, BHD 3).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen.findings import sort_key
from docgen.models.catalogue import Catalogue
from docgen.models.deal import Deal
from docgen.models.policy import Policy
from docgen.money import Money, minor_unit, quantize
from docgen.pricing import PricedDeal, price_deal
from docgen.rules import RULES_BY_CODE
from docgen.validate import validate_deal
from docgen.workspace import Workspace, sample_root

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def sample() -> tuple[Catalogue, Policy]:
    """The sample catalogue and policy (loaded once: hypothesis reruns the test body)."""
    return Workspace(sample_root()).load_all()


@cache
def bhd_catalogue() -> Catalogue:
    """The sample catalogue with a Bahraini dinar price (3 decimals) on every SKU."""
    data = yaml.safe_load((sample_root() / "skus" / "catalogue.yaml").read_text("utf-8"))
    for sku in data["skus"]:
        eur = Decimal(str(next(iter(sku["list_price"].values()))))
        # prices with a third decimal, e.g. 1200.00 EUR -> 495.6 + 0.005 = 495.605 BHD
        sku["list_price"] = {"BHD": str((eur * Decimal("0.413")).quantize(Decimal("0.001"))
                                        + Decimal("0.005"))}
        if "overage" in sku:
            sku["overage"]["price"] = {"BHD": "10.325"}
    data["catalogue"]["currencies"] = ["BHD"]
    return Catalogue.model_validate(data)


WORD = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Lo"),
                                      max_codepoint=0x9FFF),
               min_size=1, max_size=24).filter(str.strip)
DATES = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


def decimals(lo: str, hi: str, places: int) -> st.SearchStrategy[Decimal]:
    """Exact decimals in [lo, hi] with at most `places` decimals."""
    return st.decimals(min_value=Decimal(lo), max_value=Decimal(hi), places=places,
                       allow_nan=False, allow_infinity=False)


def evidence_items() -> list[str]:
    """Every item the policy's checklists and stages name, plus the dated events."""
    _, policy = sample()
    items = {*policy.checklists.pricing, *policy.checklists.po, *policy.checklists.onboarding,
             *(i for s in policy.stages for i in s.requires), "pricing_sent", "go_live_notified"}
    return sorted(items)


EVIDENCE_VALUE = st.one_of(
    DATES, st.booleans(),
    st.fixed_dictionaries({}, optional={"date": DATES, "by": WORD, "ref": WORD}))


@st.composite
def sku_lines(draw: st.DrawFn) -> dict[str, Any]:
    """A catalogue line, sometimes with an unknown code or an odd discount."""
    cat, _ = sample()
    line: dict[str, Any] = {
        "sku": draw(st.sampled_from([s.code for s in cat.skus] + ["LIC-ANL-PRX", "NOPE"])),
        "quantity": draw(decimals("-2", "5000", 3)),
    }
    kind = draw(st.sampled_from(["none", "pct", "amount", "included", "both"]))
    if kind in ("pct", "both"):
        line["discount_pct"] = draw(decimals("-10", "120", 4))
    if kind in ("amount", "both"):
        line["discount_amount"] = draw(decimals("-100", "1000000", 4))
    if kind == "included":
        line["included"] = True
    return line


@st.composite
def custom_lines(draw: st.DrawFn) -> dict[str, Any]:
    """A non-catalogue line."""
    line: dict[str, Any] = {"custom": {"description": draw(WORD),
                                       "unit_price": draw(decimals("0", "99999999", 4)),
                                       "quantity": draw(decimals("-1", "1000", 3))}}
    if draw(st.booleans()):
        line["discount_pct"] = draw(decimals("0", "100", 2))
    return line


@st.composite
def deals(draw: st.DrawFn, currencies: tuple[str, ...] = ("EUR", "USD", "GBP", "JPY", "CHF"),
          valid_lines_only: bool = False) -> Deal:
    """A deal that passes the schema, with anything the rules might trip on."""
    _, policy = sample()
    customer: dict[str, Any] = {
        "name": draw(WORD), "new": draw(st.booleans()),
        "territory": draw(st.sampled_from([*policy.territories, "UK", "XX"])),
        "locale": draw(st.sampled_from(["en_US", "de_DE", "fr_FR", "ja_JP", "en_GB"])),
        "currency": draw(st.sampled_from(currencies)),
    }
    if draw(st.booleans()):
        customer["vat_id"] = draw(st.one_of(
            st.sampled_from(["DE123456788", "DE123456789", "GB980780684", "EL094259216",
                             "XI980780684", "T4010001234567", "CHE-116.281.710 MWST", "12-3"]),
            WORD))
    if draw(st.booleans()):
        customer["invoice_contact"] = {"name": draw(WORD), **draw(st.fixed_dictionaries(
            {}, optional={"email": st.one_of(st.emails(), WORD)}))}
    if draw(st.booleans()):
        customer["billing_address"] = draw(st.fixed_dictionaries({}, optional={
            "street": WORD, "city": WORD,
            "postal_code": st.one_of(st.from_regex(r"\A[0-9A-Z -]{1,9}\Z"), WORD),
            "country": st.one_of(st.sampled_from(["DE", "GB", "US", "JP", "NL", "HK", "UK",
                                                  "de", "Germany"]), WORD)}))
    line_strategy = sku_lines() if valid_lines_only else st.one_of(sku_lines(), custom_lines())
    data: dict[str, Any] = {
        "deal": "D-PROP-1",
        "customer": customer,
        "contract": draw(st.fixed_dictionaries({}, optional={
            "start": DATES, "term_months": st.integers(-3, 60)})),
        "evidence": draw(st.dictionaries(st.sampled_from(evidence_items()), EVIDENCE_VALUE)),
        "lines": draw(st.lists(line_strategy, min_size=1, max_size=8)),
    }
    if draw(st.booleans()):
        data["stage"] = draw(st.sampled_from(policy.deal_stages))
    if draw(st.booleans()):
        data["go_live"] = draw(DATES)
    if draw(st.booleans()):
        data["sow"] = draw(st.fixed_dictionaries({}, optional={"scope": st.one_of(WORD,
                                                                                  st.just("  "))}))
    return Deal.model_validate(data)


@SETTINGS
@given(deal=deals())
def test_validator_never_crashes_and_sorts_its_findings(deal: Deal) -> None:
    # given
    cat, policy = sample()
    # when
    result = validate_deal(deal, cat, policy)
    # then
    assert list(result.findings) == sorted(result.findings, key=sort_key)
    for f in result.findings:
        r = RULES_BY_CODE[f.code]
        assert f.severity in r.severities
        assert f.gate == r.gate
        assert f.where
        assert f.message
        assert "{" not in f.message


def assert_reconciles(priced: PricedDeal) -> None:
    """Every row and total reconciles to the minor unit of the deal's currency."""
    cur = priced.currency
    exponent = -minor_unit(cur)

    def at_minor_unit(m: Money | None) -> None:
        assert m is not None
        assert m.currency == cur
        assert m.amount.as_tuple().exponent == exponent, (m, exponent)

    priced_lines = [ln for ln in priced.lines if ln.priced]
    for ln in priced_lines:
        assert ln.list_unit_price is not None
        assert ln.list_amount is not None
        assert ln.discount_amount is not None
        assert ln.sold_amount is not None
        for m in (ln.list_amount, ln.discount_amount, ln.sold_amount):
            at_minor_unit(m)
        months = ln.months if ln.recurring else None  # a recurring line: x its months
        assert ln.list_amount.amount == quantize(
            ln.list_unit_price.amount * ln.quantity * (months or 1), cur)
        assert ln.list_amount - ln.discount_amount == ln.sold_amount
        if ln.included:
            assert ln.sold_amount.is_zero()
    t = priced.totals
    for m in (t.list_total, t.discount_total, t.sold_subtotal, t.tax_amount, t.total_due):
        at_minor_unit(m)
    assert t.list_total == sum((ln.list_amount for ln in priced_lines), Money.zero(cur))
    assert t.discount_total == sum((ln.discount_amount for ln in priced_lines), Money.zero(cur))
    assert t.sold_subtotal == sum((ln.sold_amount for ln in priced_lines), Money.zero(cur))
    assert t.list_total - t.discount_total == t.sold_subtotal
    assert t.sold_subtotal + t.tax_amount == t.total_due


@SETTINGS
@given(deal=deals(currencies=("EUR", "JPY", "USD", "GBP")))
def test_pricing_reconciles_in_eur_jpy_usd_gbp(deal: Deal) -> None:
    # given
    cat, policy = sample()
    # when
    priced = price_deal(deal, cat, policy)
    # then
    assert_reconciles(priced)


@SETTINGS
@given(deal=deals(currencies=("BHD",)))
def test_pricing_reconciles_with_a_bhd_catalogue(deal: Deal) -> None:
    # given
    cat = bhd_catalogue()
    _, policy = sample()
    # when
    priced = price_deal(deal, cat, policy)
    result = validate_deal(deal, cat, policy)
    # then
    assert minor_unit("BHD") == 3
    assert_reconciles(priced)
    assert result.priced.totals == priced.totals


def test_minor_units_of_the_property_currencies() -> None:
    """The currencies the properties run in, with their minor units.

    ========  ==========
    currency  decimals
    ========  ==========
    JPY       0
    EUR       2
    BHD       3
    ========  ==========
    """
    assert (minor_unit("JPY"), minor_unit("EUR"), minor_unit("BHD")) == (0, 2, 3)
