"""Legal's template versions in the store: staged uploads and activations (issue 13, issue 16).

A staged template is a blob in the database (by its SHA-256) under the template's name, so that
every ``docgen serve`` sharing the database sees, checks, previews and activates it, whichever
server received the upload. An activation is recorded for ever (name, the blob made live, the
one it replaced, the templates folder's version afterwards, who, when) in the same transaction
that drops the staged row and appends the audit row; the file itself is written by the caller's
`publish` inside that transaction, so a refused or failed activation records nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select

from docgen.errors import InputError, Problem
from docgen.store._tables_templates import staged_templates, template_activations, template_blobs

__all__ = ["StagedTemplate", "TemplateActivation", "TemplateStore"]

_BLOB, _STAGED, _ACT = template_blobs, staged_templates, template_activations


@dataclass(frozen=True, slots=True)
class StagedTemplate:
    """A new version of one template, waiting to be activated."""

    name: str
    sha256: str
    size: int
    staged_by: str | None
    staged_at: datetime


@dataclass(frozen=True, slots=True)
class TemplateActivation:
    """One activation: `name` became blob `sha256` (it was `previous_sha256`, None: absent)."""

    id: int
    name: str
    sha256: str
    previous_sha256: str | None
    templates_version: str
    activated_by: str | None
    activated_at: datetime

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {"id": self.id, "name": self.name, "sha256": self.sha256,
                "previous_sha256": self.previous_sha256,
                "templates_version": self.templates_version, "activated_by": self.activated_by,
                "activated_at": self.activated_at.isoformat()}


#: What the caller's `publish` returns: (the bytes the file held before, or None when there
#: was none; the templates folder's version afterwards).
Published = tuple[bytes | None, str]


def _activation(row: Any) -> TemplateActivation:
    return TemplateActivation(id=row.id, name=row.name, sha256=row.sha256,
                              previous_sha256=row.previous_sha256,
                              templates_version=row.templates_version,
                              activated_by=row.activated_by, activated_at=row.activated_at)


class TemplateStore:
    """Mixed into :class:`docgen.store._sql.Store`."""

    _write: Any
    _read: Any
    _append: Any
    _insert_ignore: Any

    def _keep_blob(self, conn: Any, blob: bytes, now: datetime) -> str:
        sha = hashlib.sha256(blob).hexdigest()
        self._insert_ignore(conn, _BLOB, {"sha256": sha, "size": len(blob), "content": blob,
                                          "created_at": now}, ("sha256",))
        return sha

    def stage_template(self, name: str, blob: bytes, *, actor: str | None) -> StagedTemplate:
        """Stage `blob` as the new version of template `name` (replacing one staged before)."""
        now = datetime.now(UTC)
        with self._write() as conn:
            sha = self._keep_blob(conn, blob, now)
            conn.execute(delete(_STAGED).where(_STAGED.c.name == name))
            conn.execute(insert(_STAGED).values(name=name, sha256=sha, staged_by=actor,
                                                staged_at=now))
            self._append(conn, "template.stage", actor=actor, subject=name, at=now,
                         detail={"name": name, "sha256": sha, "size": len(blob)})
        return StagedTemplate(name=name, sha256=sha, size=len(blob), staged_by=actor,
                              staged_at=now)

    def staged_templates(self) -> list[StagedTemplate]:
        """Every staged template, by name."""
        q = (select(_STAGED, _BLOB.c.size).join(_BLOB, _BLOB.c.sha256 == _STAGED.c.sha256)
             .order_by(_STAGED.c.name))
        with self._read() as conn:
            return [StagedTemplate(name=r.name, sha256=r.sha256, size=r.size,
                                   staged_by=r.staged_by, staged_at=r.staged_at)
                    for r in conn.execute(q)]

    def staged_blob(self, name: str) -> bytes | None:
        """The bytes staged for `name`, or None."""
        q = (select(_BLOB.c.content).join(_STAGED, _STAGED.c.sha256 == _BLOB.c.sha256)
             .where(_STAGED.c.name == name))
        with self._read() as conn:
            blob = conn.execute(q).scalar()
        return None if blob is None else bytes(blob)

    def template_blob(self, sha256: str) -> bytes | None:
        """A kept template content by its SHA-256, or None."""
        with self._read() as conn:
            blob = conn.execute(select(_BLOB.c.content).where(_BLOB.c.sha256 == sha256)).scalar()
        return None if blob is None else bytes(blob)

    def discard_staged(self, name: str, *, actor: str | None) -> bool:
        """Drop the staged version of `name`; False when there was none."""
        with self._write() as conn:
            sha = conn.execute(select(_STAGED.c.sha256).where(_STAGED.c.name == name)).scalar()
            if sha is None:
                return False
            conn.execute(delete(_STAGED).where(_STAGED.c.name == name))
            self._append(conn, "template.discard", actor=actor, subject=name,
                         detail={"name": name, "sha256": sha})
        return True

    def activate_staged(self, name: str, *, actor: str | None,
                        publish: Callable[[bytes], Published]) -> TemplateActivation:
        """Make the staged version of `name` live: `publish(bytes)` writes the file (inside
        the transaction, holding the write lock); then the activation and its audit row are
        recorded and the staged row dropped. Nothing is recorded if `publish` raises."""
        now = datetime.now(UTC)
        with self._write() as conn:
            row = conn.execute(select(_STAGED).where(_STAGED.c.name == name)
                               .with_for_update()).first()
            if row is None:
                raise InputError([Problem(name, None, "template",
                                          "no staged version to activate")])
            blob = bytes(conn.execute(select(_BLOB.c.content)
                                      .where(_BLOB.c.sha256 == row.sha256)).scalar_one())
            previous, version = publish(blob)
            before = self._keep_blob(conn, previous, now) if previous is not None else None
            act_id = conn.execute(insert(_ACT).values(
                name=name, sha256=row.sha256, previous_sha256=before,
                templates_version=version, activated_by=actor, activated_at=now)
                .returning(_ACT.c.id)).scalar_one()
            conn.execute(delete(_STAGED).where(_STAGED.c.name == name))
            self._append(conn, "template.activate", actor=actor, subject=name, at=now,
                         detail={"name": name, "sha256": row.sha256, "previous_sha256": before,
                                 "templates_version": version, "staged_by": row.staged_by})
        return TemplateActivation(id=act_id, name=name, sha256=row.sha256,
                                  previous_sha256=before, templates_version=version,
                                  activated_by=actor, activated_at=now)

    def template_activations(self, *, after: int = 0) -> list[TemplateActivation]:
        """Every activation with an id above `after`, oldest first."""
        q = select(_ACT).where(_ACT.c.id > after).order_by(_ACT.c.id)
        with self._read() as conn:
            return [_activation(r) for r in conn.execute(q)]

    def latest_activation_id(self) -> int:
        """The id of the newest activation (0: none yet): one indexed read."""
        with self._read() as conn:
            return int(conn.execute(select(func.max(_ACT.c.id))).scalar() or 0)
