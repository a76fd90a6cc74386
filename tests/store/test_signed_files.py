"""Signed files besides the PO (packs) are recorded by the SHA-256 of their bytes, on SQLite and
PostgreSQL; recording the same pack again changes nothing, and an over-long value is refused
naming its field instead of printing the database's statement."""

from __future__ import annotations

import pytest

from docgen.errors import InputError
from docgen.store import Store


def test_a_pack_is_recorded_and_found_by_its_hash(store: Store) -> None:
    # given
    sha = "ab" * 32
    # when: recorded twice (a re-pack of the same files gives the same bytes)
    for _ in range(2):
        store.record_signed_file(sha, kind="pack", number="PO-2026-000001",
                                 deal_id="D-2026-0101", path="/tmp/pack.pdf")
    # then
    found = store.signed_file(sha)
    assert (found.kind, found.number, found.deal_id) == ("pack", "PO-2026-000001", "D-2026-0101")
    assert store.signed_file("cd" * 32) is None


def test_an_over_long_value_names_its_field(store: Store) -> None:
    with pytest.raises(InputError, match=r"deal: is 300 characters long; docgen keeps at most 64"):
        store.record_signed_file("ef" * 32, kind="pack", number="PO-2026-000001",
                                 deal_id="D" * 300, path=None)
