"""Alembic revisions of the hub's schema; run by ``evroam db upgrade`` (ADR 0016)."""
