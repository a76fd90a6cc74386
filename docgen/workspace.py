"""Finding the workspace (flag, environment, current folder, bundled sample) and loading it.

A workspace is a folder with ``skus/catalogue.yaml``, ``skus/catalogue.lock``, ``skus/policy.yaml``
and ``templates/``. State docgen writes lives in ``.docgen/`` inside it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from docgen.errors import InputError, Problem, WorkspaceError
from docgen.models.catalogue import Catalogue, Sku
from docgen.models.deal import Deal
from docgen.models.policy import Policy
from docgen.sources import Source, load_file, validate_model

__all__ = ["Workspace", "find_workspace", "init_workspace", "load_deal", "sample_root"]

ENV_VAR = "DOCGEN_WORKSPACE"


def sample_root() -> Path:
    """The bundled sample workspace: package data in a wheel, the repository in a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "_sample"
    if (packaged / "skus" / "catalogue.yaml").is_file():
        return packaged
    return here.parent


@dataclass
class Workspace:
    """One company's catalogue, policy and templates."""

    root: Path
    read_only: bool = False  # TEMP stub until helper merge

    def require_writable(self, what: str) -> None:  # TEMP stub until helper merge
        """Refuse writing into a read-only workspace."""
        if self.read_only:
            raise WorkspaceError([Problem(str(self.root), None, "", f"read-only: {what}")])

    @property
    def skus_dir(self) -> Path:
        """Folder of catalogue, lock and policy."""
        return self.root / "skus"

    @property
    def catalogue_path(self) -> Path:
        """Path of ``skus/catalogue.yaml``."""
        return self.skus_dir / "catalogue.yaml"

    @property
    def lock_path(self) -> Path:
        """Path of ``skus/catalogue.lock``."""
        return self.skus_dir / "catalogue.lock"

    @property
    def policy_path(self) -> Path:
        """Path of ``skus/policy.yaml``."""
        return self.skus_dir / "policy.yaml"

    @property
    def templates_dir(self) -> Path:
        """Folder of the document templates."""
        return self.root / "templates"

    @property
    def state_dir(self) -> Path:
        """Folder of what docgen writes (the SQLite database by default)."""
        return self.root / ".docgen"

    @cached_property
    def catalogue(self) -> Catalogue:
        """The catalogue, schema-checked (not lock-checked: see :meth:`locked_catalogue`)."""
        return validate_model(Catalogue, load_file(self.catalogue_path))

    @cached_property
    def policy(self) -> Policy:
        """The policy, schema-checked."""
        return validate_model(Policy, load_file(self.policy_path))

    @cached_property
    def skus(self) -> dict[str, Sku]:
        """Catalogue SKUs by code."""
        return self.catalogue.by_code()

    def locked_catalogue(self) -> Catalogue:
        """The catalogue, refused with LockMismatchError when it differs from its lock."""
        from docgen.catalogue import verify_lock

        verify_lock(self)
        return self.catalogue

    def load_all(self) -> tuple[Catalogue, Policy]:
        """Catalogue and policy, every problem of both reported together."""
        problems: list[Problem] = []
        cat = pol = None
        try:
            cat = self.catalogue
        except InputError as exc:
            problems += exc.problems
        try:
            pol = self.policy
        except InputError as exc:
            problems += exc.problems
        if problems:
            raise InputError(problems)
        assert cat is not None and pol is not None  # noqa: S101 - narrowed above
        return cat, pol


def find_workspace(flag: str | os.PathLike[str] | None = None, *, cwd: Path | None = None) -> Workspace:
    """Resolve the workspace: `flag`, else $DOCGEN_WORKSPACE, else the current folder, else the sample."""
    chosen = flag if flag is not None else os.environ.get(ENV_VAR) or None
    if chosen is not None:
        root = Path(chosen).expanduser()
        why = "--workspace" if flag is not None else ENV_VAR
        if not root.is_dir():
            raise WorkspaceError([Problem(str(root), None, "", f"workspace ({why}) does not exist")])
        if not (root / "skus" / "catalogue.yaml").is_file():
            raise WorkspaceError([Problem(str(root), None, "",
                                          f"workspace ({why}) has no skus/catalogue.yaml")])
        return Workspace(root.resolve())
    here = (cwd or Path.cwd())
    if (here / "skus" / "catalogue.yaml").is_file():
        return Workspace(here.resolve())
    return Workspace(sample_root())


def init_workspace(target: Path) -> Workspace:
    """Copy the sample workspace (catalogue, lock, policy, templates, example deals) to `target`."""
    if target.exists() and any(target.iterdir()):
        raise WorkspaceError([Problem(str(target), None, "", "folder exists and is not empty")])
    src = sample_root()
    target.mkdir(parents=True, exist_ok=True)
    for name in ("skus", "templates", "examples"):
        if (src / name).is_dir():
            shutil.copytree(src / name, target / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return Workspace(target.resolve())


def load_deal(path: Path | str, policy: Policy | None = None) -> Deal:
    """Load and schema-check one deal file; with `policy`, also check its stage id."""
    src = load_file(path)
    deal = validate_model(Deal, src)
    if policy is not None:
        _check_against_policy(deal, policy, src)
    return deal


def _check_against_policy(deal: Deal, policy: Policy, src: Source) -> None:
    if deal.stage is not None and policy.deal_stages:
        ids = policy.deal_stages  # the pipeline stages and the lost stage
        if deal.stage not in ids:
            raise InputError([src.problem(("stage",),
                                          f"{deal.stage!r} is not a stage of the policy "
                                          f"({', '.join(ids)})")])
