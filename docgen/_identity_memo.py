"""Values worked out once per object: for what the rules derive from loaded input models.

Input models are frozen once loaded but not hashable (pydantic models holding lists and dicts), and
the rules ask the same question of the same catalogue, policy or SKU on every deal validated. An
:class:`IdentityMemo` keeps each answer while the very same objects are passed again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["IdentityMemo"]

T = TypeVar("T")


class IdentityMemo(Generic[T]):
    """``compute(first)`` or ``compute(first, second)``, worked out once per object (pair).

    An entry holds the objects it was worked out from, so their ids are not reused while it
    lives; past `limit` entries the memo starts afresh, which bounds a long-running server.
    """

    __slots__ = ("_compute", "_entries", "_limit")

    def __init__(self, compute: Callable[..., T], limit: int) -> None:
        self._compute = compute
        self._limit = limit
        self._entries: dict[tuple[int, int], tuple[Any, Any, T]] = {}

    def __call__(self, first: Any, second: Any = None) -> T:
        key = (id(first), id(second))
        hit = self._entries.get(key)
        if hit is not None and hit[0] is first and hit[1] is second:
            return hit[2]
        value = self._compute(first) if second is None else self._compute(first, second)
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[key] = (first, second, value)
        return value
