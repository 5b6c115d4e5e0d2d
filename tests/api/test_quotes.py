"""POST /api/v1/quotes: a charge priced line by line before it happens."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.api.test_accounts import open_account

PILE = "rapidgrid-S000-E01"


class TestQuotes:
    async def test_a_charge_across_23_00_uses_both_periods(self, client):
        # 22:30-23:30 Shanghai at 120 kW = 120 kWh: half flat, half valley.
        r = await client.post(
            "/api/v1/quotes",
            json={
                "pile_id": PILE,
                "start_at": "2026-11-26T22:30:00+08:00",
                "minutes": 60,
            },
        )
        assert r.status_code == 200, r.text
        body = r.json()
        periods = {line["description"].split(",")[1].strip() for line in body["lines"]}
        assert periods == {"flat", "valley"}
        assert body["kwh"] == "120.000"
        electricity = sum(
            Decimal(x["amount"]) for x in body["lines"] if x["kind"] == "electricity"
        )
        assert electricity == Decimal("60") * Decimal("0.65") + Decimal("60") * Decimal(
            "0.31"
        )
        assert body["total"] == body["partner_total"]  # no account: no discount

    async def test_a_brand_owner_gets_ten_percent_off_energy_not_parking(self, client):
        _, auth = await open_account(client)
        car = {
            "vin": "LXMSU7A12R0000009",
            "brand": "Xiaomi",
            "model": "SU7",
            "delivery_date": "2026-05-01",
        }
        await client.post("/api/v1/accounts/me/vehicles", json=car, headers=auth)
        r = await client.post(
            "/api/v1/quotes",
            headers=auth,
            json={
                "pile_id": PILE,
                "start_at": "2026-11-26T12:00:00+08:00",
                "kwh": "10",
                "parking_minutes": 120,
            },
        )
        body = r.json()
        energy = sum(
            Decimal(x["amount"])
            for x in body["lines"]
            if x["kind"] in ("electricity", "service")
        )
        parking = sum(
            Decimal(x["amount"]) for x in body["lines"] if x["kind"] == "parking"
        )
        assert parking > 0
        assert Decimal(body["discount_total"]) == (energy / 10).quantize(
            Decimal("0.01")
        )
        assert Decimal(body["total"]) == Decimal(body["partner_total"]) - Decimal(
            body["discount_total"]
        )

    async def test_staying_at_the_bay_after_charging_costs_the_idle_fee(self, client):
        # conftest: swapway-I001 charges 0.50/min after 15 minutes, capped at 30.
        payload = {
            "pile_id": "swapway-I001-E01",
            "start_at": "2026-11-26T12:00:00+08:00",
            "kwh": "10",
            "parking_minutes": 40,
        }
        body = (await client.post("/api/v1/quotes", json=payload)).json()
        (idle,) = [x for x in body["lines"] if x["kind"] == "idle"]
        assert idle["amount"] == "12.50"
        assert "25 min" in idle["description"]
        assert idle["code"] == "bill.line"
        assert idle["params"]["quantity"] == "25"
        assert idle["params"]["note"] == "bill.note.free_minutes"
        left_at_once = {**payload, "parking_minutes": 10}
        body = (await client.post("/api/v1/quotes", json=left_at_once)).json()
        assert [x for x in body["lines"] if x["kind"] == "idle"] == []

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"pile_id": PILE, "start_at": "2026-11-26T12:00:00+08:00"}, "kwh"),
            (
                {"pile_id": PILE, "start_at": "2026-11-26T12:00:00", "kwh": "5"},
                "start_at",
            ),
            (
                {"pile_id": PILE, "start_at": "2026-11-26T12:00:00+08:00", "kwh": "-1"},
                "kwh",
            ),
        ],
    )
    async def test_bad_input_is_a_422_naming_the_field(self, client, payload, field):
        r = await client.post("/api/v1/quotes", json=payload)
        assert r.status_code == 422
        assert field in r.json()["detail"]
