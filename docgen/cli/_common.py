"""Shared CLI plumbing: the error handler, the session, output helpers and the progress bar."""

from __future__ import annotations

import re
import sys
from datetime import date
from typing import Any

import click

from docgen import api
from docgen.errors import DocgenError, InputError, InternalRuleError, Problem

EXIT_OK, EXIT_BLOCKED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

#: Characters no command-line text may hold: C0 and C1 controls (tab and newline included: every
#: option is one line), DEL, line and paragraph separators, the Unicode bidi controls (which
#: make a terminal or a document show text other than the data), BOM, non-characters and lone
#: surrogates (what Python makes of undecodable argv bytes).
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e"
                      "\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]")
#: Dates and times a command accepts for --date and --now (the signing certificate docgen
#: makes covers them; outside them date arithmetic overflows).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
#: Longest text a command-line option takes.
MAX_OPTION_CHARS = 2000


class Text(click.ParamType):
    """A one-line text option: refused (exit 2) with control or bidi characters in it."""

    name = "TEXT"

    def __init__(self, max_chars: int = MAX_OPTION_CHARS) -> None:
        self.max_chars = max_chars

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        text = str(value)
        m = _REFUSED.search(text)
        if m:
            self.fail(f"contains the control character U+{ord(m.group()):04X} at position "
                      f"{m.start() + 1}; type the text without it", param, ctx)
        if len(text) > self.max_chars:
            self.fail(f"is {len(text)} characters long; the limit is {self.max_chars}", param, ctx)
        return text


def check_day(day: date, option: str) -> date:
    """`day` if within FIRST_DAY..LAST_DAY, else InputError naming `option`."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError([Problem(option, None, "", f"{day.isoformat()} is outside the dates "
                                  f"docgen accepts ({FIRST_DAY.isoformat()} to "
                                  f"{LAST_DAY.isoformat()})")])
    return day


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
            # the first line only, shortened: a driver's message goes on with SQL and parameters
            first = (str(exc).strip().splitlines() or [""])[0]
            first = first if len(first) <= 200 else first[:200] + "…"
            err(f"internal error: {type(exc).__name__}: {first}. Please report this as a bug "
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
