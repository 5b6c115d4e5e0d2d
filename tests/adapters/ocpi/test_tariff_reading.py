"""Reading partners' tariffs: lenient where OCPI 2.2.1 is silent, strict where not."""

from __future__ import annotations

import json
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest

from evroam.gateways.ocpi.pricing_mapping import read_ocpi_tariff
from evroam.pricing.elements import Dimension
from evroam.pricing.errors import InvalidTariffError

FIXTURES = Path(__file__).parents[2] / "fixtures"
START_FEE_AND_ENERGY: dict[str, Any] = {
    "country_code": "NL",
    "party_id": "ABC",
    "id": "start-and-energy",
    "currency": "EUR",
    "elements": [
        {
            "price_components": [
                {"type": "FLAT", "price": 0.50, "vat": 21, "step_size": 0},
                {"type": "ENERGY", "price": 0.39, "vat": 21, "step_size": 1},
            ]
        }
    ],
    "last_updated": "2024-06-01T00:00:00Z",
}


def changed(path: list[str | int], value: Any) -> dict[str, Any]:
    body = deepcopy(START_FEE_AND_ENERGY)
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


class TestLenientWhereTheSpecIsSilent:
    def test_a_flat_fee_with_step_size_0_is_read(self):
        tariff = read_ocpi_tariff(START_FEE_AND_ENERGY)
        flat = tariff.elements[0].component(Dimension.FLAT)
        assert flat is not None
        assert flat.price == pytest.approx(0.50)

    def test_step_size_0_on_energy_bills_per_watt_hour(self):
        body = changed(["elements", 0, "price_components", 1, "step_size"], 0)
        energy = read_ocpi_tariff(body).elements[0].component(Dimension.ENERGY)
        assert energy is not None
        assert energy.step_size == 1


class TestStrictWhereItIsNot:
    def test_a_negative_step_size_is_refused_naming_the_component(self):
        body = changed(["elements", 0, "price_components", 1, "step_size"], -5)
        with pytest.raises(InvalidTariffError) as refused:
            read_ocpi_tariff(body)
        assert refused.value.field == "elements[0].price_components[1].step_size"
        assert "11.4.2 PriceComponent" in refused.value.message

    def test_a_malformed_start_time_names_the_field_and_the_pattern(self):
        body = changed(["elements", 0, "restrictions"], {"start_time": "7:00"})
        with pytest.raises(InvalidTariffError) as refused:
            read_ocpi_tariff(body)
        assert refused.value.field == "elements[0].restrictions.start_time"
        assert "must match" in refused.value.message
        assert "11.4.6 TariffRestrictions" in refused.value.message

    def test_a_reservation_element_may_not_price_energy(self):
        body = changed(["elements", 0, "restrictions"], {"reservation": "RESERVATION"})
        with pytest.raises(InvalidTariffError) as refused:
            read_ocpi_tariff(body)
        assert refused.value.field == "elements[0].price_components[1].type"

    def test_a_real_tariff_without_currency_is_refused_naming_it(self):
        real = json.loads((FIXTURES / "ocpi-real-tariffs/ndw-tariffs.json").read_text())
        with pytest.raises(InvalidTariffError) as refused:
            read_ocpi_tariff(real[0])
        assert refused.value.field == "country_code"
        assert "11.3.1 Tariff object" in str(refused.value)
        assert "validation error" not in str(refused.value)
