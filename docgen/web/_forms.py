"""The deal editor's form, to and from deal data.

The form covers what pre-sales edit every day: customer, contract, sales rep, evidence checklist
with dates, lines picked from the catalogue (or non-catalogue services), SOW scope. Everything
else a deal file holds (contacts, SOW assumptions, fields added later) is carried over from the
text the form was opened with (posted back as ``base``), so saving from the browser never drops
what a git user wrote. Field names are dotted paths (``customer.name``, ``lines.2.sku``,
``evidence.mnda_signed.date``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from docgen.errors import InputError, Problem

__all__ = ["EditorRow", "checklist_items", "deal_to_rows", "form_to_data", "data_to_yaml",
           "text_to_data"]

#: Blank line rows the editor shows below the deal's lines.
SPARE_ROWS = 2
_MAX_ROWS = 500

_TEXT_FIELDS = (
    "deal", "stage", "customer.name", "customer.territory", "customer.locale",
    "customer.currency", "customer.vat_id", "customer.invoice_contact.name",
    "customer.invoice_contact.email", "customer.billing_address.street",
    "customer.billing_address.postal_code", "customer.billing_address.city",
    "customer.billing_address.country", "sales_rep.name", "sales_rep.email",
    "contract.start", "contract.payment_terms", "go_live", "sow.scope", "sow.acceptance")
_INT_FIELDS = ("contract.term_months",)
_BOOL_FIELDS = ("customer.new",)


class EditorRow(dict[str, Any]):
    """One line of the editor: sku, quantity, discount_pct, discount_amount, included, or the
    custom service's description and unit price."""


def text_to_data(text: str, name: str = "deal.yaml") -> dict[str, Any]:
    """The data of deal text as plain YAML values (for the form; the schema checks it later)."""
    from docgen.api import parse_text

    data = parse_text(text, name)
    if not isinstance(data, dict):
        raise InputError([Problem(name, 1, "", "a deal file holds a mapping of fields")])
    return data


def _get(data: Mapping[str, Any], path: str) -> Any:
    cur: Any = data
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set `path` to `value`; None removes it (and parents left empty)."""
    parts = path.split(".")
    cur = data
    trail = []
    for part in parts[:-1]:
        nxt = cur.get(part)
        if not isinstance(nxt, dict):
            if value is None:
                return
            nxt = cur[part] = {}
        trail.append((cur, part))
        cur = nxt
    if value is None:
        cur.pop(parts[-1], None)
        for parent, key in reversed(trail):
            if parent[key]:
                break
            parent.pop(key)
    else:
        cur[parts[-1]] = value


def field_value(data: Mapping[str, Any], path: str) -> str:
    """The text a form field shows for `path`."""
    value = _get(data, path)
    return "" if value is None else str(value)


def checklist_items(policy: Any) -> list[tuple[str, bool]]:
    """(item, is a yes/no question) of every evidence item the policy asks for, in the order
    stages and checklists name them."""
    questions = set(policy.questions)
    return [(n, n in questions) for n in policy.evidence_items]


def evidence_view(value: Any) -> dict[str, str]:
    """How the form shows one evidence value: done (on/off/yes/no), date, ref."""
    if value is None:
        return {"done": "", "date": "", "ref": ""}
    if value is False:
        return {"done": "no", "date": "", "ref": ""}
    if isinstance(value, Mapping):
        done = "no" if value.get("done") is False else "yes"
        return {"done": done, "date": str(value.get("date") or ""),
                "ref": str(value.get("ref") or "")}
    if value is True:
        return {"done": "yes", "date": "", "ref": ""}
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return {"done": "yes", "date": text, "ref": ""}
    return {"done": "yes", "date": "", "ref": text}


def deal_to_rows(data: Mapping[str, Any]) -> list[EditorRow]:
    """The editor rows of a deal's lines, plus spare blank rows."""
    rows = []
    for line in data.get("lines") or []:
        if not isinstance(line, Mapping):
            continue
        custom = line.get("custom") if isinstance(line.get("custom"), Mapping) else None
        rows.append(EditorRow(
            sku="" if custom else str(line.get("sku") or ""),
            description=str(custom.get("description") or "") if custom else "",
            unit_price=str(custom.get("unit_price") or "") if custom else "",
            quantity=str((custom or line).get("quantity") or ""),
            discount_pct=str(line.get("discount_pct") or ""),
            discount_amount=str(line.get("discount_amount") or ""),
            included=bool(line.get("included"))))
    rows += [EditorRow(sku="", description="", unit_price="", quantity="", discount_pct="",
                       discount_amount="", included=False) for _ in range(SPARE_ROWS)]
    return rows


def _number(text: str) -> Any:
    """A whole number as int (YAML writes it bare), anything else as the text typed."""
    return int(text) if re.fullmatch(r"[1-9]\d{0,8}|0", text) else text


def form_to_data(base: dict[str, Any], form: Mapping[str, str], policy: Any) -> dict[str, Any]:
    """The deal data after the form's edits, on top of `base` (the deal as it was opened)."""
    data = dict(base)
    for path in _TEXT_FIELDS:
        if path in form:
            _set(data, path, form[path].strip() or None)
    for path in _INT_FIELDS:
        if path in form:
            text = form[path].strip()
            _set(data, path, _number(text) if text else None)
    for path in _BOOL_FIELDS:
        if f"{path}.present" in form:
            _set(data, path, True if form.get(path) else None)
    evidence = dict(data.get("evidence") or {})
    for item, question in checklist_items(policy):
        done = form.get(f"evidence.{item}.done")
        if done is None:
            continue
        date_text = form.get(f"evidence.{item}.date", "").strip()
        ref = form.get(f"evidence.{item}.ref", "").strip()
        if done == "no" and question:
            evidence[item] = False
        elif done != "yes":
            evidence.pop(item, None)
        elif ref:
            evidence[item] = {"date": date_text, "ref": ref} if date_text else {"ref": ref}
        else:
            evidence[item] = date_text or True
    if evidence:
        data["evidence"] = evidence
    else:
        data.pop("evidence", None)
    if "lines.count" in form:
        data["lines"] = _lines(form)
    return data


def _lines(form: Mapping[str, str]) -> list[dict[str, Any]]:
    try:
        count = min(int(form["lines.count"]), _MAX_ROWS)
    except ValueError:
        count = 0
    out = []
    for i in range(count):
        def get(name: str, i: int = i) -> str:
            return form.get(f"lines.{i}.{name}", "").strip()

        if get("remove"):
            continue
        sku, desc = get("sku").upper(), get("description")
        line: dict[str, Any]
        if sku:
            line = {"sku": sku, "quantity": _number(get("quantity")) if get("quantity") else None}
        elif desc:
            line = {"custom": {"description": desc, "unit_price": get("unit_price") or None,
                               "quantity": _number(get("quantity") or "1")}}
        else:
            continue
        if get("discount_pct"):
            line["discount_pct"] = get("discount_pct")
        if get("discount_amount"):
            line["discount_amount"] = get("discount_amount")
        if get("included"):
            line["included"] = True
        out.append({k: v for k, v in line.items() if v is not None})
    return out


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """YAML that docgen's strict reader reads back as written: text that looks like a number
    or a date stays quoted, which ``safe_dump`` does already. libyaml's emitter when PyYAML has
    it (the same text, five times faster: the live panel dumps the form on every keystroke)."""


def _short_maps(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = len(data) <= 6 and all(not isinstance(v, dict | list) for v in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


_Dumper.add_representer(dict, _short_maps)


def data_to_yaml(data: Mapping[str, Any]) -> str:
    """Deal data as YAML text: top-level blocks, one line per line item and small mapping."""
    return yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
