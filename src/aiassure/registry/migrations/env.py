"""Alembic environment: migrate the connection the registry hands over, inside its transaction."""

from alembic import context

connection = context.config.attributes["connection"]
# render_as_batch: SQLite cannot ALTER most things, so later migrations copy-and-swap tables there.
context.configure(connection=connection, render_as_batch=True, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
