"""Which characters the installed fonts can print, as the PDF renderer will find them.

WeasyPrint lays text out with Pango, which falls back through every font fontconfig knows: a
character that none of them covers is drawn as the .notdef box, WeasyPrint warns, and docgen fails
the render — after a final PO has reserved its number. Validation (rule CUS005) asks this module
first, so validate and render agree on the same machine with the same fonts.

A character is covered when fontconfig finds an installed font whose character set holds it:
asked through the fontconfig library, one question per distinct character (or, when the library
cannot be loaded, from the union of the character sets ``fc-list`` prints).
Characters Pango never draws (default-ignorables such as zero-width joiners, variation selectors
and bidi controls) and tab, LF and CR need no glyph. Text within Latin-1 is decided without
fontconfig: :func:`unprintable` does not even import this module's helpers for it, which keeps
``docgen validate`` of an ordinary deal fast.
"""

from __future__ import annotations

import bisect
import ctypes
import ctypes.util
import shutil
import subprocess
from functools import lru_cache

__all__ = ["coverage_known", "unprintable"]

#: Characters Pango lays out without a glyph (its ``pango_is_default_ignorable``), plus tab,
#: LF and CR: (first, last) code point ranges.
_NO_GLYPH_NEEDED = ((0x09, 0x0A), (0x0D, 0x0D), (0x00AD, 0x00AD), (0x034F, 0x034F),
                    (0x061C, 0x061C), (0x17B4, 0x17B5), (0x180B, 0x180E), (0x200B, 0x200F),
                    (0x202A, 0x202E), (0x2060, 0x206F), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
                    (0xFFF0, 0xFFF8), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))


def _parse_charset(text: str) -> list[tuple[int, int]]:
    """fontconfig's ``%{charset}`` text (``20-7e a0-1a9 …``) as (first, last) ranges."""
    out = []
    for part in text.split():
        first, _, last = part.partition("-")
        out.append((int(first, 16), int(last or first, 16)))
    return out


class _Fontconfig:
    """The fontconfig library through ctypes, asked one character at a time: "is there a font
    whose character set holds this code point?" (``FcFontList`` with a one-character charset
    pattern, what ``fc-list ':charset=2013'`` asks). Each question costs microseconds; reading
    and merging every font's whole character set instead cost ~20 ms per process."""

    def __init__(self, fc: ctypes.CDLL) -> None:
        class FontSet(ctypes.Structure):
            _fields_ = (("nfont", ctypes.c_int), ("sfont", ctypes.c_int),
                        ("fonts", ctypes.POINTER(ctypes.c_void_p)))

        fc.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
        fc.FcPatternCreate.restype = ctypes.c_void_p
        fc.FcObjectSetBuild.restype = ctypes.c_void_p
        fc.FcFontList.restype = ctypes.POINTER(FontSet)
        fc.FcFontList.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
        fc.FcCharSetCreate.restype = ctypes.c_void_p
        fc.FcCharSetAddChar.argtypes = (ctypes.c_void_p, ctypes.c_uint32)
        fc.FcPatternAddCharSet.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)
        for fn in (fc.FcCharSetDestroy, fc.FcPatternDestroy):
            fn.argtypes = (ctypes.c_void_p,)
        fc.FcFontSetDestroy.argtypes = (ctypes.POINTER(FontSet),)
        self._fc = fc
        # both live as long as the process (fontconfig's own caches do too)
        self._config = fc.FcInitLoadConfigAndFonts()
        self._objects = fc.FcObjectSetBuild(b"family", None)

    def covers(self, code: int) -> bool:
        """True when some installed font has a glyph for `code`."""
        fc = self._fc
        charset = fc.FcCharSetCreate()
        fc.FcCharSetAddChar(charset, code)
        pattern = fc.FcPatternCreate()
        fc.FcPatternAddCharSet(pattern, b"charset", charset)  # the pattern keeps its own copy
        fc.FcCharSetDestroy(charset)
        fonts = fc.FcFontList(self._config, pattern, self._objects)
        fc.FcPatternDestroy(pattern)
        if not fonts:
            return False
        found = fonts.contents.nfont > 0
        fc.FcFontSetDestroy(fonts)
        return found


@lru_cache(maxsize=1)
def _library() -> _Fontconfig | None:
    """The fontconfig library, or None when it cannot be loaded."""
    try:
        fc = ctypes.CDLL("libfontconfig.so.1")
    except OSError:
        name = ctypes.util.find_library("fontconfig")  # slower: it asks ldconfig
        try:
            fc = ctypes.CDLL(name or "libfontconfig.so")
        except OSError:
            return None
    return _Fontconfig(fc)


def _charsets_from_fc_list() -> list[str] | None:
    """The same, from the ``fc-list`` command; None when it is not installed."""
    exe = shutil.which("fc-list")
    if exe is None:
        return None
    proc = subprocess.run([exe, "--format", "%{charset}\n"], capture_output=True, text=True,
                          check=False, timeout=60)
    return proc.stdout.splitlines() if proc.returncode == 0 else None


@lru_cache(maxsize=1)
def _coverage() -> tuple[list[int], list[int]] | None:
    """Sorted, merged (starts, ends) of every character some installed font covers, from
    ``fc-list`` (used when the fontconfig library cannot be loaded), or None when neither is
    there to ask."""
    charsets = _charsets_from_fc_list()
    if charsets is None:
        return None
    ranges = sorted([*_NO_GLYPH_NEEDED, *(r for text in charsets for r in _parse_charset(text))])
    starts: list[int] = []
    ends: list[int] = []
    for first, last in ranges:
        if ends and first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return starts, ends


def coverage_known() -> bool:
    """True when fontconfig could be asked which characters the fonts cover."""
    return _library() is not None or _coverage() is not None


def _no_glyph_needed(code: int) -> bool:
    return any(first <= code <= last for first, last in _NO_GLYPH_NEEDED)


@lru_cache(maxsize=4096)
def _covered(code: int) -> bool:
    if _no_glyph_needed(code):
        return True
    library = _library()
    if library is not None:
        return library.covers(code)
    cov = _coverage()
    if cov is None:  # no fontconfig: nothing outside Latin-1 can be shown to print; fail closed
        return False
    starts, ends = cov
    i = bisect.bisect_right(starts, code) - 1
    return i >= 0 and code <= ends[i]


def unprintable(text: str) -> list[str]:
    """The distinct characters of `text` that no installed font can print, in order of first
    appearance. Text within Latin-1 is always printable (every font docgen's set-up installs
    covers it), and is decided without asking fontconfig."""
    if text.isascii() or max(text) <= "\xff":
        return []
    out: list[str] = []
    for ch in dict.fromkeys(text):
        if ch > "\xff" and not _covered(ord(ch)):
            out.append(ch)
    return out
