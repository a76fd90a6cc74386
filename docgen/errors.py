"""Every exception docgen raises, in one place.

::

    DocgenError                 base of everything below
    ├── InputError              unusable input: one Problem per thing wrong  -> exit 2
    │   ├── WorkspaceError      no such workspace, or it lacks skus/catalogue.yaml
    │   ├── LockMismatchError   the catalogue or policy differs from its lock
    │   └── AuthError           no token, an unknown or disabled one, a person lacking the right
    ├── RenderError             a renderer failed or warned (missing glyph, blocked fetch)
    └── InternalRuleError       a rule crashed: the run stops, nothing is let out

Findings about a deal are *data* (see :mod:`docgen.findings`), never exceptions: a deal that
findings block is a result (exit 1), not an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file: where it is and what is wrong."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class DocgenError(Exception):
    """Base class of docgen's exceptions."""

    exit_code = 2


class InputError(DocgenError):
    """Input docgen cannot use; carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class WorkspaceError(InputError):
    """The workspace does not exist or is not a docgen workspace."""


class LockMismatchError(InputError):
    """The catalogue differs from its lock; each changed SKU is one problem."""


class AuthError(InputError):
    """Who is acting is unknown or may not do this: no token, a bad token, a disabled person,
    an administrator's command run by someone else (exit 2, nothing recorded)."""


class RenderError(DocgenError):
    """A document could not be rendered correctly."""

    exit_code = 2


class InternalRuleError(DocgenError):
    """A validation rule crashed; no document may be produced from a partial check."""

    exit_code = 3

    def __init__(self, code: str, deal_id: str, cause: BaseException) -> None:
        self.code = code
        super().__init__(
            f"internal error in rule {code} while checking {deal_id}: "
            f"{type(cause).__name__}: {cause}"
        )
