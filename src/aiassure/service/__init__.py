"""The submission service: identity, per-organisation access, receipts and an audit trail (docs/service.md)."""
