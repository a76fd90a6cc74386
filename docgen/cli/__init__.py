"""The ``docgen`` command line: parse arguments, call :mod:`docgen.api`, print, map exit codes.

Exit codes (SPEC §5): 0 done (findings at most warnings); 1 blocked, or a verification mismatch;
2 unusable input, one line per problem, never a traceback; 3 internal error (a bug: a rule crashed).
Heavy modules (renderers, database) are imported inside the commands that need them, so that
``docgen validate`` starts fast.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from docgen.cli._common import DocgenGroup

__all__ = ["main"]

#: Every command, in the order ``docgen --help`` lists them, and the module that defines it.
#: A module is imported only when its command runs (or help lists it), so ``docgen validate``
#: does not pay for the report, the renderers' options or the web server's.
COMMANDS: dict[str, str] = {
    "validate": "_validate", "rules": "_validate",
    "po": "_render", "sow": "_render", "onboarding": "_render", "contract": "_render",
    "submit": "_approvals", "approve": "_approvals", "reject": "_approvals",
    "approvals": "_approvals", "history": "_history", "documents": "_history",
    "report": "_approvals", "forecast": "_forecast", "notify": "_notify", "tasks": "_notify",
    "evidence": "_evidence", "verify": "_verify", "pack": "_verify", "catalogue": "_catalogue",
    "policy": "_policy",
    "schema": "_catalogue", "templates": "_templates", "i18n": "_i18n", "init": "_catalogue",
    "serve": "_serve", "worker": "_worker", "users": "_people", "token": "_people",
    "audit": "_people",
}


class _LazyGroup(DocgenGroup):
    """The top-level group: commands are looked up in :data:`COMMANDS` and imported on use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return super().get_command(ctx, cmd_name)
        command = getattr(importlib.import_module(f"docgen.cli.{module}"), cmd_name)
        if not isinstance(command, click.Command):  # pragma: no cover - a wrong table entry
            msg = f"docgen.cli.{module}.{cmd_name} is not a click command"
            raise TypeError(msg)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--workspace", "-w", "workspace", metavar="DIR", default=None,
              help="Workspace folder (default: $DOCGEN_WORKSPACE, else the current folder if it "
                   "has skus/catalogue.yaml, else the bundled sample).")
@click.version_option(package_name="docgen")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None) -> None:
    """Validated purchase orders, statements of work and onboarding forms from a locked catalogue."""
    ctx.obj = {"workspace": workspace}


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="docgen", standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
