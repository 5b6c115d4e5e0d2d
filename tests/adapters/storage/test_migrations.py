"""Schema migrations: head applies on both engines and equals tables.py; databases
made before migrations are stamped only when they equal the baseline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from evroam.storage import migration
from evroam.storage.database import DatabaseAccess, DatabaseError
from evroam.storage.engine import create_database_engine, open_database
from evroam.storage.ledger_repository import SqlLedgerStore
from evroam.storage.partner_repository import SqlPartnerRepository
from evroam.storage.partner_secrets import CredentialSeal
from evroam.wallet.ledger import LedgerAccount
from tests.baseline_fill import (
    PARTNER_CREDENTIALS,
    SECRET_VALUES,
    column_names,
    fill,
    snapshot,
    wallet_fen,
)
from tests.hub_keys import DATA_KEY

BASELINE = Path(__file__).parents[2] / "fixtures" / "baseline"


def baseline_sqlite(tmp_path: Path) -> str:
    """A copy of the committed pre-migration SQLite database."""
    target = tmp_path / "baseline.db"
    shutil.copy(BASELINE / "baseline.sqlite", target)
    return f"sqlite:///{target}"


def load_baseline_postgres(url: str) -> None:
    """The committed pre-migration PostgreSQL schema, into an emptied database."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
        conn.execute((BASELINE / "baseline.pg.sql").read_text())  # type: ignore[arg-type]
        conn.execute("SELECT pg_catalog.set_config('search_path', 'public', false)")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgres", marks=[pytest.mark.postgres, pytest.mark.xdist_group("pg")]
        ),
    ]
)
def baseline_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database exactly as evroam made it before migrations, on each engine."""
    if request.param == "sqlite":
        return baseline_sqlite(tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    load_baseline_postgres(url)
    return url


def version_of(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return migration.current(conn)


class TestHead:
    def test_tables_py_and_the_migrations_agree_on_both_engines(self, engine):
        with engine.connect() as conn:
            assert migration.differences_from_tables(conn) == []
            assert migration.current(conn) == migration.head()


class TestBaseline:
    def test_a_database_made_before_migrations_equals_revision_0001(self, baseline_url):
        engine = create_database_engine(baseline_url)
        try:
            with engine.connect() as conn:
                assert migration.baseline_differences(conn) == []
        finally:
            engine.dispose()

    def test_is_stamped_then_upgraded_to_head(self, baseline_url):
        engine = create_database_engine(baseline_url)
        try:
            done = migration.upgrade(engine, baseline_url)
            assert done.stamped
            assert (done.before, done.after) == ("0001", migration.head())
            assert version_of(engine) == migration.head()
        finally:
            engine.dispose()

    def test_a_command_refuses_it_and_names_the_upgrade(self, tmp_path):
        url = baseline_sqlite(tmp_path)
        with pytest.raises(migration.SchemaError, match="run evroam db upgrade --db"):
            open_database(url, DatabaseAccess.READ)


class TestADatabaseThatDiffersFromTheBaseline:
    def test_is_not_stamped_and_the_differences_are_listed(self, tmp_path):
        url = baseline_sqlite(tmp_path)
        engine = create_database_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(text("ALTER TABLE partners ADD COLUMN notes TEXT"))
                conn.execute(text("DROP INDEX ix_piles_station"))
            with pytest.raises(migration.SchemaError) as refused:
                migration.upgrade(engine, url)
            message = str(refused.value)
            assert "missing index ix_piles_station" in message
            assert "unexpected column partners.notes" in message
            assert version_of(engine) is None
        finally:
            engine.dispose()


class TestUpgradingAFilledBaseline:
    """Accounts, wallets, holds, sessions, receipts and partners as the code of
    the baseline wrote them, upgraded to head on each engine."""

    def filled(self, url: str) -> Engine:
        engine = create_database_engine(url)
        with engine.begin() as conn:
            fill(conn, drivers=5)
        return engine

    def test_keeps_every_row_and_balance_and_seals_the_partner_secrets(
        self, baseline_url
    ):
        engine = self.filled(baseline_url)
        try:
            with engine.connect() as conn:
                before = snapshot(conn)
                baseline_columns = column_names(conn)
            migration.upgrade(engine, baseline_url, DATA_KEY)
            with engine.connect() as conn:
                after = snapshot(conn, columns=baseline_columns)
            assert sum(len(rows) for rows in before.values()) == 85
            assert len(after.pop("partners")) == len(before.pop("partners")) == 2
            assert {k: after[k] for k in before} == before
            with engine.connect() as conn:
                raw = " ".join(
                    conn.execute(text("SELECT credentials FROM partners")).scalars()
                )
            assert raw.count("fernet:") == 2
            for secret in SECRET_VALUES:
                assert secret not in raw
            repository = SqlPartnerRepository(engine, CredentialSeal(DATA_KEY))
            assert {p.id: dict(p.credentials) for p in repository.list()} == (
                PARTNER_CREDENTIALS
            )
            wallet = SqlLedgerStore(engine).wallet_balances("acc_4")
            assert wallet is not None
            assert wallet[LedgerAccount.wallet("acc_4")] == wallet_fen(2)
        finally:
            engine.dispose()

    def test_without_the_data_key_nothing_changes(self, tmp_path):
        url = baseline_sqlite(tmp_path)
        engine = self.filled(url)
        try:
            with engine.connect() as conn:
                before = snapshot(conn)
            with pytest.raises(DatabaseError, match="needs the data key"):
                migration.upgrade(engine, url, "")
            with engine.connect() as conn:
                assert snapshot(conn) == before
                assert migration.current(conn) is None
        finally:
            engine.dispose()


class TestADatabaseBehindHead:
    def test_is_refused_naming_its_revision_and_the_upgrade(self, tmp_path):
        url = baseline_sqlite(tmp_path)
        engine = create_database_engine(url)
        try:
            with engine.begin() as conn:
                command.stamp(migration.alembic_config(conn), migration.BASELINE)
        finally:
            engine.dispose()
        with pytest.raises(migration.SchemaError) as refused:
            open_database(url, DatabaseAccess.READ)
        assert f"is at schema 0001, this evroam needs {migration.head()}" in str(
            refused.value
        )
        assert "run evroam db upgrade --db" in str(refused.value)
