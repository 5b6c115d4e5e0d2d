"""Money: Decimal amounts, whole fen, one rounding rule, one currency at a time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.shared.money import Money, unit_price

# Ten trillion yuan: far beyond any bill, well inside Decimal's 28 digits.
fens = st.integers(-(10**15), 10**15)


class TestRounding:
    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            ("2.345", "2.35"),
            ("2.3449999", "2.34"),
            ("0.005", "0.01"),
            ("0.004", "0.00"),
            ("-0.005", "-0.01"),
            ("7", "7.00"),
        ],
    )
    def test_rounds_half_up_to_the_fen(self, amount, expected):
        assert Money(Decimal(amount)).amount == Decimal(expected)

    def test_rounds_once_not_digit_by_digit(self):
        # 0.0049 → 0.00; rounding to 0.005 first would wrongly give 0.01.
        assert Money.of("0.0049") == Money.zero()

    def test_keeps_exactly_two_decimal_places(self):
        assert str(Money.of(3)) == "3.00 CNY"

    def test_adding_rounded_lines_gives_the_sum_of_the_lines(self):
        lines = [Money.of("0.333"), Money.of("0.333"), Money.of("0.333")]

        assert sum(lines, Money.zero()) == Money.of("0.99")

    def test_rejects_an_amount_that_is_no_number(self):
        with pytest.raises(ValueError, match="not a finite amount"):
            Money(Decimal("Infinity"))

    def test_rejects_not_a_number(self):
        with pytest.raises(ValueError, match="not a finite amount"):
            Money(Decimal("NaN"))


class TestFloatsAreRefused:
    def test_the_constructor_rejects_a_float(self):
        with pytest.raises(TypeError, match="float"):
            Money(1.5)  # type: ignore[arg-type]

    def test_money_of_rejects_a_float(self):
        with pytest.raises(TypeError):
            Money.of(0.1)  # type: ignore[arg-type]

    def test_unit_price_rejects_a_float(self):
        with pytest.raises(TypeError):
            unit_price(0.1)  # type: ignore[arg-type]


class TestFen:
    @given(fens)
    def test_round_trips_through_fen(self, fen):
        assert Money.from_fen(fen).fen == fen

    @given(fens)
    def test_amount_is_a_hundredth_of_the_fen(self, fen):
        assert Money.from_fen(fen).amount * 100 == fen

    @given(fens, fens)
    def test_sums_and_differences_match_the_fen(self, a, b):
        x, y = Money.from_fen(a), Money.from_fen(b)

        assert (x + y).fen == a + b
        assert (x - y).fen == a - b
        assert (-x).fen == -a

    @given(fens, fens)
    def test_orders_like_the_fen(self, a, b):
        assert (Money.from_fen(a) < Money.from_fen(b)) == (a < b)


class TestCurrencies:
    def test_defaults_to_yuan(self):
        assert Money.of("1").currency == "CNY"

    @pytest.mark.parametrize("op", ["add", "sub"])
    def test_cannot_mix_currencies_in_arithmetic(self, op):
        yuan, euro = Money.of("1"), Money.of("1", "EUR")

        with pytest.raises(ValueError, match="cannot mix CNY and EUR"):
            getattr(yuan, f"__{op}__")(euro)

    def test_the_same_amount_in_another_currency_is_not_equal(self):
        assert Money.of("1") != Money.of("1", "EUR")

    def test_cannot_compare_amounts_in_different_currencies(self):
        with pytest.raises((ValueError, TypeError)):
            _ = Money.of("1", "EUR") < Money.of("2")


class TestUnitPrice:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("1.23456", "1.2346"),
            ("1.23455", "1.2346"),
            ("1.23454", "1.2345"),
            ("0.6", "0.6000"),
            (2, "2.0000"),
            (Decimal("0.00005"), "0.0001"),
        ],
    )
    def test_keeps_four_decimal_places_rounding_half_up(self, value, expected):
        price = unit_price(value)

        assert price == Decimal(expected)
        assert price.as_tuple().exponent == -4

    def test_is_not_rounded_to_the_fen(self):
        assert unit_price("1.2345") != Money.of("1.2345").amount
