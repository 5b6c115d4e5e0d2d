"""Time-of-use tariffs per operator and province, shaped like Chinese grid prices."""

from __future__ import annotations

import random
from datetime import time
from decimal import Decimal

from evroam.pricing.tariff import IdleFee, PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.scenario.profiles import NetworkProfile
from evroam.shared.ids import TariffId
from evroam.shared.money import unit_price

# Base electricity fee by period (CNY/kWh) before the provincial factor.
_BASE_ELECTRICITY = {
    PeriodKind.VALLEY: Decimal("0.30"),
    PeriodKind.FLAT: Decimal("0.65"),
    PeriodKind.PEAK: Decimal("1.00"),
    PeriodKind.SHARP: Decimal("1.20"),
}

IDLE_FEE_STEP = Decimal("0.10")  # CNY per minute

# Rough provincial level of industrial/commercial grid prices (1.00 = average).
_GRID_FACTOR = {
    "bj": "1.05", "tj": "1.02", "sh": "1.10", "cq": "0.98", "he": "0.97",
    "sx": "0.92", "nm": "0.80", "ln": "0.97", "jl": "0.98", "hl": "0.98",
    "js": "1.04", "zj": "1.06", "ah": "0.98", "fj": "1.00", "jx": "1.00",
    "sd": "1.00", "ha": "0.97", "hb": "1.00", "hn": "1.03", "gd": "1.10",
    "gx": "0.95", "hi": "1.05", "sc": "0.88", "gz": "0.90", "yn": "0.82",
    "xz": "0.85", "sn": "0.93", "gs": "0.85", "qh": "0.78", "nx": "0.80",
    "xj": "0.78",
}  # fmt: skip

# Provinces whose grid tariffs carry a sharp peak in winter as well as summer.
_WINTER_SHARP = frozenset({"bj", "tj", "he", "sd", "ln", "jl", "hl", "sx", "nm"})
_SUMMER = frozenset({7, 8})
_WINTER = frozenset({12, 1})


def tariff_id_for(operator_id: str, province: str, variant: int) -> TariffId:
    return TariffId(f"{operator_id}-{province}-{variant}")


def _windows(rng: random.Random, province: str) -> tuple[TouWindow, ...]:
    """Sharp windows first: the tariff takes the first window that covers."""
    sharp: list[TouWindow] = []
    if rng.random() < 0.6:
        start = rng.choice((11, 19, 20))
        sharp.append(TouWindow(time(start), time(start + 1), PeriodKind.SHARP, _SUMMER))
        if province in _WINTER_SHARP:
            sharp.append(TouWindow(time(18), time(19), PeriodKind.SHARP, _WINTER))
    if rng.random() < 0.7:
        valley = TouWindow(time(23), time(7), PeriodKind.VALLEY)
        peaks = ((10, 15), (18, 21))
    else:
        valley = TouWindow(time(22), time(6), PeriodKind.VALLEY)
        peaks = ((8, 11), (17, 22))
    return (
        *sharp,
        valley,
        *(TouWindow(time(a), time(b), PeriodKind.PEAK) for a, b in peaks),
    )


def _prices(
    rng: random.Random, profile: NetworkProfile, province: str, kinds: set[PeriodKind]
) -> tuple[PeriodPrice, ...]:
    factor = Decimal(_GRID_FACTOR.get(province, "1.00"))
    low, high = (Decimal(v) for v in profile.service_fee)
    steps = int((high - low) / Decimal("0.05"))
    service = low + Decimal("0.05") * rng.randint(0, steps)
    prices = []
    for kind in (PeriodKind.SHARP, PeriodKind.PEAK, PeriodKind.FLAT, PeriodKind.VALLEY):
        if kind not in kinds:
            continue
        jitter = Decimal(rng.randint(-30, 30)) / 1000
        electricity = _BASE_ELECTRICITY[kind] * (factor + jitter)
        prices.append(PeriodPrice(kind, unit_price(electricity), unit_price(service)))
    return tuple(prices)


def _idle_fee(
    seed: int, profile: NetworkProfile, province: str, variant: int
) -> IdleFee | None:
    """The tariff's idle fee, drawn from a generator of its own so that adding it
    changed none of the prices drawn before it existed."""
    terms = profile.idle_fee
    if terms is None:
        return None
    rng = random.Random(f"{seed}:idle:{profile.id}:{province}:{variant}")
    if rng.random() >= terms.share:
        return None
    grace_minutes = rng.choice(terms.grace_minutes)
    low, high = (Decimal(v) for v in terms.per_minute)
    per_minute = low + IDLE_FEE_STEP * rng.randint(0, int((high - low) / IDLE_FEE_STEP))
    cap = rng.choice(terms.caps)
    return IdleFee(grace_minutes, per_minute, None if cap is None else Decimal(cap))


def build_tariff(
    seed: int, profile: NetworkProfile, province: str, variant: int
) -> Tariff:
    """One tariff; the same inputs always give the same tariff."""
    rng = random.Random(f"{seed}:tariff:{profile.id}:{province}:{variant}")
    windows = _windows(rng, province)
    kinds = {w.kind for w in windows} | {PeriodKind.FLAT}
    return Tariff(
        id=tariff_id_for(profile.id, province, variant),
        prices=_prices(rng, profile, province, kinds),
        windows=windows,
        default_kind=PeriodKind.FLAT,
        idle=_idle_fee(seed, profile, province, variant),
    )


def build_tariffs(
    seed: int, profile: NetworkProfile, provinces: frozenset[str]
) -> tuple[Tariff, ...]:
    return tuple(
        build_tariff(seed, profile, province, variant)
        for province in sorted(provinces)
        for variant in range(1, profile.tariff_variants + 1)
    )
