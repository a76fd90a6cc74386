"""The ``docgen`` command line: parse arguments, call :mod:`docgen.api`, print, map exit codes.

Exit codes (SPEC §5): 0 done (findings at most warnings); 1 blocked, or a verification mismatch;
2 unusable input, one line per problem, never a traceback; 3 internal error (a bug: a rule crashed).
Heavy modules (renderers, database) are imported inside the commands that need them, so that
``docgen validate`` starts fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from docgen.cli._approvals import approvals, approve, reject, report, submit
from docgen.cli._catalogue import catalogue, init, schema
from docgen.cli._common import DocgenGroup
from docgen.cli._forecast import forecast
from docgen.cli._history import documents, history
from docgen.cli._i18n import i18n
from docgen.cli._notify import notify, tasks
from docgen.cli._people import audit, token, users
from docgen.cli._policy import policy
from docgen.cli._render import contract, onboarding, po, sow
from docgen.cli._serve import serve
from docgen.cli._templates import templates
from docgen.cli._validate import rules, validate
from docgen.cli._verify import pack, verify
from docgen.cli._worker import worker

__all__ = ["main"]


@click.group(cls=DocgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--workspace", "-w", "workspace", metavar="DIR", default=None,
              help="Workspace folder (default: $DOCGEN_WORKSPACE, else the current folder if it "
                   "has skus/catalogue.yaml, else the bundled sample).")
@click.version_option(package_name="docgen")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None) -> None:
    """Validated purchase orders, statements of work and onboarding forms from a locked catalogue."""
    ctx.obj = {"workspace": workspace}


for command in (validate, rules, po, sow, onboarding, contract, submit, approve, reject, approvals,
                history, documents, report, forecast, notify, tasks, verify, pack, catalogue,
                policy, schema, templates, i18n, init, serve, worker, users, token, audit):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="docgen", standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
