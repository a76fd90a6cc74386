"""Every validation rule, in code order. ``ALL_RULES`` is the one registry (SPEC §4).

Add a rule by writing one function in its family's module and listing it here; a test checks that
this tuple is sorted, has no duplicates and equals the SPEC table.
"""

from __future__ import annotations

from docgen.rules.catalogue import (no_price_in_currency, non_catalogue_service,
                                    service_needs_cs_review, sku_not_effective,
                                    sku_not_sold_in_territory, unknown_sku)
from docgen.rules.pricing import (discount_needs_approval, invalid_discount,
                                  quantity_out_of_range, zero_sold_amount)
from docgen.rules.registry import RETIRED, Rule, RuleContext, rule

ALL_RULES: tuple[Rule, ...] = (
    unknown_sku,                # CAT001
    non_catalogue_service,      # CAT002
    sku_not_effective,          # CAT003
    sku_not_sold_in_territory,  # CAT004
    no_price_in_currency,       # CAT005
    service_needs_cs_review,    # CAT007
    discount_needs_approval,    # PRC001
    zero_sold_amount,           # PRC002
    invalid_discount,           # PRC003
    quantity_out_of_range,      # PRC004
)

RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in ALL_RULES}

__all__ = ["ALL_RULES", "RETIRED", "RULES_BY_CODE", "Rule", "RuleContext", "rule"]
