"""Shared CLI plumbing: the error handler, the session, output helpers and the progress bar."""

from __future__ import annotations

import sys
from typing import Any

import click

from docgen import api
from docgen.errors import DocgenError, InputError, InternalRuleError

EXIT_OK, EXIT_BLOCKED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def err(message: str) -> None:
    """Print one line to stderr."""
    click.echo(message, err=True)


def print_findings(findings: Any, *, indent: str = "  ", to_stderr: bool = False) -> None:
    """Print findings one per line, with their hint on the next."""
    for f in findings:
        click.echo(f"{indent}{f}", err=to_stderr)
        if f.hint:
            click.echo(f"{indent}    fix: {f.hint}", err=to_stderr)


class DocgenGroup(click.Group):
    """A click group that turns docgen's exceptions into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            for p in exc.problems:
                err(f"error: {p}")
            sys.exit(EXIT_INPUT)
        except InternalRuleError as exc:
            err(f"internal error: {exc}; nothing was produced. Please report this as a bug.")
            sys.exit(EXIT_INTERNAL)
        except DocgenError as exc:
            err(f"error: {exc}")
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            # the reader went away (`docgen rules | head`): stop quietly, as a shell tool does
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)
        except KeyboardInterrupt:
            err("interrupted; nothing half-written was left behind")
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback
            err(f"internal error: {type(exc).__name__}: {exc}. Please report this as a bug "
                "(run with DOCGEN_DEBUG=1 for the traceback).")
            import os

            if os.environ.get("DOCGEN_DEBUG"):
                raise
            sys.exit(EXIT_INTERNAL)


def session(ctx: click.Context, *, locked: bool = True) -> api.Session:
    """The session on the workspace chosen by --workspace / $DOCGEN_WORKSPACE / cwd / sample.

    Use it as a context manager: it closes the store when the command ends. The person acting
    is the one whose API token is in ``$DOCGEN_TOKEN`` (read only when something is recorded).
    """
    import os

    obj = ctx.find_root().obj or {}
    # who is acting comes only from the token, never from an argument (SPEC §9)
    return api.Session(obj.get("workspace"), locked=locked,
                       token=os.environ.get(api.ENV_TOKEN) or None)


class Progress:
    """A Rich progress bar on stderr for runs over several items; nothing when not a terminal."""

    def __init__(self, total: int, label: str) -> None:
        self.bar: Any = None
        if total > 1 and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task(label, total=total)
            self.bar.start()

    def advance(self, *_done: Any) -> None:
        """One more item done."""
        if self.bar is not None:
            self.bar.advance(self.task)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
