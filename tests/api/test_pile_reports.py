"""Drivers report a pile broken or its bay blocked (issue 13): consented, one
per pile an hour, ten an hour; the admin sees them per partner, and so does
the partner's statement."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from typer.testing import CliRunner

from evroam.cli.main import app
from evroam.pile_reports.model import PileReport, ReportKind
from evroam.shared.ids import AccountId, OperatorId, PileId, StationId
from evroam.storage.pile_report_repository import SqlPileReportStore
from evroam.storage.pile_report_tables import pile_reports
from tests.api.conftest import NOW
from tests.api.test_accounts import open_account
from tests.api.test_me import every_cell
from tests.builders import station_id_for
from tests.hub_keys import ADMIN

REPORTS = "/api/v1/pile-reports"
PILE = f"{station_id_for('rapidgrid', 'S001')}-E01"
OTHER = f"{station_id_for('rapidgrid', 'S002')}-E01"


async def a_consenting_driver(client):
    account, auth = await open_account(client)
    r = await client.put(
        "/api/v1/me/consent", json={"pile_reports": True}, headers=auth
    )
    assert r.json()["pile_reports"] is True
    return account, auth


def stored(services) -> int:
    with services.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(pile_reports)).scalar()


class TestReporting:
    async def test_a_consenting_driver_reports_a_broken_pile(self, client, services):
        _, auth = await a_consenting_driver(client)
        r = await client.post(
            REPORTS, json={"pile_id": PILE, "kind": "broken"}, headers=auth
        )
        assert r.status_code == 201
        body = r.json()
        assert body["pile_id"] == PILE
        assert body["operator"] == "rapidgrid"
        assert body["kind"] == "broken"
        assert stored(services) == 1

    async def test_without_consent_nothing_is_kept(self, client, services):
        _, auth = await open_account(client)
        r = await client.post(
            REPORTS, json={"pile_id": PILE, "kind": "blocked"}, headers=auth
        )
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "pile_reports" in r.json()["detail"]
        assert stored(services) == 0

    async def test_a_second_report_within_the_hour_is_refused_and_changes_nothing(
        self, client, services
    ):
        _, auth = await a_consenting_driver(client)
        first = {"pile_id": PILE, "kind": "broken"}
        assert (await client.post(REPORTS, json=first, headers=auth)).status_code == 201
        services.clock.set(NOW + timedelta(minutes=40))
        again = {"pile_id": PILE, "kind": "blocked"}
        r = await client.post(REPORTS, json=again, headers=auth)
        assert r.status_code == 409
        assert r.json()["title"] == "Already reported"
        assert int(r.headers["Retry-After"]) == 20 * 60 + 1
        assert stored(services) == 1
        services.clock.set(NOW + timedelta(minutes=61))
        assert (await client.post(REPORTS, json=again, headers=auth)).status_code == 201

    async def test_another_driver_may_report_the_same_pile(self, client, services):
        for name in ("Li Wei", "Wang Fang"):
            _, auth = await a_consenting_driver(client)
            body = {"pile_id": PILE, "kind": "broken"}
            r = await client.post(REPORTS, json=body, headers=auth)
            assert r.status_code == 201, name
        assert stored(services) == 2

    async def test_more_than_ten_an_hour_are_refused(self, client, services):
        _, auth = await a_consenting_driver(client)
        piles = [f"{station_id_for('rapidgrid', f'S{i:03d}')}-E01" for i in range(11)]
        codes = [
            (
                await client.post(
                    REPORTS, json={"pile_id": p, "kind": "blocked"}, headers=auth
                )
            ).status_code
            for p in piles
        ]
        assert codes == [201] * 10 + [429]
        assert stored(services) == 10

    async def test_unknown_piles_and_kinds_are_refused(self, client, services):
        _, auth = await a_consenting_driver(client)
        unknown = {"pile_id": "nope", "kind": "broken"}
        assert (await client.post(REPORTS, json=unknown, headers=auth)).status_code == (
            404
        )
        wrong = {"pile_id": PILE, "kind": "dirty"}
        assert (await client.post(REPORTS, json=wrong, headers=auth)).status_code == 422
        assert stored(services) == 0

    async def test_needs_a_driver(self, client):
        body = {"pile_id": PILE, "kind": "broken"}
        assert (await client.post(REPORTS, json=body)).status_code == 401


class TestWhatTheOperatorSees:
    async def test_reports_per_partner_without_who_reported(self, client):
        account, auth = await a_consenting_driver(client)
        for pile, kind in ((PILE, "broken"), (OTHER, "blocked")):
            await client.post(
                REPORTS, json={"pile_id": pile, "kind": kind}, headers=auth
            )
        r = await client.get(
            "/api/v1/admin/pile-reports", params={"partner": "rapidgrid"}, headers=ADMIN
        )
        assert r.status_code == 200
        body = r.json()
        assert (body["broken"], body["blocked"]) == (1, 1)
        assert {p["pile_id"] for p in body["piles"]} == {PILE, OTHER}
        assert account["id"] not in r.text
        other = await client.get(
            "/api/v1/admin/pile-reports", params={"partner": "swapway"}, headers=ADMIN
        )
        assert other.json()["reports"] == []

    async def test_needs_the_admin_token(self, client):
        _, auth = await open_account(client)
        r = await client.get("/api/v1/admin/pile-reports", headers=auth)
        assert r.status_code == 401

    async def test_the_partners_statement_lists_the_months_reports(self, client):
        _, auth = await a_consenting_driver(client)
        await client.post(
            REPORTS, json={"pile_id": PILE, "kind": "broken"}, headers=auth
        )
        month = NOW.strftime("%Y-%m")
        r = await client.get(
            "/api/v1/admin/settlements",
            params={"partner": "rapidgrid", "period": month},
            headers=ADMIN,
        )
        assert r.status_code == 200
        reports = r.json()["pile_reports"]
        assert reports["broken"] == 1
        assert reports["piles"][0]["pile_id"] == PILE


class TestErasure:
    async def test_an_erased_drivers_reports_stay_under_the_pseudonym(
        self, client, services
    ):
        account, auth = await a_consenting_driver(client)
        await client.post(
            REPORTS, json={"pile_id": PILE, "kind": "broken"}, headers=auth
        )
        assert (await client.delete("/api/v1/me", headers=auth)).status_code == 204
        assert not any(account["id"] in cell for cell in every_cell(services))
        r = await client.get("/api/v1/admin/pile-reports", headers=ADMIN)
        assert r.json()["broken"] == 1

    async def test_the_drivers_export_lists_their_reports(self, client):
        _, auth = await a_consenting_driver(client)
        body = {"pile_id": PILE, "kind": "blocked"}
        await client.post(REPORTS, json=body, headers=auth)
        export = (await client.get("/api/v1/me/export", headers=auth)).json()
        assert [(r["pile_id"], r["kind"]) for r in export["pile_reports"]] == [
            (PILE, "blocked")
        ]


class TestTheStatementOnTheCommandLine:
    def test_settle_json_lists_the_months_reports(self, services, tmp_path):
        at = datetime(2026, 10, 15, 4, 0, tzinfo=UTC)
        SqlPileReportStore(services.engine).add(
            PileReport(
                "rep_cli",
                AccountId("acc_x"),
                OperatorId("rapidgrid"),
                StationId(station_id_for("rapidgrid", "S001")),
                PileId(PILE),
                ReportKind.BROKEN,
                at,
            )
        )
        args = ["settle", "--partner", "rapidgrid", "--period", "2026-10", "--json"]
        result = CliRunner().invoke(
            app, [*args, "--db", services.settings.database_url]
        )
        assert result.exit_code == 0, result.output
        reports = json.loads(result.output)["pile_reports"]
        assert reports["broken"] == 1
        assert reports["piles"][0]["pile_id"] == PILE
        assert "acc_x" not in result.output
