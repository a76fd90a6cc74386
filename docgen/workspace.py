"""Finding the workspace (flag, environment, current folder, bundled sample) and loading it.

A workspace is a folder with ``skus/catalogue.yaml``, ``skus/catalogue.lock``, ``skus/policy.yaml``,
``skus/policy.lock`` and ``templates/``. State docgen writes lives in ``.docgen/`` inside it.

The bundled sample is read-only (SPEC §1): when no workspace is found, or the one chosen is the
sample installed inside the package, :meth:`Workspace.require_writable` refuses every write.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from docgen.errors import InputError, Problem, WorkspaceError
from docgen.models.catalogue import Catalogue, Sku
from docgen.models.deal import Deal
from docgen.models.policy import Policy
from docgen.sources import Source, load_file, validate_model

__all__ = ["Workspace", "find_workspace", "init_workspace", "load_deal", "sample_root"]

ENV_VAR = "DOCGEN_WORKSPACE"

_PACKAGED_SAMPLE = Path(__file__).resolve().parent / "_sample"

#: What ``docgen init`` writes besides the copy of the sample.
_DEALS_README = """\
# Deals

This company's deal files, one per deal (YAML, or JSON), written like those in `examples/deals/`.
From the workspace folder:

    docgen validate deals/*.yaml
    docgen po deals/my-deal.yaml -o out --draft --date today

Deal files are input: keep them under version control with the catalogue and templates.
"""
_GITIGNORE = """\
# docgen's state: the database, keys and certificates (never commit it)
.docgen/
"""


def sample_root() -> Path:
    """The bundled sample workspace: package data in a wheel, the repository in a checkout."""
    if (_PACKAGED_SAMPLE / "skus" / "catalogue.yaml").is_file():
        return _PACKAGED_SAMPLE
    return _PACKAGED_SAMPLE.parent.parent


@dataclass
class Workspace:
    """One company's catalogue, policy and templates.

    `read_only` is set for the bundled sample when docgen fell back to it, and always for the
    sample installed inside the package, however it was chosen.
    """

    root: Path
    read_only: bool = False

    def __post_init__(self) -> None:
        if self.root.resolve() == _PACKAGED_SAMPLE:
            self.read_only = True

    def require_writable(self, what: str) -> None:
        """Refuse with WorkspaceError (exit 2) to write `what` into the read-only sample.

        `what` names the write in the message, e.g. "a catalogue lock" or "PO numbers".
        """
        if self.read_only:
            raise WorkspaceError([Problem(str(self.root), None, "", (
                f"the bundled sample workspace is read-only: cannot write {what} there; run "
                "`docgen init DIR` to make a workspace of your own (then use -w DIR or cd DIR)"))])

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
    def policy_lock_path(self) -> Path:
        """Path of ``skus/policy.lock``."""
        return self.skus_dir / "policy.lock"

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

        verify_lock(self.catalogue, self.lock_path)
        return self.catalogue

    def locked_policy(self) -> Policy:
        """The policy, refused with LockMismatchError when it differs from its lock."""
        from docgen.policy_lock import verify_policy_lock

        verify_policy_lock(self.policy, self.policy_lock_path)
        return self.policy

    def verify_locks(self) -> None:
        """Refuse (LockMismatchError) a catalogue or policy that differs from its lock; the
        problems of both are reported together."""
        from docgen.errors import LockMismatchError

        problems: list[Problem] = []
        for check in (self.locked_catalogue, self.locked_policy):
            try:
                check()
            except LockMismatchError as exc:
                problems += exc.problems
        if problems:
            raise LockMismatchError(problems)

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
    """Resolve the workspace: `flag`, else $DOCGEN_WORKSPACE, else the current folder, else the sample.

    The sample found this way is read-only (:meth:`Workspace.require_writable`).
    """
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
    return Workspace(sample_root(), read_only=True)


def init_workspace(target: Path) -> Workspace:
    """Copy the sample workspace (catalogue, lock, policy, templates, example deals) to `target`.

    Also creates ``deals/`` for the company's deal files (holding only a README saying so) and a
    ``.gitignore`` that keeps docgen's state, ``.docgen/``, out of git.
    """
    if target.exists() and any(target.iterdir()):
        raise WorkspaceError([Problem(str(target), None, "", "folder exists and is not empty")])
    src = sample_root()
    target.mkdir(parents=True, exist_ok=True)
    for name in ("skus", "templates", "examples"):
        if (src / name).is_dir():
            shutil.copytree(src / name, target / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # git does not keep empty folders: a README keeps deals/ and says what goes there
    (target / "deals").mkdir()
    (target / "deals" / "README.md").write_text(_DEALS_README, "utf-8")
    (target / ".gitignore").write_text(_GITIGNORE, "utf-8")
    return Workspace(target.resolve())


def load_deal(path: Path | str, policy: Policy | None = None) -> Deal:
    """Load and schema-check one deal file; with `policy`, also check its stage id."""
    src = load_file(path)
    deal = validate_model(Deal, src)
    deal._ascii_only = src.ascii_only
    if policy is not None:
        check_deal_against_policy(deal, policy, src)
    return deal


def check_deal_against_policy(deal: Deal, policy: Policy, src: Source) -> None:
    """Refuse a deal whose stage the policy does not have."""
    if deal.stage is not None and policy.deal_stages:
        ids = policy.deal_stages  # the pipeline stages and the lost stage
        if deal.stage not in ids:
            raise InputError([src.problem(("stage",),
                                          f"{deal.stage!r} is not a stage of the policy "
                                          f"({', '.join(ids)})")])
