"""Pricing: per-line half-up rounding, totals from rounded lines, tax, included, bundles, starter pack."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from docgen.models.catalogue import Catalogue
from docgen.models.deal import Deal
from docgen.models.policy import Policy
from docgen.pricing import price_deal
from tests.conftest import example_data


def _deal(lines: list[dict[str, Any]], currency: str = "EUR", territory: str = "DE",
          new: bool = False) -> Deal:
    data = example_data("D-2026-0042")
    data["lines"] = lines
    data["customer"].update(currency=currency, territory=territory, new=new)
    return Deal.model_validate(data)


def test_pricing_the_spec_example(ws) -> None:
    """The SPEC §2.4 deal, line by line.

    ==========  ===========  ========  ========
    line        list amount  discount  sold
    ==========  ===========  ========  ========
    LIC 12x15%  14400.00     2160.00   12240.00
    WS incl.    2400.00      2400.00   0.00
    USG 12-300  3600.00      300.00    3300.00
    custom      4500.00      0.00      4500.00
    ==========  ===========  ========  ========
    """
    deal = _deal([{"sku": "LIC-ANL-PRO", "quantity": 12, "discount_pct": "15"},
                  {"sku": "SVC-WS-REMOTE", "quantity": 1, "included": True},
                  {"sku": "USG-PV-1M", "quantity": 12, "discount_amount": "300.00"},
                  {"custom": {"description": "Migration", "unit_price": "4500.00",
                              "quantity": 1}}])
    priced = price_deal(deal, ws.catalogue, ws.policy)
    rows = [(ln.list_amount.amount, ln.discount_amount.amount, ln.sold_amount.amount)
            for ln in priced.lines]
    assert rows == [(D("14400.00"), D("2160.00"), D("12240.00")),
                    (D("2400.00"), D("2400.00"), D("0.00")),
                    (D("3600.00"), D("300.00"), D("3300.00")),
                    (D("4500.00"), D("0.00"), D("4500.00"))]
    t = priced.totals
    assert t.list_total.amount == D("24900.00")
    assert t.discount_total.amount == D("4860.00")
    assert t.sold_subtotal.amount == D("20040.00")
    assert t.tax_rate == D("19")
    assert t.tax_amount.amount == D("3807.60")
    assert t.total_due.amount == D("23847.60")
    assert t.discount_pct == D("19.52")
    assert priced.lines[1].discount_pct == D(100)
    assert priced.lines[1].included


def test_pricing_rounds_each_line_and_sums_rounded_lines(ws) -> None:
    """Three lines of 0.05 at 50 %: each discount 0.025 rounds up to 0.03, so the total discount is
    0.09 (sum of rounded lines), not round(0.075) = 0.08."""
    cat = ws.catalogue.model_copy(deep=True)
    sku = cat.by_code()["LIC-SEAT-ADD"].model_copy(update={"list_price": {"EUR": D("0.05")}})
    cat = cat.model_copy(update={"skus": [sku if s.code == sku.code else s for s in cat.skus]})
    deal = _deal([{"sku": "LIC-SEAT-ADD", "quantity": 1, "discount_pct": "50"}] * 3)
    priced = price_deal(deal, cat, ws.policy)
    assert [ln.discount_amount.amount for ln in priced.lines] == [D("0.03")] * 3
    assert [ln.sold_amount.amount for ln in priced.lines] == [D("0.02")] * 3
    assert priced.totals.discount_total.amount == D("0.09")
    assert priced.totals.sold_subtotal.amount == D("0.06")


def test_pricing_in_yen_has_no_decimals(ws) -> None:
    deal = _deal([{"sku": "LIC-ANL-PRO", "quantity": 1, "discount_pct": "12.5"}],
                 currency="JPY", territory="JP")
    ln = price_deal(deal, ws.catalogue, ws.policy).lines[0]
    # 190000 x 12.5 % = 23750 exactly; 3 months of seats would be fractional
    assert (ln.list_amount.amount, ln.discount_amount.amount) == (D("190000"), D("23750"))
    deal = _deal([{"sku": "LIC-SEAT-ADD", "quantity": 1, "discount_pct": "12.5"}],
                 currency="JPY", territory="JP")
    ln = price_deal(deal, ws.catalogue, ws.policy).lines[0]
    assert ln.discount_amount.amount == D("488")  # 487.5 rounds half-up
    assert ln.sold_amount.amount == D("3412")


def test_pricing_in_a_three_decimal_currency(ws) -> None:
    cat_data = ws.catalogue.model_dump()
    cat_data["catalogue"]["currencies"].append("BHD")
    for s in cat_data["skus"]:
        if s["code"] == "LIC-SEAT-ADD":
            s["list_price"]["BHD"] = D("10.0005")
    cat = Catalogue.model_validate(cat_data)
    deal = _deal([{"sku": "LIC-SEAT-ADD", "quantity": 3, "discount_pct": "10"}], currency="BHD")
    ln = price_deal(deal, cat, ws.policy).lines[0]
    assert ln.list_amount.amount == D("30.002")     # 30.0015 half-up
    assert ln.discount_amount.amount == D("3.000")  # 3.0002
    assert ln.sold_amount.amount == D("27.002")


def test_pricing_a_bundle_lists_its_components_with_use_by(ws) -> None:
    deal = _deal([{"sku": "PACK-STARTER", "quantity": 1}])
    ln = price_deal(deal, ws.catalogue, ws.policy).lines[0]
    assert ln.list_amount.amount == D("2900.00")
    assert [(c.code, c.quantity) for c in ln.components] == [("SVC-WS-REMOTE", 1),
                                                              ("TRN-ADMIN", 1)]
    start = deal.contract.start
    assert ln.components[0].use_by == date.fromordinal(start.toordinal() + 180)


def test_pricing_adds_the_starter_pack_for_new_customers_only(ws) -> None:
    new = price_deal(_deal([{"sku": "LIC-ANL-PRO", "quantity": 12}], new=True), ws.catalogue,
                     ws.policy)
    assert new.starter_pack_added == ("PACK-STARTER",)
    assert new.lines[-1].auto_added and new.lines[-1].where == "lines[1]"
    old = price_deal(_deal([{"sku": "LIC-ANL-PRO", "quantity": 12}]), ws.catalogue, ws.policy)
    assert old.starter_pack_added == ()
    # already on the deal: not added twice
    both = price_deal(_deal([{"sku": "PACK-STARTER", "quantity": 1}], new=True), ws.catalogue,
                      ws.policy)
    assert both.starter_pack_added == () and len(both.lines) == 1


def test_pricing_leaves_unknown_and_unpriced_lines_unpriced(ws) -> None:
    deal = _deal([{"sku": "NOPE", "quantity": 1}, {"sku": "SVC-ONSITE-NA", "quantity": 1},
                  {"sku": "SUP-STD", "quantity": 2}])
    priced = price_deal(deal, ws.catalogue, ws.policy)
    assert [ln.priced for ln in priced.lines] == [False, False, True]
    assert priced.totals.list_total.amount == D("300.00")


def test_pricing_use_by_dates_count_from_the_contract_start(ws) -> None:
    deal = _deal([{"sku": "TRN-ADMIN", "quantity": 1}, {"sku": "LIC-ANL-PRO", "quantity": 1}])
    priced = price_deal(deal, ws.catalogue, ws.policy)
    assert priced.lines[0].use_by == date(2027, 3, 1)  # 2026-12-01 + 90 days
    assert priced.lines[1].use_by is None


def test_line_fingerprint_changes_with_the_line_only(ws) -> None:
    a = price_deal(_deal([{"sku": "LIC-ANL-PRO", "quantity": 12, "discount_pct": "15"},
                          {"sku": "SUP-STD", "quantity": 12}]), ws.catalogue, ws.policy)
    b = price_deal(_deal([{"sku": "LIC-ANL-PRO", "quantity": 12, "discount_pct": "15"},
                          {"sku": "SUP-STD", "quantity": 24}]), ws.catalogue, ws.policy)
    assert a.lines[0].fingerprint == b.lines[0].fingerprint
    assert a.lines[1].fingerprint != b.lines[1].fingerprint
    assert a.fingerprint != b.fingerprint


@pytest.mark.parametrize("deal_id", ["D-2026-0042", "D-2026-0077", "D-2026-0101", "D-2026-0105",
                                     "D-2026-0110", "D-2026-0120"])
def test_sample_deals_reconcile(ws, deal_id: str) -> None:
    deal = Deal.model_validate(example_data(deal_id))
    priced = price_deal(deal, ws.catalogue, ws.policy)
    for ln in priced.lines:
        assert ln.list_amount - ln.discount_amount == ln.sold_amount
    t = priced.totals
    assert sum(ln.list_amount for ln in priced.lines) == t.list_total
    assert sum(ln.sold_amount for ln in priced.lines) == t.sold_subtotal
    assert t.list_total - t.discount_total == t.sold_subtotal
    assert t.sold_subtotal + t.tax_amount == t.total_due


def test_policy_bands_pick_the_first_band_reaching_the_discount(ws) -> None:
    pol: Policy = ws.policy
    assert pol.band_for(D("10")).approvers == []
    assert pol.band_for(D("10.01")).approvers == ["sales_manager"]
    assert pol.band_for(D("100")).approvers == ["sales_manager", "finance", "cs"]


# -- recurring SKUs (billing: monthly) -------------------------------------------------------

def _term(deal: Deal, months: int | None) -> Deal:
    data = deal.model_dump(mode="json")
    data["contract"]["term_months"] = months
    return Deal.model_validate(data)


def test_recurring_line_is_seats_times_the_contract_term(ws) -> None:
    """10 viewer seats on a 24-month contract: quantity in seats, x 24 months.

    =====================  ========  ======  ===========
    line                   quantity  months  list amount
    =====================  ========  ======  ===========
    LIC-VIEWER EUR 15.00   10        24      3600.00
    =====================  ========  ======  ===========
    """
    # given
    deal = _term(_deal([{"sku": "LIC-VIEWER", "quantity": 10}]), 24)
    # when
    (line,) = price_deal(deal, ws.catalogue, ws.policy).lines
    # then: not 10 seat-months (150.00)
    assert line.recurring
    assert (line.quantity, line.months) == (D(10), 24)
    assert line.list_unit_price.amount == D("15.00")
    assert line.list_amount.amount == D("3600.00")
    assert line.sold_amount.amount == D("3600.00")


def test_recurring_line_months_override_the_term_with_a_warning(ws) -> None:
    # given: 10 seats for 12 months of a 24-month contract, with the reason
    from docgen.validate import validate_deal

    deal = _term(_deal([{"sku": "LIC-VIEWER", "quantity": 10, "months": 12,
                         "months_reason": "pilot year only", "discount_pct": "10"}]), 24)
    # when
    result = validate_deal(deal, ws.catalogue, ws.policy)
    (line,) = result.priced.lines
    # then
    assert line.months == 12
    assert line.list_amount.amount == D("1800.00")
    assert line.discount_amount.amount == D("180.00")
    assert [(f.code, f.severity.value, f.where) for f in result.findings
            if f.code.startswith("PRC")] == [("PRC006", "warning", "lines[0].months")]


def test_recurring_line_months_need_a_reason(ws) -> None:
    # given / when / then: months without months_reason is refused at load time
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="months_reason"):
        _deal([{"sku": "LIC-VIEWER", "quantity": 10, "months": 12}])


def test_recurring_line_without_a_term_is_unpriced(ws) -> None:
    # given: no term and no months: there is nothing honest to multiply by (DAT002 reports it)
    deal = _term(_deal([{"sku": "LIC-VIEWER", "quantity": 10}]), None)
    # when
    (line,) = price_deal(deal, ws.catalogue, ws.policy).lines
    # then
    assert not line.priced


def test_months_on_a_one_off_sku_price_nothing(ws) -> None:
    # given
    from docgen.validate import validate_deal

    deal = _deal([{"sku": "SUP-STD", "quantity": 12, "months": 12, "months_reason": "x"}])
    # when
    result = validate_deal(deal, ws.catalogue, ws.policy)
    # then
    assert not result.priced.lines[0].priced
    assert ("PRC007", "lines[0].months") in [(f.code, f.where) for f in result.findings]


def test_recurring_line_json_carries_quantity_and_months_exactly(ws) -> None:
    # given
    deal = _term(_deal([{"sku": "LIC-VIEWER", "quantity": "10.5"},
                        {"sku": "LIC-ANL-PRO", "quantity": 12}]), 36)
    # when
    recurring, one_off = (ln.to_json() for ln in price_deal(deal, ws.catalogue, ws.policy).lines)
    # then: the recurring line says so; a one-off line's JSON is exactly what it always was
    assert (recurring["quantity"], recurring["months"], recurring["billing"]) == (
        "10.5", 36, "monthly")
    assert recurring["list_amount"] == "5670.00"
    assert "months" not in one_off and "billing" not in one_off


def test_catalogues_without_billing_keep_their_lock_hashes_and_fingerprints(ws) -> None:
    # given: the sample deal D-2026-0101 and SKU hashes as they were before billing existed
    from docgen.catalogue import sku_hash

    sku = ws.skus["LIC-ANL-PRO"]
    deal = Deal.model_validate(example_data("D-2026-0101"))
    # when
    priced = price_deal(deal, ws.catalogue, ws.policy)
    # then: the canonical forms leave the new, unset keys out
    assert "billing" not in sku.canonical()
    assert sku_hash(sku) == "765d9f569acc92e9a4b78a757175331f6400b68cb1232504e7724c1c272934c5"
    assert "quote_date" not in deal.canonical()
    assert all("months" not in ln for ln in deal.canonical()["lines"])
    assert "months" not in priced.lines[0].fingerprint_data()
