"""Visual regression: the first page of every document kind in six locales, rendered to a small
grey PNG with poppler's ``pdftoppm`` and compared with the reference image committed beside this
file (``tests/render/visual/<kind>-<locale>.png``) within a tolerance.

A layout break — a description column squeezed to one word a line, a table past the margin, a
page that overflows — moves whole blocks of text and fails; anti-aliasing differences between
machines change a few grey levels and pass. After a deliberate change of the design, look at the
new images and commit them:

    DOCGEN_UPDATE_VISUAL=1 .venv/bin/pytest tests/render/test_visual.py
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from docgen.workspace import Workspace
from tests.docs import render_document
from tests.render._helpers import MATRIX, locale_deal

pytestmark = pytest.mark.slow  # 24 renders

REFERENCES = Path(__file__).resolve().parent / "visual"
KINDS = ("po", "sow", "onboarding", "contract")
DPI = 40
#: A pixel counts as changed when its grey level moves by more than this (of 255) ...
PIXEL_DELTA = 96
#: ... and an image fails when more than this share of its pixels changed.
MAX_CHANGED = 0.006


def page_png(pdf: Path) -> bytes:
    """The first page of `pdf` as a PNG of 16 greys at DPI dots per inch (a reference image is
    then ~15 KB; 16 levels are far finer than the comparison's PIXEL_DELTA)."""
    from PIL import Image

    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed: run scripts/setup-system.sh")
    raw = subprocess.run([exe, "-r", str(DPI), "-gray", "-f", "1", "-l", "1", "-png",
                          str(pdf)], capture_output=True, check=True, timeout=60).stdout
    grey = Image.open(io.BytesIO(raw)).convert("L")
    palette = [v * 17 for v in range(16) for _ in range(3)]
    pal = Image.new("P", (1, 1))
    pal.putpalette(palette)
    small = grey.convert("RGB").quantize(palette=pal, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True, bits=4)
    return out.getvalue()


def changed_share(actual: bytes, reference: bytes) -> float:
    """The share of pixels whose grey level differs by more than PIXEL_DELTA (1.0 when the
    images differ in size: the page itself changed)."""
    from PIL import Image, ImageChops

    a = Image.open(io.BytesIO(actual)).convert("L")
    b = Image.open(io.BytesIO(reference)).convert("L")
    if a.size != b.size:
        return 1.0
    hist = ImageChops.difference(a, b).histogram()
    return sum(hist[PIXEL_DELTA + 1:]) / (a.size[0] * a.size[1])


def _render_png(ws: Workspace, deal: Path, kind: str, out: Path) -> bytes:
    return page_png(render_document(ws, deal, kind, out).pdf)


@pytest.mark.parametrize(("locale", "currency", "territory"), MATRIX,
                         ids=[m[0] for m in MATRIX])
@pytest.mark.parametrize("kind", KINDS)
def test_first_page_looks_like_its_reference(doc_ws: Workspace,
                                             write_deal: Callable[..., Path], tmp_path: Path,
                                             kind: str, locale: str, currency: str,
                                             territory: str) -> None:
    # given: the richest sample deal in this locale, as the customer's draft
    deal = write_deal(locale_deal(locale, currency, territory))
    reference = REFERENCES / f"{kind}-{locale}.png"
    # when
    png = _render_png(doc_ws, deal, kind, tmp_path)
    if os.environ.get("DOCGEN_UPDATE_VISUAL"):
        reference.parent.mkdir(exist_ok=True)
        reference.write_bytes(png)
        pytest.skip(f"wrote {reference.name}")
    assert reference.is_file(), f"no reference image {reference}: run with DOCGEN_UPDATE_VISUAL=1"
    # then
    share = changed_share(png, reference.read_bytes())
    (tmp_path / reference.name).write_bytes(png)  # kept for a look when it fails
    assert share <= MAX_CHANGED, (
        f"{kind} {locale}: {share:.2%} of the page changed (at most {MAX_CHANGED:.2%}); "
        f"compare {tmp_path / reference.name} with {reference}")


def test_a_layout_break_fails_the_comparison(doc_ws_path: Path, write_deal: Callable[..., Path],
                                             tmp_path: Path) -> None:
    # given: a copy of the workspace whose PO squeezes the description column (the French PO
    # as it once broke: one word a line)
    ws = tmp_path / "ws"
    for name in ("skus", "templates"):
        shutil.copytree(doc_ws_path / name, ws / name)
    css = ws / "templates" / "css" / "document.css"
    css.write_text(css.read_text("utf-8") + "\n.po .lines th.money { width: 30mm; }\n", "utf-8")
    deal = write_deal(locale_deal("fr_FR", "EUR", "FR"))
    # when
    png = _render_png(Workspace(ws), deal, "po", tmp_path)
    # then
    assert changed_share(png, (REFERENCES / "po-fr_FR.png").read_bytes()) > MAX_CHANGED
