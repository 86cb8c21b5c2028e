"""The service's tables as SQLAlchemy Core objects, beside the registry's; migration 0004 creates them."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from ..registry.schema import metadata

# An organisation is keyed by its ODS code (trusts, ICBs, local authorities, care providers, the
# national programme) or, for a vendor, its supplier code: the codes submissions carry.
organisations = Table(
    "organisations",
    metadata,
    Column("code", String, primary_key=True),
    Column("kind", String, nullable=False),  # ods | supplier
    Column("name", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A token is `aia_<id>_<secret>`; only the SHA-256 of the secret is kept, so a copy of the
# database gives no working token. Expiry is mandatory; revocation keeps the row for the audit.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String, primary_key=True),  # the public id
    Column("name", Text, nullable=False),
    Column("organisation", String, ForeignKey("organisations.code"), nullable=False),
    Column("role", String, nullable=False),  # submitter | reader | analyst | admin
    Column("secret_sha256", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)
Index("ix_api_tokens_organisation", api_tokens.c.organisation)

# The receipt given when a submission was first stored through the service, so that the same bytes
# sent again get the same receipt; a submission ingested from the command line gets one when it is
# first sent to the service.
receipts = Table(
    "receipts",
    metadata,
    Column("submission_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation", String),
    Column("token_id", String),
    Column("body", Text, nullable=False),  # the receipt's JSON
)

# Append-only (triggers refuse UPDATE and DELETE) and hash-chained: each event's `hash` is the
# SHA-256 of its canonical JSON, which includes the previous event's hash.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String, nullable=False),  # ISO 8601 UTC with microseconds: hashed exactly as stored
    Column("principal", Text, nullable=False),
    Column("token_id", String),
    Column("organisation", String),
    Column("action", String, nullable=False),
    Column("object", Text),
    Column("outcome", String, nullable=False),  # ok | refused
    Column("reason", Text),
    Column("request_id", String),
    Column("client", String),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)
