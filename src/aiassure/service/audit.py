"""The audit trail: append-only, hash-chained events, written in the transaction of the change they record."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..canonical import canonical_json
from .clock import iso, now

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from ..registry.sqltypes import ResultRow
    from ..registry.store import Registry

GENESIS = "0" * 64  # the previous hash of the first event
# Any fixed number: the PostgreSQL advisory lock that orders appends to the chain (SQLite writers
# are serialised by the database's write lock already).
AUDIT_LOCK = 0x617564697473  # "audits"
# The fields an event's hash covers, in the table's terms: all of them but the hash itself.
HASHED = (
    "id",
    "at",
    "principal",
    "token_id",
    "organisation",
    "action",
    "object",
    "outcome",
    "reason",
    "request_id",
    "client",
    "prev_hash",
)


@dataclass(frozen=True)
class Actor:
    """Who did something and from where: the same for every event of one request."""

    principal: str
    token_id: str | None = None
    organisation: str | None = None
    request_id: str | None = None
    client: str | None = None


@dataclass(frozen=True)
class Event:
    action: str  # submission.submit, token.create, auth, ...
    outcome: str  # ok | refused
    object: str | None = None  # submission:12, token:ab12..., organisation:RX1
    reason: str | None = None


def event_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json({name: fields[name] for name in HASHED}).encode()).hexdigest()


def append(conn: Connection, actor: Actor, event: Event) -> int:
    """Append one event on `conn`, inside its transaction; returns its id."""
    from sqlalchemy import func, insert, select

    from .tables import audit_events as a

    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK)))
    last = conn.execute(select(a.c.id, a.c.hash).order_by(a.c.id.desc()).limit(1)).first()
    fields: dict[str, Any] = {
        "id": 1 if last is None else last.id + 1,
        "at": iso(now()),
        **asdict(actor),
        **asdict(event),
        "prev_hash": GENESIS if last is None else last.hash,
    }
    fields["hash"] = event_hash(fields)
    conn.execute(insert(a).values(**fields))
    return int(fields["id"])


def append_alone(registry: Registry, actor: Actor, event: Event) -> int:
    """Append an event in a transaction of its own: a refusal, which changes nothing else."""
    with registry.transaction(write=True) as conn:
        return append(conn, actor, event)


@dataclass
class Verification:
    """What checking the chain found: how many events, the newest one's hash, and every break."""

    events: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(registry: Registry, *, expect_head: str | None = None) -> Verification:
    """Walk the chain in order: each event's hash must be that of its fields, its previous hash
    the hash of the event before, and ids must follow one another (ids are given out under the
    chain's lock, so a gap is a deleted event). Deleting the newest events leaves a shorter chain
    that is whole: `expect_head`, a head printed earlier, must then still be in it."""
    found = Verification()
    expected_id = 1
    seen_head = expect_head is None
    for row in events(registry):
        fields = dict(row._mapping)
        if fields["id"] != expected_id:
            found.problems.append(
                f"event #{fields['id']}: expected #{expected_id} next; events #{expected_id}..#{fields['id'] - 1}"
                " are missing (deleted)"
            )
        if fields["prev_hash"] != found.head:
            found.problems.append(
                f"event #{fields['id']}: its previous hash does not match the event before it (deleted or edited)"
            )
        if event_hash(fields) != fields["hash"]:
            found.problems.append(f"event #{fields['id']}: its content does not match its hash (edited)")
        found.head = fields["hash"]
        found.events += 1
        expected_id = fields["id"] + 1
        seen_head = seen_head or fields["hash"] == (expect_head or "").lower()
    if not seen_head:
        found.problems.append(f"the event with hash {expect_head} is not in the trail (the newest were deleted)")
    return found


def events(registry: Registry, *, after: int = 0, limit: int | None = None) -> Iterator[ResultRow]:
    from sqlalchemy import select

    from .tables import audit_events as a

    query = select(a).where(a.c.id > after).order_by(a.c.id)
    if limit is not None:
        query = query.limit(limit)
    with registry.transaction() as conn:
        yield from conn.execution_options(yield_per=1000).execute(query)
