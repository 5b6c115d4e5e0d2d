"""SQL implementation of PersonalDataStore: consent history and erasure (ADR 0010)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    Connection,
    Engine,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from evroam.analytics.personal import ConsentRecord
from evroam.shared.ids import AccountId
from evroam.storage.charging_tables import charging_sessions, receipts
from evroam.storage.codec import aware_utc
from evroam.storage.ledger_tables import (
    ledger_balances,
    ledger_holds,
    ledger_idempotency,
    ledger_postings,
    ledger_top_ups,
    sandbox_payment_intents,
)
from evroam.storage.pile_report_tables import pile_reports
from evroam.storage.privacy_tables import consent_records
from evroam.storage.signin_tables import account_logins, web_sessions
from evroam.storage.tables import accounts, vehicle_transfers, vehicles
from evroam.wallet.ledger import DRIVER_KINDS, LedgerAccount


class SqlPersonalDataStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add_consent(self, record: ConsentRecord) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(consent_records),
                [
                    {
                        "account_id": record.account_id,
                        "purpose": record.purpose,
                        "is_granted": record.is_granted,
                        "at": record.at,
                    }
                ],
            )

    def consent_history(self, account_id: AccountId) -> Sequence[ConsentRecord]:
        c = consent_records.c
        query = (
            select(consent_records).where(c.account_id == account_id).order_by(c.seq)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            ConsentRecord(
                AccountId(r["account_id"]),
                r["purpose"],
                bool(r["is_granted"]),
                aware_utc(r["at"]) or r["at"],
            )
            for r in rows
        ]

    def erase(self, account_id: AccountId, pseudonym: str) -> None:
        with self._engine.begin() as conn:
            _delete_identity(conn, account_id)
            _rekey_charging(conn, account_id, pseudonym)
            _rekey_ledger(conn, account_id, pseudonym)
            # Pile reports feed partners' statements and pile reliability:
            # kept, under the pseudonym (issue 13).
            conn.execute(
                update(pile_reports)
                .where(pile_reports.c.account_id == account_id)
                .values(account_id=pseudonym)
            )
            _rekey_vehicle_transfers(conn, account_id, pseudonym)


def _delete_identity(conn: Connection, account_id: str) -> None:
    """Name, token hash, login, password hash, browser sessions, vehicles (the
    VIN is personal) and consent go."""
    conn.execute(delete(web_sessions).where(web_sessions.c.account_id == account_id))
    conn.execute(
        delete(account_logins).where(account_logins.c.account_id == account_id)
    )
    conn.execute(
        delete(consent_records).where(consent_records.c.account_id == account_id)
    )
    conn.execute(delete(vehicles).where(vehicles.c.account_id == account_id))
    conn.execute(delete(accounts).where(accounts.c.id == account_id))


def _rekey_vehicle_transfers(conn: Connection, account_id: str, alias: str) -> None:
    """The operator's audit of VIN transfers stays (who moved a car, when, why)
    without the erased driver: the pseudonym for the account, no VIN."""
    t = vehicle_transfers.c
    for side in (t.from_account, t.to_account):
        conn.execute(
            update(vehicle_transfers)
            .where(side == account_id)
            .values({side.name: alias, "vin": "erased"})
        )


def _rekey_charging(conn: Connection, account_id: str, alias: str) -> None:
    """Sessions and receipts are financial records: kept, under the pseudonym."""
    s = charging_sessions.c
    conn.execute(
        update(charging_sessions)
        .where(s.account_id == account_id)
        .values(account_id=alias)
    )
    r = receipts.c
    conn.execute(
        update(receipts)
        .where(r.account_id == account_id)
        .values(account_id=alias, body=func.replace(r.body, account_id, alias))
    )


def _rekey_ledger(conn: Connection, account_id: str, alias: str) -> None:
    """Driver ledger accounts move to the pseudonym, postings and cached
    balances alike, so every balance and the trial balance stay as they were."""
    for kind in DRIVER_KINDS:
        old, new = LedgerAccount(kind, account_id).key, LedgerAccount(kind, alias).key
        for table in (ledger_postings, ledger_balances):
            conn.execute(
                update(table).where(table.c.account == old).values(account=new)
            )
    for table in (ledger_holds, ledger_top_ups):
        conn.execute(
            update(table)
            .where(table.c.account_id == account_id)
            .values(account_id=alias)
        )
    # Stored answers to retries: the erased driver can no longer retry, and
    # the keys are the client's free text.
    conn.execute(
        delete(ledger_idempotency).where(ledger_idempotency.c.scope == account_id)
    )
    # The sandbox provider's intents: its key held the driver's own key text.
    intents = sandbox_payment_intents.c
    conn.execute(
        update(sandbox_payment_intents)
        .where(intents.account_id == account_id)
        .values(
            account_id=alias,
            idempotency_key=literal("erased:") + intents.intent_id,
        )
    )
