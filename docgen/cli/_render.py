"""``docgen po``, ``docgen sow`` and ``docgen onboarding``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from docgen import api
from docgen.cli._common import (
    EXIT_BLOCKED,
    EXIT_INPUT,
    EXIT_OK,
    FIRST_DAY,
    LAST_DAY,
    Progress,
    Text,
    err,
    print_findings,
    session,
)


class IssueDate(click.ParamType):
    """YYYY-MM-DD, or 'today' (the only way the clock enters a document)."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        if str(value).lower() == "today":
            return date.today()
        text = Text(40).convert(value, param, ctx)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date: use YYYY-MM-DD or 'today'", param, ctx)
            raise  # unreachable: fail() raises
        if not FIRST_DAY <= day <= LAST_DAY:
            self.fail(f"{day.isoformat()} is outside the issue dates docgen accepts "
                      f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})", param, ctx)
        return day


def _formats(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip().lower() for p in value.split(",") if p.strip()))


def _common(fn: Any) -> Any:
    fn = click.option("-o", "--output", "out_dir", required=True,
                      type=click.Path(file_okay=False, path_type=Path),
                      help="Folder to write the documents to.")(fn)
    fn = click.option("--format", "fmt", default="pdf,docx", show_default=True, type=Text(100),
                      help="Comma-separated: pdf, docx, html (html is the page WeasyPrint lays "
                           "out, for preview).")(fn)
    fn = click.option("--draft", is_flag=True,
                      help="Render even while findings block it, for the customer: a PO is a "
                           "quotation (every page says QUOTATION), other documents say DRAFT; "
                           "no internal controls are shown.")(fn)
    fn = click.option("--internal", is_flag=True,
                      help="The internal copy (-internal in the file name; never issued): what "
                           "blocks the document and the full approval trail, in the document's "
                           "language.")(fn)
    fn = click.option("--date", "issue_date", type=IssueDate(), default=None,
                      help="Issue date (YYYY-MM-DD, or 'today'). Documents never read the clock "
                           "unless asked; a re-issue of an identical PO keeps its date.")(fn)
    return fn


def _run(ctx: click.Context, kind: api.DocumentKind, deals: tuple[str, ...], out_dir: Path,
         fmt: str, draft: bool, issue_date: date | None, jobs: int | None, *,
         internal: bool = False) -> None:
    with session(ctx) as s, Progress(len(deals), f"rendering {kind.value}") as bar:
        batch = s.render(kind, deals, out_dir=out_dir, formats=_formats(fmt), draft=draft,
                         issue_date=issue_date, jobs=jobs, internal=internal,
                         on_done=bar.advance)
    _report(kind, batch, internal=internal)


def _run_queued(ctx: click.Context, kind: api.DocumentKind, deals: tuple[str, ...],
                out_dir: Path, fmt: str, draft: bool, issue_date: date | None,
                jobs: int | None, *, internal: bool) -> None:
    """``--queue``: one job per deal for `docgen worker` processes, followed here; with SQLite,
    the batch renders in this process as without --queue."""
    with session(ctx) as s:
        if not s.has_job_queue:
            err("note: --queue needs PostgreSQL (DOCGEN_DATABASE_URL); with SQLite the batch is "
                "rendered in this process")
            with Progress(len(deals), f"rendering {kind.value}") as bar:
                batch = s.render(kind, deals, out_dir=out_dir, formats=_formats(fmt),
                                 draft=draft, issue_date=issue_date, jobs=jobs,
                                 internal=internal, on_done=bar.advance)
        else:
            if jobs is not None:
                err("error: --jobs: with --queue the `docgen worker` processes render (start "
                    "more of them, or give them --concurrency); leave --jobs out")
                sys.exit(EXIT_INPUT)
            queued = s.queue_render(kind, deals, out_dir=out_dir, formats=_formats(fmt),
                                    draft=draft, issue_date=issue_date, internal=internal)
            if queued.items:
                waiting = ("" if queued.workers else "; no `docgen worker` is running yet: "
                           "they wait for one")
                err(f"queued {len(queued.items)} {kind.value} job(s) as batch {queued.batch} "
                    f"for `docgen worker` processes, writing to {queued.items[0].out_dir}"
                    f"{waiting} (Ctrl-C stops following; the jobs stay queued)")
            try:
                with Progress(len(queued.items), f"{kind.value} via the queue") as bar:
                    batch = s.follow(queued, on_done=bar.advance)
            except KeyboardInterrupt:
                err(f"interrupted: batch {queued.batch} stays queued; the workers issue it "
                    "(`docgen documents` lists what they issued)")
                sys.exit(130)
    _report(kind, batch, internal=internal)


def _report(kind: api.DocumentKind, batch: api.BatchResult, *, internal: bool) -> None:
    """Print what a batch did and exit with its code (the same in process and through the
    queue)."""
    for r in batch.rendered:
        label = r.number or "draft"
        if internal:
            label = f"internal copy{f' of {r.number}' if r.number else ''}"
        elif r.reissued and r.issue_date is not None:
            label += f" (already issued {r.issue_date.isoformat()} for this revision)"
        for path in r.paths.values():
            click.echo(f"{r.deal_id}: {label} -> {path}")
        for old in r.superseded:
            click.echo(f"{r.deal_id}: {old} is superseded by {r.number}")
    for res in batch.blocked:
        blockers = res.blockers(kind)
        err(f"blocked: {res.deal.deal}: final {kind.value} refused, {len(blockers)} finding(s) "
            "block it (use --draft for a marked draft):")
        print_findings(blockers, indent="  ", to_stderr=True)
    for deal_id, message in batch.failed:
        err(f"failed: {deal_id}: {message}")
    if batch.failed:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_BLOCKED if batch.blocked else EXIT_OK)


@click.command()
@click.argument("deals", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_common
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: every core).")
@click.option("--queue", "queue", is_flag=True,
              help="Hand the batch to `docgen worker` processes (one job per deal, PostgreSQL "
                   "only) and follow it; -o is passed to them as an absolute path, which every "
                   "worker must see. With SQLite the batch renders in this process.")
@click.pass_context
def po(ctx: click.Context, deals: tuple[str, ...], out_dir: Path, fmt: str, draft: bool,
       internal: bool, issue_date: date | None, jobs: int | None, queue: bool) -> None:
    """Render the purchase order of each DEAL; a final PO takes the next PO number."""
    run = _run_queued if queue else _run
    run(ctx, api.DocumentKind.PO, deals, out_dir, fmt, draft, issue_date, jobs,
        internal=internal)


@click.command()
@click.argument("deal", type=click.Path(dir_okay=False))
@_common
@click.pass_context
def sow(ctx: click.Context, deal: str, out_dir: Path, fmt: str, draft: bool,
        internal: bool, issue_date: date | None) -> None:
    """Render the statement of work of DEAL."""
    _run(ctx, api.DocumentKind.SOW, (deal,), out_dir, fmt, draft, issue_date, 1,
         internal=internal)


@click.command()
@click.argument("deal", type=click.Path(dir_okay=False))
@_common
@click.pass_context
def onboarding(ctx: click.Context, deal: str, out_dir: Path, fmt: str, draft: bool,
               internal: bool, issue_date: date | None) -> None:
    """Render the onboarding form of DEAL, with its checklist and dated plan.

    ``--format ics`` also writes the plan as calendar events (DEAL-onboarding.ics): one per
    task, recurring ones with their recurrence rule, whatever blocks the form itself.
    """
    formats = _formats(fmt)
    if "ics" in formats:
        with session(ctx) as s:
            cal = s.onboarding_calendar(deal, out_dir=out_dir, issue_date=issue_date)
        click.echo(f"{cal.deal_id}: calendar ({cal.events} event(s)) -> {cal.path}")
        formats = tuple(f for f in formats if f != "ics")
        if not formats:
            sys.exit(EXIT_OK)
    _run(ctx, api.DocumentKind.ONBOARDING, (deal,), out_dir, ",".join(formats), draft,
         issue_date, 1, internal=internal)


@click.command()
@click.argument("deal", type=click.Path(dir_okay=False))
@_common
@click.pass_context
def contract(ctx: click.Context, deal: str, out_dir: Path, fmt: str, draft: bool,
             internal: bool, issue_date: date | None) -> None:
    """Render the order form / contract of DEAL from legal's templates and clause library."""
    _run(ctx, api.DocumentKind.CONTRACT, (deal,), out_dir, fmt, draft, issue_date, 1,
         internal=internal)
