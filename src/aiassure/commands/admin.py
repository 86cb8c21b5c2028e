"""`aiassure admin org|token|audit`: organisations, API tokens and the audit trail, on the registry directly."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from typing import TYPE_CHECKING, Any

import click

from ..service.identity import ROLES
from .common import Group, add_row, db_option, format_option, shown, stdout_console

if TYPE_CHECKING:
    from ..service.audit import Actor
    from ..service.identity import Principal


@click.group("admin", cls=Group)
def command() -> None:
    """Manage the service's organisations and API tokens and check its audit trail, on the registry
    database directly (so the first admin token can be made). Every change is audited."""


def _operator() -> tuple[Principal, Actor]:
    from ..service.audit import Actor
    from ..service.identity import Principal

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        user = "unknown"
    principal = Principal.operator(user)
    return principal, Actor(principal.name, client="command line")


@command.group("org")
def org() -> None:
    """Organisations: by ODS code (trusts, ICBs, local authorities, care providers) or supplier code."""


@org.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The organisation's name.")
@click.option(
    "--kind",
    type=click.Choice(["ods", "supplier"]),
    required=True,
    help="ods: an ODS code (trust, ICB, local authority, care provider, the AI Lab); supplier: a vendor.",
)
@db_option
def org_add(code: str, name: str, kind: str, db: str | None) -> None:
    """Add an organisation."""
    from ..registry.store import open_registry
    from ..service.audit import Event, append
    from ..service.identity import add_organisation

    _, actor = _operator()
    registry = open_registry(db)
    try:
        with registry.transaction(write=True) as conn:
            add_organisation(conn, code, kind, name)
            append(conn, actor, Event("organisation.add", "ok", f"organisation:{code}"))
    finally:
        registry.close()
    click.echo(shown(f"added {code} ({kind}): {name}"))


@org.command("list")
@db_option
@format_option("text", "json")
def org_list(db: str | None, fmt: str) -> None:
    """The organisations."""
    from ..registry.store import open_registry
    from ..service.clock import iso
    from ..service.identity import list_organisations

    registry = open_registry(db, must_exist=True)
    try:
        with registry.transaction() as conn:
            rows = list_organisations(conn)
    finally:
        registry.close()
    items = [{"code": r.code, "kind": r.kind, "name": r.name, "created_at": iso(r.created_at)} for r in rows]
    _print(items, ("code", "kind", "name", "created_at"), fmt)


@command.group("token")
def token() -> None:
    """API tokens: aia_<id>_<secret>, shown once, kept hashed, with an expiry of at most a year."""


@token.command("create")
@click.option("--org", "org_code", required=True, help="The organisation's code.")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the token may do (docs/service.md).")
@click.option("--name", required=True, help="Who or what uses the token, for the audit trail.")
@click.option(
    "--expires-in",
    "days",
    type=click.IntRange(1, 365),
    default=90,
    show_default=True,
    help="Days until it expires (at most 365).",
)
@db_option
def token_create(org_code: str, role: str, name: str, days: int, db: str | None) -> None:
    """Create a token and print it, once: only its hash is kept."""
    from ..registry.store import open_registry
    from ..service.audit import Event, append
    from ..service.clock import iso
    from ..service.identity import create_token

    principal, actor = _operator()
    registry = open_registry(db)
    try:
        with registry.transaction(write=True) as conn:
            made = create_token(
                conn, org=org_code, role=role, name=name, expires_in_days=days, created_by=principal.name
            )
            append(conn, actor, Event("token.create", "ok", f"token:{made.id}", role))
    finally:
        registry.close()
    click.echo(made.token)
    click.echo(
        shown(f"token {made.id} ({role} for {org_code}) expires {iso(made.expires_at)}; ")
        + "it is shown this once: keep it in a secret store",
        err=True,
    )


@token.command("list")
@click.option("--org", "org_code", help="Only this organisation's.")
@db_option
@format_option("text", "json")
def token_list(org_code: str | None, db: str | None, fmt: str) -> None:
    """The tokens (never their secrets)."""
    from ..registry.store import open_registry
    from ..service.clock import iso
    from ..service.identity import list_tokens, token_status

    registry = open_registry(db, must_exist=True)
    try:
        with registry.transaction() as conn:
            rows = list_tokens(conn, org_code)
    finally:
        registry.close()

    def when(value: dt.datetime | None) -> str | None:
        return None if value is None else iso(value)

    items = [
        {
            "id": r.id,
            "organisation": r.organisation,
            "role": r.role,
            "name": r.name,
            "status": token_status(r),
            "expires_at": iso(r.expires_at),
            "last_used_at": when(r.last_used_at),
            "created_by": r.created_by,
        }
        for r in rows
    ]
    _print(items, ("id", "organisation", "role", "name", "status", "expires_at", "last_used_at"), fmt)


@token.command("revoke")
@click.argument("token_id")
@db_option
def token_revoke(token_id: str, db: str | None) -> None:
    """Revoke a token (by its public id) for good."""
    from ..registry.store import open_registry
    from ..service.audit import Event, append
    from ..service.identity import revoke_token

    _, actor = _operator()
    registry = open_registry(db, must_exist=True)
    try:
        with registry.transaction(write=True) as conn:
            row = revoke_token(conn, token_id)
            append(conn, actor, Event("token.revoke", "ok", f"token:{token_id}"))
    finally:
        registry.close()
    click.echo(shown(f"revoked {token_id} ({row.role} for {row.organisation}: {row.name})"))


@command.group("audit")
def audit() -> None:
    """The audit trail: every change and every refusal, hash-chained."""


@audit.command("verify")
@db_option
@click.option(
    "--expect-head",
    metavar="SHA256",
    help="A hash `verify` printed earlier: also fail unless that event is still in the trail.",
)
def audit_verify(db: str | None, expect_head: str | None) -> None:
    """Check the audit trail's hash chain (exit 1 if any event was deleted or edited)."""
    from ..errors import InputError
    from ..registry.store import open_registry
    from ..service.audit import verify

    registry = open_registry(db, must_exist=True)
    try:
        found = verify(registry, expect_head=expect_head)
    finally:
        registry.close()
    if not found.ok:
        for problem in found.problems:
            click.echo(f"audit: {shown(problem)}", err=True)
        raise InputError(f"the audit trail is broken: {len(found.problems)} problem(s) in {found.events} event(s)")
    click.echo(shown(f"audit trail intact: {found.events} event(s), head {found.head}"))


def _print(items: list[dict[str, Any]], names: tuple[str, ...], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table()
    for name in names:
        table.add_column(name)
    for item in items:
        add_row(table, *("" if item[name] is None else item[name] for name in names))
    stdout_console().print(table)
