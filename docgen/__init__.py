"""docgen: validated purchase orders, statements of work and onboarding forms.

The public API is small; everything else is private to the package. See :mod:`docgen.api`.
"""

from docgen.errors import (DocgenError, InputError, InternalRuleError,
                           LockMismatchError, Problem, RenderError, WorkspaceError)
from docgen.findings import Finding, Gate, Severity
from docgen.money import Money, quantize

__version__ = "0.1.0"

__all__ = [
    "DocgenError",
    "Finding",
    "Gate",
    "InputError",
    "InternalRuleError",
    "LockMismatchError",
    "Money",
    "Problem",
    "RenderError",
    "Severity",
    "WorkspaceError",
    "__version__",
    "quantize",
]
