"""The hostile-input table of issue 12: every bad input is refused cleanly.

Each row is one input that used to be silently misread, crash with exit 3 or hang. Now it gives
exit 2 with docgen's own message naming the file, the line and the field (``REFUSED``), or a
finding where the SPEC makes it one (``FINDINGS``: PRC005, CUS005). Everything runs through the
CLI (click's runner in process, or a subprocess where a regression would hang the suite).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import DOCGEN, assert_no_traceback, example

Run = Callable[..., Result]
SAMPLE = "D-2026-0101"
BIG = "9" * 5000


@dataclass(frozen=True)
class Case:
    """Replace `old` (its first occurrence) in the sample deal by `new`; expect `message` at
    `field`, on the line where `old` was."""

    id: str
    old: str
    new: str
    field: str
    message: str


def _sample_text() -> str:
    return example(SAMPLE).read_text("utf-8")


REFUSED = [
    # YAML 1.1 (and 1.2) number forms: silently read as other numbers before
    Case("octal", "quantity: 12,", "quantity: 012,", "lines[0].quantity",
         "012 is a YAML 1.1 number form (octal, read as 10); write 12, or quote it"),
    Case("sexagesimal", "quantity: 12,", "quantity: 1:30,", "lines[0].quantity",
         "1:30 is a YAML 1.1 number form (base 60, read as 90); write 90, or quote it"),
    Case("sexagesimal-float", "quantity: 12,", "quantity: 1:30.5,", "lines[0].quantity",
         "1:30.5 is a YAML 1.1 number form (base 60, read as 90.5); write 90.5, or quote it"),
    Case("hexadecimal", "quantity: 12,", "quantity: 0x10,", "lines[0].quantity",
         "0x10 is a YAML 1.1 number form (hexadecimal, read as 16); write 16, or quote it"),
    Case("yaml-1.2-octal", "quantity: 12,", "quantity: 0o17,", "lines[0].quantity",
         "0o17 is a YAML 1.2 number form (octal, read as 15); write 15, or quote it"),
    Case("binary", "quantity: 12,", "quantity: 0b101,", "lines[0].quantity",
         "0b101 is a YAML 1.1 number form (binary, read as 5); write 5, or quote it"),
    Case("underscores", "quantity: 12,", "quantity: 1_000,", "lines[0].quantity",
         "1_000 is a YAML 1.1 number form (digits grouped with _, read as 1000); write 1000, "
         "or quote it"),
    Case("underscores-in-a-fraction", 'discount_pct: "5"', "discount_pct: 1_0.5",
         "lines[0].discount_pct",
         "1_0.5 is a YAML 1.1 number form (digits grouped with _, read as 10.5); write 10.5, "
         "or quote it"),
    Case("postal-code-with-leading-zero", 'postal_code: "94105"', "postal_code: 01067",
         "customer.billing_address.postal_code",
         "01067 is a YAML 1.1 number form (octal, read as 567); write 1067, or quote it"),
    # tags: decoded or constructed before
    Case("tag-binary", "name: Harbor Freight Analytics Inc.", "name: !!binary SGFyYm9y",
         "customer.name", "the tag !!binary is not accepted"),
    Case("tag-python", "name: Harbor Freight Analytics Inc.",
         'name: !!python/object/apply:os.system ["echo pwned"]', "customer.name",
         "the tag !!python/object/apply:os.system is not accepted"),
    Case("tag-set", "name: Harbor Freight Analytics Inc.", "name: !!set {a, b}",
         "customer.name", "the tag !!set is not accepted"),
    Case("tag-local", "name: Harbor Freight Analytics Inc.", "name: !acme Harbor",
         "customer.name", "the tag !acme is not accepted"),
    Case("tag-int-on-a-quoted-octal", "quantity: 12,", 'quantity: !!int "012",',
         "lines[0].quantity", "the tag !!int is not accepted"),
    Case("tag-str", "name: Harbor Freight Analytics Inc.", "name: !!str Harbor",
         "customer.name", "the tag !!str is not accepted"),
    # impossible dates: exit 3 before
    Case("february-30", "go_live: 2026-12-15", "go_live: 2026-02-30", "go_live",
         "2026-02-30 is not a real date"),
    Case("hour-25", "go_live: 2026-12-15", "go_live: 2026-12-15T25:00:00", "go_live",
         "2026-12-15T25:00:00 is not a real date and time"),
    Case("month-13-in-evidence", "mnda_signed: 2026-07-15", "mnda_signed: 2026-13-01",
         "evidence.mnda_signed", "2026-13-01 is not a real date"),
    Case("quoted-february-30", "start: 2026-12-01", 'start: "2026-02-30"', "contract.start",
         "2026-02-30 is not a real date"),
    # dates outside the documented range: OverflowError in pricing before
    Case("year-9999", "start: 2026-12-01", "start: 9999-12-01", "contract.start",
         "9999-12-01 is outside the dates docgen accepts (1900-01-01 to 2999-12-31)"),
    Case("year-1899", "go_live: 2026-12-15", "go_live: 1899-12-31", "go_live",
         "1899-12-31 is outside the dates docgen accepts (1900-01-01 to 2999-12-31)"),
    # huge numbers: exit 3 before (Python's int limit) or the schema's misleading words
    Case("5000-digit-integer", "quantity: 12,", f"quantity: {BIG},", "lines[0].quantity",
         "999999999999… has 5000 digits; docgen reads numbers of at most 24 digits"),
    Case("5000-digit-text", "quantity: 12,", f'quantity: "{BIG}",', "lines[0].quantity",
         "999999999999… has 5000 digits; docgen reads numbers of at most 24 digits"),
    Case("5000-digit-term", "term_months: 12", f"term_months: {BIG}", "contract.term_months",
         "999999999999… has 5000 digits; docgen reads numbers of at most 24 digits"),
    Case("huge-exponent", "quantity: 12,", "quantity: 1.0e+5000,", "lines[0].quantity",
         "1.0e+5000 is out of range; docgen reads numbers of at most 24 digits"),
    # control characters that cannot appear in a document: accepted, then failed to render
    Case("next-line-U+0085", "name: Harbor Freight Analytics Inc.",
         'name: "Harbor\\x85Freight"', "customer.name",
         "contains the control character U+0085 at position 7"),
    Case("line-separator-U+2028", 'payment_terms: "30 days net"',
         'payment_terms: "30 days\\u2028net"', "contract.payment_terms",
         "contains the control character U+2028 at position 8"),
    Case("paragraph-separator-U+2029", "{name: Sam Seller,", '{name: "Sam\\u2029Seller",',
         "sales_rep.name", "contains the control character U+2029 at position 4"),
    Case("c1-control-csi", "{name: Dana Whitfield,", '{name: "Dana\\x9b31mWhitfield",',
         "customer.invoice_contact.name", "contains the control character U+009B at position 5"),
]


def _line_of(text: str, old: str) -> int:
    return text[:text.index(old)].count("\n") + 1


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.id)
def test_bad_input_is_refused_naming_file_line_and_field(
        cli_run: Run, write_deal: Callable[..., Path], case: Case) -> None:
    # given: the sample deal with one bad value
    text = _sample_text()
    assert case.old in text, case.old
    deal = write_deal(text.replace(case.old, case.new, 1))
    # when
    result = cli_run("validate", deal)
    # then: exit 2, one line naming the file, the line and the field, in docgen's words
    assert result.exit_code == 2, result.output
    assert f"{deal}:{_line_of(text, case.old)}: {case.field}: {case.message}" in result.output
    assert result.output.count("error: ") == 1, result.output
    assert "internal error" not in result.output


def test_a_5000_digit_integer_in_a_json_deal_is_refused(
        cli_run: Run, write_deal: Callable[..., Path],
        sample_deal: Callable[..., dict[str, Any]]) -> None:
    # given
    data = sample_deal(SAMPLE)
    text = json.dumps(data, default=str, indent=1)
    text = text.replace('"quantity": 12', f'"quantity": {BIG}', 1)
    deal = write_deal(text, suffix=".json")
    # when
    result = cli_run("validate", deal)
    # then
    assert result.exit_code == 2, result.output
    line = _line_of(text, f'"quantity": {BIG}')
    assert f"{deal}:{line}: lines[0].quantity: 999999999999… has 5000 digits" in result.output


def test_a_date_out_of_range_in_a_json_deal_is_refused(
        cli_run: Run, write_deal: Callable[..., Path],
        sample_deal: Callable[..., dict[str, Any]]) -> None:
    data = sample_deal(SAMPLE)
    data["contract"]["start"] = "9999-12-01"
    result = cli_run("validate", write_deal(json.dumps(data, default=str), suffix=".json"))
    assert result.exit_code == 2, result.output
    assert "contract.start: 9999-12-01 is outside the dates docgen accepts" in result.output


def test_the_latest_accepted_date_prices_without_overflow(
        cli_run: Run, write_deal: Callable[..., Path], tmp_path: Path) -> None:
    # given: the last date docgen accepts, on a deal with a training SKU (a use-by date) and
    # an onboarding plan counted in weeks from the contract start
    from docgen.limits import MAX_DATE

    text = _sample_text().replace("start: 2026-12-01", f"start: {MAX_DATE.isoformat()}", 1)
    deal = write_deal(text)
    # when / then: findings (go-live before the start) but no crash, and the PO renders
    assert cli_run("validate", deal).exit_code in (0, 1)
    result = cli_run("po", deal, "-o", tmp_path / "out", "--draft", "--date", "2026-11-22",
                     "--format", "html")
    assert result.exit_code == 0, result.output


def test_pricing_never_raises_on_a_use_by_date_past_year_9999() -> None:
    # given: a SKU whose use-by date would fall after date.max
    from docgen.pricing import _use_by
    from docgen.workspace import Workspace, sample_root

    sku = next(s for s in Workspace(sample_root()).catalogue.skus if s.consumption_days)
    # when / then
    assert _use_by(sku, date.max) is None


# -- files that are not regular files --------------------------------------------------------


def _limited_memory() -> None:
    """In the child: at most 2 GB of address space, so a regression cannot exhaust the host."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_a_device_is_refused_unread(ws_path: Path) -> None:
    # given: /dev/zero, which was read until memory ran out; a subprocess with its memory
    # capped, so that a regression fails this test instead of the machine
    cmd = [*DOCGEN, "-w", str(ws_path), "validate", "/dev/zero"]
    # when
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False,
                          preexec_fn=_limited_memory)  # noqa: PLW1509 - no threads here
    # then
    assert proc.returncode == 2, proc.stderr
    assert "/dev/zero: is a device; docgen reads only regular files" in proc.stderr
    assert_no_traceback(proc)


def test_a_fifo_is_refused_without_waiting(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    # given: a named pipe nobody writes to (reading it hung forever); a subprocess, so that a
    # regression times out instead of hanging the suite
    fifo = tmp_path / "deal.yaml"
    os.mkfifo(fifo)
    # when
    proc = run_cli("validate", fifo, timeout=60)
    # then
    assert proc.returncode == 2, proc.stderr
    assert f"{fifo}: is a FIFO (named pipe); docgen reads only regular files" in proc.stderr
    assert_no_traceback(proc)


# -- sizes and list lengths -------------------------------------------------------------------


def test_a_20_megabyte_flat_list_is_refused_before_it_is_read(cli_run: Run,
                                                              tmp_path: Path) -> None:
    # given: 20 MB of list items (this took 70 s and 4.9 GB before being refused)
    from docgen.limits import MAX_FILE_BYTES

    path = tmp_path / "flat.yaml"
    path.write_text("deal: X\nlines:\n" + "- 1\n" * (5 * 1024 * 1024), "utf-8")
    # when
    result = cli_run("validate", path)
    # then
    assert result.exit_code == 2, result.output
    size = path.stat().st_size
    assert f"{path}: file is {size} bytes; the limit is {MAX_FILE_BYTES}" in result.output


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_list_longer_than_the_limit_is_refused_naming_it(cli_run: Run, tmp_path: Path,
                                                           suffix: str) -> None:
    # given: a file under the size limit whose list is far longer than any deal needs
    from docgen.limits import MAX_FILE_BYTES, MAX_ITEMS

    path = tmp_path / f"long{suffix}"
    count = MAX_FILE_BYTES // 3
    path.write_text('{"deal": "X",\n "lines": [' + "1," * count + "1]}\n", "utf-8")
    # when
    result = cli_run("validate", path)
    # then
    assert result.exit_code == 2, result.output
    assert f"{path}:2: lines: refused: the list has more than {MAX_ITEMS} items" \
        in result.output


def test_a_mapping_with_too_many_keys_is_refused(cli_run: Run, tmp_path: Path) -> None:
    from docgen.limits import MAX_ITEMS

    path = tmp_path / "keys.yaml"
    path.write_text("deal: X\nevidence:\n" + "".join(f"  k{i}: true\n"
                                                     for i in range(MAX_ITEMS + 1)), "utf-8")
    result = cli_run("validate", path)
    assert result.exit_code == 2, result.output
    assert f"{path}:2: evidence: refused: the mapping has more than {MAX_ITEMS} keys" \
        in result.output


def test_a_file_with_too_many_values_is_refused(cli_run: Run, tmp_path: Path) -> None:
    # given: lists each within the item limit, together past the limit on values
    from docgen.limits import MAX_ITEMS, MAX_VALUES

    row = "[" + ",".join(["1"] * (MAX_ITEMS - 1)) + "]"
    path = tmp_path / "values.yaml"
    path.write_text("deal: X\nlines:\n" + f"- {row}\n" * (MAX_VALUES // MAX_ITEMS + 2), "utf-8")
    # when
    result = cli_run("validate", path)
    # then
    assert result.exit_code == 2, result.output
    assert f"refused: the file holds more than {MAX_VALUES} values" in result.output


# -- findings: PRC005 and CUS005 --------------------------------------------------------------

FINDINGS = [
    Case("negative-custom-price", "sow:",
         '  - custom: {description: Credit, unit_price: "-100000.00", quantity: 1}\nsow:',
         "lines[4]", "PRC005"),
    Case("zero-custom-price", "sow:",
         '  - custom: {description: Migration, unit_price: "0.00", quantity: 1}\nsow:',
         "lines[4]", "PRC005"),
    Case("right-to-left-override", "name: Harbor Freight Analytics Inc.",
         'name: "Harbor \\u202eFreight"', "customer.name", "CUS005"),
    Case("left-to-right-isolate", 'payment_terms: "30 days net"',
         'payment_terms: "30 days \\u2066net\\u2069"', "contract.payment_terms", "CUS005"),
    Case("right-to-left-mark-in-a-contact", "{name: Luis Ortega,",
         '{name: "Luis\\u200f Ortega",', "contacts[0].name", "CUS005"),
    Case("unassigned-character", "name: Harbor Freight Analytics Inc.",
         'name: "Harbor \\u0378"', "customer.name", "CUS005"),
]


def _findings(result: Result) -> set[tuple[str, str]]:
    data = json.loads(result.stdout)
    return {(f["code"], f["where"]) for d in data["deals"] for f in d["findings"]}


@pytest.mark.parametrize("case", FINDINGS, ids=lambda c: c.id)
def test_bad_content_is_a_finding_that_blocks_the_po(
        cli_run: Run, write_deal: Callable[..., Path], case: Case) -> None:
    # given
    text = _sample_text()
    deal = write_deal(text.replace(case.old, case.new, 1))
    # when
    result = cli_run("validate", deal, "--json")
    # then: blocked (exit 1) by an error finding at the field
    assert result.exit_code == 1, result.output
    assert (case.message, case.field) in _findings(result)


AGREE = [
    Case("devanagari-name", "name: Harbor Freight Analytics Inc.", 'name: "नमस्ते Retail"',
         "customer.name", ""),
    Case("thai-name", "name: Harbor Freight Analytics Inc.", 'name: "บริษัท ไทย"',
         "customer.name", ""),
    Case("hangul-name", "name: Harbor Freight Analytics Inc.", 'name: "한국 상사"',
         "customer.name", ""),
    Case("japanese-name", "name: Harbor Freight Analytics Inc.", 'name: "株式会社アクメ"',
         "customer.name", ""),
    Case("greek-name", "name: Harbor Freight Analytics Inc.", 'name: "Ελληνική Α.Ε."',
         "customer.name", ""),
    Case("emoji-name", "name: Harbor Freight Analytics Inc.", 'name: "Acme \U0001f600"',
         "customer.name", ""),
    # unassigned in Unicode: no font has it on any machine, so the failing side always runs
    Case("unassigned-character", "name: Harbor Freight Analytics Inc.", 'name: "Harbor \\u0378"',
         "customer.name", ""),
    Case("korean-dates", "locale: en_US", "locale: ko_KR", "customer.locale", ""),
    Case("thai-dates", "locale: en_US", "locale: th_TH", "customer.locale", ""),
    Case("hindi-dates", "locale: en_US", "locale: hi_IN", "customer.locale", ""),
    Case("arabic-dates", "locale: en_US", "locale: ar_EG", "customer.locale", ""),
]


@pytest.mark.parametrize("case", AGREE, ids=lambda c: c.id)
def test_validate_and_render_agree_on_what_the_fonts_can_print(
        cli_run: Run, write_deal: Callable[..., Path], tmp_path: Path, case: Case) -> None:
    # given: a text (or a locale's dates) in a script the installed fonts may or may not cover
    deal = write_deal(_sample_text().replace(case.old, case.new, 1))
    # when
    validated = cli_run("validate", deal, "--json")
    rendered = cli_run("po", deal, "-o", tmp_path / "out", "--draft", "--date", "2026-11-22",
                       "--format", "pdf")
    # then: CUS005 exactly when the render fails (so a final PO never burns a number on it)
    flagged = ("CUS005", case.field) in _findings(validated)
    assert validated.exit_code == (1 if flagged else 0), validated.output
    assert rendered.exit_code == (2 if flagged else 0), rendered.output


# -- CSV cells --------------------------------------------------------------------------------

@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n", " ", "\u00a0",
                                   "\u3000", "\u200b", "\ufeff", "\uff1d", "\uff0b", "\uff0d",
                                   "\uff20"],
                         ids=["equals", "plus", "minus", "at", "tab", "cr", "lf", "space", "nbsp",
                              "ideographic-space", "zero-width-space", "bom", "fullwidth-equals",
                              "fullwidth-plus", "fullwidth-minus", "fullwidth-at"])
def test_csv_cells_never_start_like_a_formula(cli_run: Run, write_deal: Callable[..., Path],
                                              tmp_path: Path, start: str) -> None:
    # given: a customer name starting with the character, on a deal with an exception
    payload = f"{start}=HYPERLINK(\"http://evil.example\")"
    text = _sample_text().replace("name: Harbor Freight Analytics Inc.",
                                  f"name: {json.dumps(payload)}", 1)
    text = text.replace("sow:", '  - custom: {description: Migration, unit_price: "10.00", '
                                "quantity: 1}\nsow:", 1)
    out = tmp_path / "report.csv"
    # when
    result = cli_run("report", write_deal(text), "-o", out, "--now", "2026-11-22T10:00:00")
    # then: the cell holds the text behind a quote, so a spreadsheet shows it as text
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows, out.read_bytes()
    assert rows[0]["customer"] == "'" + payload


def test_font_coverage_agrees_with_the_renderer_character_by_character() -> None:
    # given: 2,000 code points drawn from every plane in use, and the renderer's own verdict
    import logging
    import random
    import re
    import unicodedata

    from weasyprint import HTML

    from docgen.fonts import unprintable

    rng = random.Random(12)
    candidates = [c for c in range(0x100, 0x30000)
                  if unicodedata.category(chr(c)) not in ("Cs", "Cc", "Zl", "Zp")]
    text = " ".join(chr(c) for c in rng.sample(candidates, 2000))
    warned: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            warned.append(record.getMessage())

    handler = Collect(level=logging.WARNING)
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        HTML(string=f'<meta charset="utf-8"><p style="font-family: \'DejaVu Sans\', IPAGothic, '
                    f'sans-serif">{text}</p>').write_pdf()
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)
    # when
    flagged = {ord(c) for c in unprintable(text)}
    # then: exactly the characters the renderer drew as .notdef
    drawn_as_notdef = {int(m, 16) for msg in warned
                       for m in re.findall(r"unsupported by fonts: .*?\(U\+([0-9A-F]+)\)", msg)}
    assert flagged == drawn_as_notdef


def test_font_coverage_is_the_same_from_the_library_and_from_fc_list() -> None:
    import random
    import shutil

    from docgen import fonts

    if shutil.which("fc-list") is None:
        pytest.skip("fc-list is not installed (the library is what docgen uses)")
    library = fonts._library()
    assert library is not None
    starts_ends = fonts._coverage()  # fc-list's answer: the union of every font's charset
    assert starts_ends is not None
    starts, ends = starts_ends

    def in_fc_list(code: int) -> bool:
        return any(first <= code <= last for first, last in zip(starts, ends, strict=True))

    rng = random.Random(7)
    sample = [0x2013, 0x20AC, 0x4E00, 0x0905, 0x0E01, 0xAC00, 0xE000, 0x1F600,
              *rng.sample(range(0x100, 0x30000), 1500)]
    sample = [c for c in sample if not fonts._no_glyph_needed(c)]
    answers = {c: library.covers(c) for c in sample}
    assert any(answers.values()) and not all(answers.values())  # a real mix was asked
    assert answers == {c: in_fc_list(c) for c in sample}


def test_yaml_1_1_booleans_stay_text_and_true_false_fields_still_take_them(
        write_deal: Callable[..., Path]) -> None:
    # given: Norway's code, Ontario's code, and yes/no where docgen wants true or false
    from docgen.workspace import load_deal

    text = _sample_text().replace("country: US}", "country: NO}", 1)
    text = text.replace("region: CA,", "region: ON,", 1).replace("new: false", "new: yes", 1)
    text = text.replace("mnda_signed: 2026-07-15", "mnda_signed: yes", 1)
    # when
    deal = load_deal(write_deal(text))
    # then: YAML 1.2 reading; YAML 1.1 would have made the codes false and true
    address = deal.customer.billing_address
    assert address is not None
    assert (address.country, address.region) == ("NO", "ON")
    assert deal.customer.new is True
    assert deal.has_evidence("mnda_signed")


# -- command-line options ---------------------------------------------------------------------

DEAL_ARG = "{deal}"
#: (id, the command with one text option, where the hostile text goes)
CLI_TEXT = [
    ("approve-where", ["approve", DEAL_ARG, "--code", "PRC001", "--where", "{bad}", "--role",
                       "cs"], "--where"),
    ("approve-note", ["approve", DEAL_ARG, "--code", "PRC001", "--where", "lines[0]", "--role",
                      "cs", "--note", "{bad}"], "--note"),
    ("reject-note", ["reject", DEAL_ARG, "--code", "PRC001", "--where", "lines[0]", "--role",
                     "cs", "--note", "{bad}"], "--note"),
    ("approve-code", ["approve", DEAL_ARG, "--code", "{bad}", "--where", "lines[0]", "--role",
                      "cs"], "--code"),
    ("approve-role", ["approve", DEAL_ARG, "--code", "PRC001", "--where", "lines[0]", "--role",
                      "{bad}"], "--role"),
    ("users-add-name", ["users", "add", "x@vendor.example", "--name", "{bad}", "--admin"],
     "--name"),
    ("users-add-email", ["users", "add", "{bad}", "--name", "X", "--admin"], "EMAIL"),
    ("token-create-name", ["token", "create", "--name", "{bad}"], "--name"),
    ("approvals-deal", ["approvals", "{bad}"], "DEAL"),
    ("rules-code", ["rules", "{bad}"], "CODE"),
    ("catalogue-show-code", ["catalogue", "show", "{bad}"], "CODE"),
    ("catalogue-list-currency", ["catalogue", "list", "--currency", "{bad}"], "--currency"),
    ("po-format", ["po", DEAL_ARG, "-o", "out", "--draft", "--format", "{bad}"], "--format"),
    ("report-now", ["report", DEAL_ARG, "-o", "r.json", "--now", "{bad}"], "--now"),
]
#: Control characters, and the bidi controls that make a terminal show other text.
HOSTILE_CHARS = [("escape", "\x1b[31m", "U+001B"), ("bell", "\x07", "U+0007"),
                 ("newline", "\n", "U+000A"), ("next-line", "\x85", "U+0085"),
                 ("right-to-left-override", "\u202e", "U+202E"),
                 ("first-strong-isolate", "\u2068", "U+2068")]


@pytest.mark.parametrize(("cmd_id", "args", "option"), CLI_TEXT, ids=[c[0] for c in CLI_TEXT])
@pytest.mark.parametrize(("char_id", "char", "code"), HOSTILE_CHARS,
                         ids=[c[0] for c in HOSTILE_CHARS])
def test_control_characters_in_a_cli_text_option_are_refused(
        cli_run: Run, tmp_path: Path, cmd_id: str, args: list[str], option: str, char_id: str,
        char: str, code: str) -> None:
    # given: a text option holding the character (stored and echoed raw to terminals before)
    deal = example(SAMPLE)
    bad = f"lines{char}[0]" if "now" not in cmd_id else f"2026-11-22{char}"
    argv = [a.replace(DEAL_ARG, str(deal)).replace("{bad}", bad) for a in args]
    argv = [str(tmp_path / a) if a in ("out", "r.json") else a for a in argv]
    # when
    result = cli_run(*argv)
    # then: exit 2 naming the option and the character, which is not echoed back
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert f"contains the control character {code}" in result.output
    assert bad not in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["po", DEAL_ARG, "-o", "out", "--date", "9999-12-31"],
     "9999-12-31 is outside the issue dates docgen accepts (2000-01-01 to 2100-12-31)"),
    (["po", DEAL_ARG, "-o", "out", "--date", "1999-12-31"],
     "1999-12-31 is outside the issue dates docgen accepts (2000-01-01 to 2100-12-31)"),
    (["po", DEAL_ARG, "-o", "out", "--date", "0001-01-01"],
     "0001-01-01 is outside the issue dates docgen accepts"),
    (["report", DEAL_ARG, "-o", "r.json", "--now", "9999-12-31T23:59:59-01:00"],
     "--now: 9999-12-31 is outside the dates docgen accepts (2000-01-01 to 2100-12-31)"),
    (["report", DEAL_ARG, "-o", "r.json", "--now", "0001-01-01T00:00:00+01:00"],
     "--now: 0001-01-01 is outside the dates docgen accepts"),
], ids=["date-9999", "date-1999", "date-0001", "now-9999-west", "now-0001-east"])
def test_dates_on_the_command_line_are_bounded(cli_run: Run, tmp_path: Path, args: list[str],
                                               message: str) -> None:
    # given: dates that overflowed in date arithmetic (exit 3) before
    argv = [str(example(SAMPLE)) if a == DEAL_ARG else a for a in args]
    argv = [str(tmp_path / a) if a in ("out", "r.json") else a for a in argv]
    # when
    result = cli_run(*argv)
    # then
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "internal error" not in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "r.json").exists()


def test_the_last_accepted_issue_date_renders(cli_run: Run, tmp_path: Path) -> None:
    result = cli_run("po", example(SAMPLE), "-o", tmp_path / "out", "--draft", "--date",
                     "2100-12-31", "--format", "html")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("url", ["mysql://u:secret@db.example/docgen",
                                 "mysql+pymysql://u@db.example/docgen", "oracle://u@h/x",
                                 "not a url", "postgresql://[::1"],
                         ids=["mysql", "mysql-driver", "oracle", "not-a-url", "malformed"])
def test_an_unsupported_or_malformed_database_url_is_refused(
        cli_run: Run, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    # given: a database docgen has no driver for, or no URL at all (exit 3 before)
    monkeypatch.setenv("DOCGEN_DATABASE_URL", url)
    # when
    result = cli_run("submit", example(SAMPLE))
    # then: exit 2, naming the variable, never the password
    assert result.exit_code == 2, result.output
    assert "error: DOCGEN_DATABASE_URL: cannot use the database" in result.output
    assert "secret" not in result.output
    assert "internal error" not in result.output


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres,
                                                                      pytest.mark.slow])])
def database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store on SQLite (the workspace's file) or on a fresh PostgreSQL schema."""
    if request.param == "postgresql":
        monkeypatch.setenv("DOCGEN_DATABASE_URL", request.getfixturevalue("postgres_url"))
    return str(request.param)


def test_a_300_character_value_never_prints_the_sql(cli_run: Run, database: str,
                                                   ws_path: Path) -> None:
    # given: a value longer than its column (PostgreSQL printed the SQL statement, exit 3)
    long = "x" * 300
    # when: the first administrator is added with a 300-character name
    result = cli_run("users", "add", "admin@vendor.example", "--name", long, "--admin")
    # then: exit 2 naming the field, on either backend, and nothing stored
    assert result.exit_code == 2, result.output
    assert "--name" in result.output and "200 characters" in result.output
    for sql in ("INSERT", "SELECT", "[SQL", "parameters"):
        assert sql not in result.output
    from docgen import api

    with api.Session(ws_path, locked=False) as s:
        store = s._existing_store()  # noqa: SLF001 - looking, not acting
        assert store is None or store.count_users() == 0


POLICY_BOUNDS = [
    ("po-valid-days-huge", "po_valid_days: 30", "po_valid_days: 99999999", "po_valid_days"),
    ("sla-hours-zero", "sla_hours: 48", "sla_hours: 0", "exceptions.sla_hours"),
    ("sla-hours-huge", "sla_hours: 48", "sla_hours: 1000000", "exceptions.sla_hours"),
    ("warn-hours-negative", "warn_hours: 24", "warn_hours: -1", "exceptions.warn_hours"),
    ("tax-rate-over-100", 'DE: "19"', 'DE: "190"', "tax_rates.DE"),
    ("tax-rate-negative", 'DE: "19"', 'DE: "-5"', "tax_rates.DE"),
    ("go-live-notice-huge", "go_live_notice_hours: 72", "go_live_notice_hours: 10000000",
     "go_live_notice_hours"),
    ("band-over-100", 'up_to: "100"', 'up_to: "150"', "discount_bands[3].up_to"),
    ("stage-probability-over-100", "probability: 5,", "probability: 105,",
     "stages[0].probability"),
]


@pytest.mark.parametrize(("old", "new", "field"), [c[1:] for c in POLICY_BOUNDS],
                         ids=[c[0] for c in POLICY_BOUNDS])
def test_policy_numbers_are_bounded(cli_run: Run, ws_path: Path, old: str, new: str,
                                    field: str) -> None:
    # given: a policy number outside what any business needs (overflowed dates before)
    policy = ws_path / "skus" / "policy.yaml"
    text = policy.read_text("utf-8")
    assert old in text, old
    policy.write_text(text.replace(old, new, 1), "utf-8")
    # when
    result = cli_run("validate", example(SAMPLE))
    # then: exit 2 at the file, the line and the field
    assert result.exit_code == 2, result.output
    assert f"{policy}:{_line_of(text, old)}: {field}:" in result.output
    assert "internal error" not in result.output
