"""Importing WeasyPrint without 54 child processes.

WeasyPrint loads Pango, HarfBuzz, fontconfig and GObject through cffi, trying several names for
each library (``libgobject-2.0-0``, ``gobject-2.0-0``, ``gobject-2.0``, then the Linux soname
``libgobject-2.0.so.0``, …). For every name that is not a path, cffi asks
:func:`ctypes.util.find_library`, which on Linux runs ``ldconfig -p``, then ``gcc`` and ``ld``
to search for it: 54 child processes before the soname finally loads directly, about a third of
a second of a one-PO ``docgen po`` (measured with ``python -m cProfile``: fork_exec and the reads
of their output). The Windows and macOS names never exist on Linux.

So on Linux the import runs with ``find_library`` answering "not found" at once: cffi then moves
on to the next name, and the sonames load by themselves, exactly the libraries WeasyPrint would
have loaded. If the import fails that way (a system whose libraries have other sonames), it is
retried with the real ``find_library``. Other platforms import WeasyPrint unchanged.
"""

from __future__ import annotations

import sys
import threading
from types import ModuleType

__all__ = ["import_weasyprint"]

_LOCK = threading.Lock()


def _not_found(name: str) -> None:  # noqa: ARG001 - find_library's signature
    return None


def import_weasyprint() -> ModuleType:
    """The ``weasyprint`` module, imported once per process (quickly on Linux)."""
    module = sys.modules.get("weasyprint")
    if module is not None:
        return module
    with _LOCK:
        if "weasyprint" in sys.modules:
            return sys.modules["weasyprint"]
        if sys.platform.startswith("linux"):
            import ctypes.util

            real = ctypes.util.find_library
            ctypes.util.find_library = _not_found  # type: ignore[assignment]
            try:
                import weasyprint

                return weasyprint
            except (ImportError, OSError):
                for name in [m for m in sys.modules if m == "weasyprint" or
                             m.startswith("weasyprint.")]:
                    del sys.modules[name]  # half-imported: import again, the slow way
            finally:
                ctypes.util.find_library = real
        import weasyprint

        return weasyprint
