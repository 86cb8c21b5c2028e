"""Who is asking: organisations, API tokens (`aia_<id>_<secret>`, kept hashed), roles and their scopes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from ..errors import UsageError
from .clock import as_utc, now
from .problems import Conflict, Forbidden, IdentityMismatch, NotFound, Unauthenticated

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.sql.expression import FromClause

    from ..errors import Diagnostic
    from ..registry.intake import Intake
    from ..registry.sqltypes import Condition, ResultRow
    from ..registry.store import Registry

ORG_KINDS = ("ods", "supplier")
Role = Literal["submitter", "reader", "approver", "analyst", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
# What each role may do. Reading "own" means the submissions the organisation itself submits
# (see `owner_clause`) and the waivers it asked for; an analyst reads everything; an approver
# decides waivers (its own organisation's, or, of the AI Lab, any: see `decides_waiver`); an admin
# manages organisations, tokens and the audit trail and reads no submission.
PERMISSIONS: dict[str, frozenset[str]] = {
    "submitter": frozenset({"submit", "read-own", "waiver-request"}),
    "reader": frozenset({"read-own"}),
    "approver": frozenset({"read-own", "waiver-decide"}),
    "analyst": frozenset({"read-own", "read-all", "portfolio", "export"}),
    "admin": frozenset({"admin"}),
}
MAX_TOKEN_DAYS = 365
DEFAULT_TOKEN_DAYS = 90
TOKEN_PREFIX = "aia"
_SECRET_ALPHABET = string.ascii_letters + string.digits
_SECRET_LENGTH = 40  # about 238 bits
_TOKEN = re.compile(r"aia_([0-9a-f]{12})_([A-Za-z0-9]{40})")
# ODS codes are short upper-case alphanumerics; supplier codes are the supplier's own, like SUP-ACME.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# A token's last use is written at most this often, so that reads stay reads.
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    """The caller: a token's name, id, organisation and role; or the operator at the command line."""

    name: str
    token_id: str | None
    organisation: str | None
    org_kind: str | None
    role: str

    @classmethod
    def operator(cls, user: str) -> Principal:
        """Whoever runs `aiassure admin` on the database directly: an admin of no organisation."""
        return cls(f"cli:{user}", None, None, None, "admin")

    def may(self, permission: str) -> bool:
        return permission in PERMISSIONS[self.role]

    def require(self, permission: str) -> None:
        if not self.may(permission):
            allowed = ", ".join(role for role in ROLES if permission in PERMISSIONS[role])
            raise Forbidden(f"a {self.role} token may not do this; it needs a token with the role {allowed}")

    @property
    def reads_everything(self) -> bool:
        return self.may("read-all")


def check_code(code: str, what: str = "organisation code") -> str:
    if not _CODE.fullmatch(code):
        raise UsageError(f"{what} {code!r}: expected letters, digits, '.', '_' or '-', like RX1 or SUP-ACME")
    return code


# -- organisations ---------------------------------------------------------------------------


def add_organisation(conn: Connection, code: str, kind: str, name: str) -> dict[str, Any]:
    from sqlalchemy import select

    from .tables import organisations

    check_code(code)
    if kind not in ORG_KINDS:
        raise UsageError(f"organisation kind {kind!r}: expected one of {', '.join(ORG_KINDS)}")
    if not name.strip():
        raise UsageError("an organisation needs a name")
    if conn.execute(select(organisations.c.code).where(organisations.c.code == code)).first() is not None:
        raise Conflict(f"organisation {code} already exists")
    row = {"code": code, "kind": kind, "name": name.strip(), "created_at": now()}
    conn.execute(organisations.insert().values(**row))
    return row


def list_organisations(conn: Connection) -> list[ResultRow]:
    from sqlalchemy import select

    from .tables import organisations

    return list(conn.execute(select(organisations).order_by(organisations.c.code)))


def organisation(conn: Connection, code: str) -> ResultRow:
    from sqlalchemy import select

    from .tables import organisations

    row = conn.execute(select(organisations).where(organisations.c.code == code)).first()
    if row is None:
        raise NotFound(f"no organisation {code}; `aiassure admin org add` adds one")
    return row


# -- tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewToken:
    """A token just made: the only moment its secret exists outside the caller's hands."""

    token: str
    id: str
    expires_at: dt.datetime


def create_token(
    conn: Connection, *, org: str, role: str, name: str, expires_in_days: int, created_by: str
) -> NewToken:
    from .tables import api_tokens

    if role not in ROLES:
        raise UsageError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise UsageError(f"a token expires within 1 to {MAX_TOKEN_DAYS} days, not {expires_in_days}")
    if not name.strip():
        raise UsageError("a token needs a name saying who or what uses it")
    organisation(conn, org)
    public_id = secrets.token_hex(6)
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(_SECRET_LENGTH))
    created = now()
    expires = created + dt.timedelta(days=expires_in_days)
    conn.execute(
        api_tokens.insert().values(
            id=public_id,
            name=name.strip(),
            organisation=org,
            role=role,
            secret_sha256=_digest(secret),
            created_at=created,
            created_by=created_by,
            expires_at=expires,
        )
    )
    return NewToken(f"{TOKEN_PREFIX}_{public_id}_{secret}", public_id, expires)


def list_tokens(conn: Connection, org: str | None = None) -> list[ResultRow]:
    from sqlalchemy import select

    from .tables import api_tokens as t

    query = select(*(c for c in t.c if c.name != "secret_sha256")).order_by(t.c.organisation, t.c.created_at, t.c.id)
    if org is not None:
        query = query.where(t.c.organisation == org)
    return list(conn.execute(query))


def token_row(conn: Connection, token_id: str) -> ResultRow:
    from sqlalchemy import select

    from .tables import api_tokens as t

    row = conn.execute(select(t).where(t.c.id == token_id)).first()
    if row is None:
        raise NotFound(f"no token {token_id}; `aiassure admin token list` shows them")
    return row


def revoke_token(conn: Connection, token_id: str) -> ResultRow:
    """Revoke a token for good; revoking it again is a no-op. Returns the token's row."""
    from sqlalchemy import update

    from .tables import api_tokens as t

    row = token_row(conn, token_id)
    if row.revoked_at is None:
        conn.execute(update(t).where(t.c.id == token_id).values(revoked_at=now()))
    return row


def token_status(row: ResultRow, at: dt.datetime | None = None) -> str:
    if row.revoked_at is not None:
        return "revoked"
    return "expired" if as_utc(row.expires_at) <= (at or now()) else "active"


def public_id_of(presented: str) -> str | None:
    """The public id of a well-formed token, for the audit trail of a refusal."""
    match = _TOKEN.fullmatch(presented)
    return match.group(1) if match else None


def authenticate(registry: Registry, presented: str | None) -> Principal:
    """The principal a presented token stands for; Unauthenticated (with the reason, for the
    audit trail) when it is missing, malformed, unknown, wrong, expired or revoked."""
    from sqlalchemy import select, update

    from .tables import api_tokens as t
    from .tables import organisations as o

    if not presented:
        raise Unauthenticated("no API token: send `Authorization: Bearer aia_...`")
    match = _TOKEN.fullmatch(presented)
    if match is None:
        raise Unauthenticated("the API token is malformed: expected aia_<id>_<secret>")
    public_id, secret = match.groups()
    with registry.transaction() as conn:
        row = conn.execute(
            select(t, o.c.kind).select_from(t.join(o, o.c.code == t.c.organisation)).where(t.c.id == public_id)
        ).first()
    # The secret is compared in constant time, and against a stand-in when the id is unknown, so
    # the time taken does not tell which ids exist.
    stored = row.secret_sha256 if row is not None else _digest("")
    if not hmac.compare_digest(stored, _digest(secret)) or row is None:
        raise Unauthenticated("the API token is not valid")
    moment = now()
    status = token_status(row, moment)
    if status != "active":
        raise Unauthenticated(f"the API token {public_id} is {status}; ask your administrator for a new one")
    last = None if row.last_used_at is None else as_utc(row.last_used_at)
    if last is None or moment - last >= LAST_USED_RESOLUTION:
        with registry.transaction(write=True) as conn:
            conn.execute(update(t).where(t.c.id == public_id).values(last_used_at=moment))
    return Principal(row.name, row.id, row.organisation, row.kind, row.role)


def _digest(secret: str) -> str:
    # A plain SHA-256 suffices: the secret is 238 random bits, not a password to be guessed.
    return hashlib.sha256(secret.encode()).hexdigest()


# -- scopes ----------------------------------------------------------------------------------


def owner_clause(table: FromClause, org: str) -> Condition:
    """The submissions an organisation itself submits, as a WHERE clause: those it assessed of
    another subject (`assessed_by`), and otherwise its own readiness (organisation subject) or
    its own products (technology subject, by supplier code)."""
    from sqlalchemy import and_, or_

    own = or_(
        and_(table.c.subject_type == "organisation", table.c.subject_code == org),
        and_(table.c.subject_type == "technology", table.c.supplier_code == org),
    )
    return or_(table.c.assessed_by_code == org, and_(table.c.assessed_by_code.is_(None), own))


def check_submission_scope(principal: Principal, intake: Intake) -> None:
    """Refuse a submission that is not the principal's organisation's to submit, with a located
    reason: a vendor submits only its own products; any other organisation its own readiness, or
    assessments it carried out (`assessed_by` its own code)."""
    principal.require("submit")
    org = principal.organisation
    subject = intake.result.subject
    supplier = subject.supplier.code if subject.supplier else None
    assessor = intake.assessed_by[0] if intake.assessed_by else None
    problem: tuple[tuple[str, ...], str] | None = None
    if principal.org_kind == "supplier":
        if subject.type != "technology":
            problem = (("subject", "type"), f"a vendor ({org}) submits technology assessments, not an organisation's")
        elif supplier != org:
            problem = (
                ("subject", "supplier", "code"),
                f"the product's supplier code is {supplier!r}, but the token is {org}'s: "
                "a vendor submits only its own products",
            )
        elif assessor is not None:
            problem = (
                ("assessed_by", "code"),
                f"the assessment says it was carried out by {assessor}, not {org}: only {assessor} can submit it",
            )
    elif assessor is not None:
        if assessor != org:
            problem = (
                ("assessed_by", "code"),
                f"the assessment was carried out by {assessor}, but the token is {org}'s: "
                "an organisation submits only the assessments it carried out",
            )
    elif subject.type != "organisation":
        problem = (
            ("subject", "supplier", "code") if supplier else ("subject", "code"),
            f"this is the supplier's own assessment of {subject.code}; {org} can submit its own "
            f"assessment of the product by adding `assessed_by` with the code {org}",
        )
    elif subject.code != org:
        problem = (
            ("subject", "code"),
            f"the subject is {subject.code}, but the token is {org}'s: "
            "an organisation submits only its own readiness assessments",
        )
    if problem is not None:
        parts, message = problem
        raise IdentityMismatch(message, [_located(intake, parts, message)])


def _located(intake: Intake, parts: tuple[str, ...], message: str) -> Diagnostic:
    """A diagnostic at the named key of the submission's own bytes (a PDF's: its embedded file)."""
    from ..errors import AiassureError, Diagnostic, Location
    from ..source import load_bytes

    name = intake.source
    try:
        doc = load_bytes(intake.raw, name, max_bytes=len(intake.raw))
        return doc.diagnostic("identity-mismatch", message, parts)
    except AiassureError:  # parsed once already, so not expected; a location is a nicety
        return Diagnostic("identity-mismatch", message, Location(name), ".".join(parts))
