"""``docgen worker`` (SPEC §11): run docgen's background jobs from PostgreSQL's job queue."""

from __future__ import annotations

import sys
from typing import Any

import click

from docgen.cli._common import EXIT_INPUT, EXIT_OK, Text, err, session

__all__ = ["worker"]

_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600}


class Every(click.ParamType):
    """A period: ``30s``, ``15m`` (or ``15min``), ``1h``; a bare number is minutes; 0 is off."""

    name = "PERIOD"

    def convert(self, value: Any, param: Any, ctx: Any) -> float | None:
        if value is None or isinstance(value, float):
            return value
        text = Text(20).convert(value, param, ctx).strip().lower()
        number = text.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = text[len(number):] or "m"
        try:
            seconds = float(number) * _UNITS[unit]
        except (ValueError, KeyError):
            self.fail(f"{text!r} is not a period: give e.g. 30s, 15m or 1h (0 turns reminders "
                      "off)", param, ctx)
        return None if seconds == 0 else seconds  # the session checks it is a schedule


@click.command()
@click.option("--concurrency", "-c", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes on this machine, each running one job at a time.")
@click.option("--once", is_flag=True,
              help="Stop when no job is ready (after queueing again the jobs of workers that "
                   "died), instead of waiting for more: for scripts and tests.")
@click.option("--stalled-after", type=click.FloatRange(1, 3600), default=30.0,
              show_default=True, metavar="SECONDS",
              help="A job whose worker sent no heartbeat for this long is run again by another "
                   "worker (every worker sends one every third of it).")
@click.option("--reminders-every", type=Every(), default="15m", show_default=True,
              help="How often the reminders and escalations that are due are sent (what "
                   "`docgen notify` does); 0 turns them off for this worker.")
@click.pass_context
def worker(ctx: click.Context, concurrency: int, once: bool, stalled_after: float,
           reminders_every: float | None) -> None:
    """Run background jobs: the documents of `docgen po --queue` batches, notifications and
    scheduled reminders (PostgreSQL only: DOCGEN_DATABASE_URL).

    Start as many workers as you like, on as many machines, against one database, each with the
    same workspace; every worker writes a batch's files to the folder `po --queue -o DIR` named,
    as an absolute path. SIGTERM or Ctrl-C stops a worker after its current job; a worker that is
    killed leaves its job to be run again by another (no second number, no second file).
    """
    with session(ctx) as s:
        if not s.has_job_queue:
            err("error: docgen worker needs PostgreSQL: set DOCGEN_DATABASE_URL to a "
                "postgresql+psycopg://USER@HOST/DB URL. With SQLite there is no job queue: "
                "`docgen po --queue` renders in its own process and `docgen notify` (from cron) "
                "sends the reminders")
            sys.exit(EXIT_INPUT)
        s.work(concurrency=concurrency, once=once, stalled_after=stalled_after,
               reminders_every=reminders_every, on_event=lambda text: err(text))
    sys.exit(EXIT_OK)
