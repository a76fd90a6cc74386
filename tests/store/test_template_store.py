"""Legal's staged templates and activations in the store, on SQLite and PostgreSQL (issue 16)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from docgen.errors import InputError
from tests.store.conftest import Backend

LEGAL = "legal@vendor.example"


def test_staging_and_activation_are_recorded_and_audited(store: Any, backend: Backend) -> None:
    # given: a version staged twice (the second replaces the first), as legal
    store.stage_template("html/po.html", b"<p>one</p>", actor=LEGAL)
    staged = store.stage_template("html/po.html", b"<p>two</p>", actor=LEGAL)
    assert [t.name for t in store.staged_templates()] == ["html/po.html"]
    assert store.staged_blob("html/po.html") == b"<p>two</p>"
    assert staged.sha256 == hashlib.sha256(b"<p>two</p>").hexdigest()
    written: list[bytes] = []

    # when: activated (the file write is the caller's)
    act = store.activate_staged("html/po.html", actor=LEGAL, publish=lambda blob: (
        written.append(blob) or b"<p>live</p>", "v" * 64))

    # then: written once, recorded with what it replaced, no longer staged, audited
    assert written == [b"<p>two</p>"]
    assert (act.sha256, act.activated_by, act.templates_version) == (staged.sha256, LEGAL,
                                                                     "v" * 64)
    assert store.template_blob(act.previous_sha256) == b"<p>live</p>"
    assert store.staged_templates() == [] and store.latest_activation_id() == act.id
    assert store.template_activations(after=act.id) == []
    assert [e.action for e in store.audit_log()] == ["template.stage", "template.stage",
                                                     "template.activate"]
    assert store.verify_audit()[1] == []


def test_a_failed_publish_records_nothing(store: Any, backend: Backend) -> None:
    store.stage_template("css/document.css", b"p {}", actor=LEGAL)

    def fail(_blob: bytes) -> Any:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.activate_staged("css/document.css", actor=LEGAL, publish=fail)
    assert [t.name for t in store.staged_templates()] == ["css/document.css"]
    assert store.template_activations() == []
    with pytest.raises(InputError, match="no staged version"):
        store.activate_staged("html/sow.html", actor=LEGAL, publish=fail)
    assert store.discard_staged("css/document.css", actor=LEGAL)
    assert not store.discard_staged("css/document.css", actor=LEGAL)
