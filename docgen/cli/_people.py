"""``docgen users``, ``docgen token`` and ``docgen audit`` (SPEC §5, §9).

A new token is printed once, alone on the last line of standard output, so that a script can
take it with ``tail -n 1``; docgen keeps only its hash.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import click

from docgen.cli._common import EXIT_BLOCKED, Text, err, session
from docgen.errors import InputError, Problem

__all__ = ["audit", "token", "users"]


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _read_password() -> str:
    """The password from standard input (its first line), refused when empty or too short."""
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if len(password) < 12:
        raise InputError([Problem("--password-stdin", None, "", (
            "give a password of at least 12 characters on standard input"))])
    return password


@click.group()
def users() -> None:
    """Manage the people who act in this workspace (administrators only)."""


@users.command("add")
@click.argument("email", type=Text())
@click.option("--name", required=True, type=Text(),
              help="The person's name, as shown in the audit log.")
@click.option("--admin", is_flag=True, help="Make them an administrator (manages people).")
@click.option("--password-stdin", "password_stdin", is_flag=True,
              help="Read a password for the web application from standard input.")
@click.pass_context
def users_add(ctx: click.Context, email: str, name: str, admin: bool,
              password_stdin: bool) -> None:
    """Add a person and print their first API token (the last line; shown only once).

    Needs an administrator's token in DOCGEN_TOKEN, except for the very first person of a
    workspace's database, who must be an administrator (--admin).
    """
    password = _read_password() if password_stdin else None
    with session(ctx, locked=False) as s:
        user, token_text = s.add_user(email, name=name, admin=admin, password=password)
        roles = user.to_json(s.workspace.policy)["roles"]
    kind = "administrator" if user.is_admin else "user"
    click.echo(f"added {kind} {user.email} ({user.name}); roles from the policy: "
               f"{', '.join(roles) or 'none'}")
    click.echo("their API token follows; it is shown only this once (give it to them to put "
               "in DOCGEN_TOKEN):")
    click.echo(token_text)


@users.command("password")
@click.argument("email", type=Text())
@click.option("--password-stdin", "password_stdin", is_flag=True, required=True,
              help="Read the new password from standard input (never from an argument).")
@click.pass_context
def users_password(ctx: click.Context, email: str, password_stdin: bool) -> None:
    """Set the web application password of EMAIL (administrators; anyone for themself).

    Their sign-in sessions end, so a leaked password stops working at once.
    """
    password = _read_password()
    with session(ctx, locked=False) as s:
        user = s.set_password(email, password)
    click.echo(f"password set for {user.email}; their web sessions were signed out")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """Every person: e-mail, name, administrator, active, and the roles the policy gives them."""
    with session(ctx, locked=False) as s:
        people = s.users()
        policy = s.workspace.policy
    rows = [u.to_json(policy) for u in people]
    if as_json:
        click.echo(json.dumps({"users": rows}, indent=2, ensure_ascii=False))
        return
    for r in rows:
        flags = ("admin " if r["admin"] else "") + ("" if r["active"] else "DISABLED ")
        click.echo(f"{r['email']:<40} {r['name']:<28} {flags}roles: "
                   f"{', '.join(r['roles']) or '-'}")


@users.command("disable")
@click.argument("email", type=Text())
@click.pass_context
def users_disable(ctx: click.Context, email: str) -> None:
    """Disable a person: their tokens stop working at once; what they recorded stays."""
    with session(ctx, locked=False) as s:
        user = s.disable_user(email)
    click.echo(f"disabled {user.email}: their tokens no longer work")


@click.group()
def token() -> None:
    """Your personal API tokens."""


@token.command("create")
@click.option("--name", default=None, type=Text(),
              help="A label for the token, e.g. the machine it is on.")
@click.pass_context
def token_create(ctx: click.Context, name: str | None) -> None:
    """Make another API token for yourself (the person whose token is in DOCGEN_TOKEN).

    The token is the last line of the output, shown only this once.
    """
    with session(ctx, locked=False) as s:
        text = s.create_token(name)
        who = s.require_actor("token create").email
    click.echo(f"new API token for {who} follows; it is shown only this once:")
    click.echo(text)


@click.group()
def audit() -> None:
    """The append-only audit log of every state change, chained with HMAC-SHA256."""


@audit.command("log")
@click.option("--deal", "deal_id", default=None, type=Text(),
              help="Only the rows of this deal.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def audit_log(ctx: click.Context, deal_id: str | None, as_json: bool) -> None:
    """The audit rows, oldest first: when, who, what, about which deal."""
    with session(ctx, locked=False) as s:
        entries = s.audit_log(deal_id)
    if as_json:
        click.echo(json.dumps({"audit": [e.to_json() for e in entries]}, indent=2,
                              ensure_ascii=False))
        return
    if not entries:
        click.echo("no audit rows" + (f" for {deal_id}" if deal_id else ""))
        return
    for e in entries:
        deal = f" [{e.deal_id}]" if e.deal_id else ""
        click.echo(f"{e.seq:>6}  {_when(e.at)}  {e.actor or '-':<32} {e.action:<14} "
                   f"{e.subject}{deal}")


@audit.command("verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """Check the chain: exit 1 naming the first edited, inserted, reordered or deleted row."""
    with session(ctx, locked=False) as s:
        count, problems = s.verify_audit()
    if not problems:
        click.echo(f"audit log verified: {count} row(s), chain and head intact")
        return
    click.echo(f"audit log does NOT verify ({count} row(s)); first problem: {problems[0]}")
    for p in problems[1:]:
        click.echo(f"  also: {p}")
    err("audit verify: the log was changed outside docgen")
    sys.exit(EXIT_BLOCKED)
