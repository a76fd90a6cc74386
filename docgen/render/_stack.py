"""Calling the renderer with room on CPython's frame stack (a workaround for CPython 3.11, 3.12).

CPython keeps Python frames in 16 KiB chunks and frees a chunk as soon as the frame that opened it
returns (python/cpython#142183, fixed by caching a chunk in the 3.13 and 3.14 branches).
WeasyPrint's layout recursion goes up and down thousands of times per page; when its depth
straddles a chunk boundary, each crossing maps and unmaps a chunk (mmap, munmap, page faults).
Measured on a 1-page PO: 130 to 1,100 such chunks per render depending only on how deep in the
Python stack the render was called from, so the same render was up to ~10 % slower or faster by
accident of the caller
(``docgen po`` from the CLI, a worker process and an API call all sit at different depths).

:func:`call_with_stack_room` calls its function from a frame that declares a large evaluation stack.
CPython opens a 256 KiB chunk for that frame, and the frames of the call fit in the ~139 KiB left
after it, so no chunk boundary is crossed during a render, whatever the caller's depth. The declared
stack is never written: only the pages the frames use are touched. On an interpreter without the
problem this costs one 256 KiB mapping per call.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["call_with_stack_room"]

T = TypeVar("T")

#: Evaluation-stack slots declared by :func:`call_with_stack_room` (8 bytes each). CPython sizes a
#: new chunk as the smallest 16 KiB x 2**k holding the frame plus 1,000 slots: 15,400 slots
#: (~120 KiB) make that 256 KiB, leaving ~139 KiB for the frames of the call.
ROOM_SLOTS = 15_400


def call_with_stack_room(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Return ``fn(*args, **kwargs)``, called with ~139 KiB of free frame stack (see the module)."""
    return fn(*args, **kwargs)


# Only where the problem exists and the gain was measured (``make bench``): CPython 3.11 and 3.12.
if sys.implementation.name == "cpython" and (3, 11) <= sys.version_info[:2] < (3, 13):
    call_with_stack_room.__code__ = call_with_stack_room.__code__.replace(co_stacksize=ROOM_SLOTS)
