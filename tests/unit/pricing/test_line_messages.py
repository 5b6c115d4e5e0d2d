"""Each bill line says its description with a code and parameters (ADR 0045),
so that a client can write the line in its own language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from evroam.pricing.bill import LineKind
from evroam.pricing.discount import DiscountContext, brand_first_year
from evroam.pricing.tariff import IdleFee
from evroam.shared.ids import OperatorId
from tests.builders import a_tariff
from tests.unit.pricing.test_quote import at, flat_charge, quote

IDLE = IdleFee(grace_minutes=15, per_minute=Decimal("0.50"), cap=Decimal("30"))


def lines_of(kind: LineKind, parking_minutes: int = 40, **kw):
    session = flat_charge(at(11, 2, 10), 1, "20", parking_minutes=parking_minutes)
    bill = quote(session, a_tariff(idle=IDLE), **kw)
    return [line for line in bill.lines if line.kind is kind]


def test_an_electricity_line_names_its_period_quantity_and_unit_price():
    (line,) = lines_of(LineKind.ELECTRICITY)
    said = line.message()

    assert said.code == "bill.line"
    assert said.text == line.describe()
    assert said.params_dict() == {
        "period": line.period, "quantity": "20", "unit": "kWh",
        "unit_price": f"{line.unit_price.quantize(Decimal('0.0001'))}",
        "currency": "CNY",
    }  # fmt: skip


def test_an_idle_line_carries_its_note_as_a_code_with_the_free_minutes():
    (line,) = lines_of(LineKind.IDLE)
    params = line.message().params_dict()

    assert params["note"] == "bill.note.free_minutes"
    assert params["free_minutes"] == 15


def test_a_capped_idle_line_names_the_cap():
    (line,) = lines_of(LineKind.IDLE, parking_minutes=8 * 60)
    params = line.message().params_dict()

    assert params["note"] == "bill.note.free_minutes_capped"
    assert params["cap"] == "30.00"


def test_a_discount_names_its_campaign_by_code_and_brand():
    context = DiscountContext(
        "Xiaomi", date(2026, 3, 1), OperatorId("rapidgrid"), at(11, 2, 10)
    )
    (line,) = lines_of(
        LineKind.DISCOUNT, discounts=[brand_first_year("Xiaomi", 10)], context=context
    )
    said = line.message()

    assert said.code == "bill.discount"
    assert said.params_dict() == {
        "name": "Xiaomi first year", "percent": "10",
        "base": f"{line.unit_price.quantize(Decimal('0.01'))}", "currency": "CNY",
        "label": "discount.brand_first_year", "brand": "Xiaomi",
    }  # fmt: skip
