"""Make the README's screenshots (docs/screenshots/) from the browser tests' own.

The end-to-end tests (tests/web/test_browser.py) drive Chromium at 1280 px and keep a full-page
screenshot of each page in test-artifacts/web/. This keeps the top of four of them, 1280 px wide,
as small PNG files (a 256-colour palette: the pages are flat colours and text), each under
200 KB. Run through ``scripts/screenshots.sh``, which runs the tests first.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts" / "web"
OUT = REPO / "docs" / "screenshots"
#: README name <- the browser test's screenshot.
SHOTS = {
    "deal-list": "01-deal-list",
    "deal-editor": "02-deal-editor",
    "cs-inbox": "05-cs-inbox",
    "legal-templates": "08-templates",
}
WIDTH = 1280
#: The top of the page that is kept (a 1280 × 900 window, as a laptop shows it).
HEIGHT = 900
MAX_BYTES = 200_000


def shrink(src: Path, dest: Path) -> int:
    """Crop `src` to the top WIDTH × HEIGHT, write it as a palette PNG; its size in bytes."""
    with Image.open(src) as img:
        if img.width != WIDTH:
            msg = f"{src.name} is {img.width} px wide, not {WIDTH}: did the test's viewport change?"
            raise SystemExit(msg)
        top = img.convert("RGB").crop((0, 0, WIDTH, min(HEIGHT, img.height)))
    for colours in (256, 128, 64):
        top.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE) \
            .save(dest, optimize=True)
        size = dest.stat().st_size
        if size < MAX_BYTES:
            return size
    msg = f"{dest.name} is still {size:,} bytes with 64 colours (limit {MAX_BYTES:,})"
    raise SystemExit(msg)


def main() -> int:
    """Write every screenshot; exit 1 naming any the tests did not leave."""
    missing = [f"{ARTIFACTS / name}.png" for name in SHOTS.values()
               if not (ARTIFACTS / f"{name}.png").is_file()]
    if missing:
        print("missing (run scripts/screenshots.sh, which runs the browser tests first): "
              + ", ".join(missing), file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    for name, source in SHOTS.items():
        size = shrink(ARTIFACTS / f"{source}.png", OUT / f"{name}.png")
        print(f"docs/screenshots/{name}.png: {size / 1000:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
