"""Alembic environment: runs on the connection storage.migration hands it.

evroam never runs ``alembic`` with an ini file: ``evroam db upgrade`` opens the
database, takes the schema lock and passes its connection in
``config.attributes["connection"]`` (storage/migration.py).
"""

from __future__ import annotations

from alembic import context

from evroam.storage.migration import include_name, target_metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=target_metadata(),
    include_name=include_name,
    transactional_ddl=True,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
