"""Re-rating every charge record: the tariff in force at the start, the lowest figure
billed, a difference above one fen kept as a dispute with every figure (ADR 0023)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from evroam.accounts.model import Vehicle
from evroam.accounts.service import AccountService
from evroam.catalogue.model import OperatorProfile, PileStatus, Protocol
from evroam.catalogue.service import CatalogueService
from evroam.charging.model import DisputeReason
from evroam.charging.remote import ChargePeriod, ChargeRecord, SessionStarted
from evroam.charging.rerate import rerate
from evroam.charging.service import ChargingService
from evroam.partners.model import Partner
from evroam.partners.service import PartnersService
from evroam.payments.sandbox import SandboxPaymentProvider
from evroam.pricing.bill import Bill, BillLine, LineKind
from evroam.pricing.elements import (
    Dimension,
    ElementTariff,
    PriceComponent,
    TariffElement,
)
from evroam.pricing.tariff import PeriodKind, PeriodPrice
from evroam.shared.ids import OperatorId
from evroam.shared.money import Money
from evroam.status.service import StatusService
from evroam.wallet.memory import InMemoryLedgerStore
from evroam.wallet.service import WalletService
from tests.builders import EPOCH, a_station, a_tariff, an_operator
from tests.fakes import (
    FakeGateway,
    FakeRemoteCharging,
    FixedClock,
    InMemoryAccountRepository,
    InMemoryDisputeStore,
    InMemoryPartnerRepository,
    InMemorySessionStore,
    InMemoryStationRepository,
    InMemoryStatusStore,
    RecordingEventBus,
)

RAPIDGRID = OperatorId("rapidgrid")
KWH = Decimal(20)


def per_kwh(total: str):
    return a_tariff(
        prices=(PeriodPrice(PeriodKind.FLAT, Decimal(total), Decimal(0)),), windows=()
    )


class World:
    """One station at 1.00 per kWh, one driver with 200, disputes recorded."""

    def __init__(self) -> None:
        self.clock = FixedClock(EPOCH)
        self.stations = InMemoryStationRepository()
        self.stations.save_operator(an_operator())
        self.station = a_station(statuses=(PileStatus.AVAILABLE,))
        self.catalogue = CatalogueService(self.stations, self.clock)
        self.catalogue.import_network([], [per_kwh("1.00")], [self.station])
        records = InMemoryPartnerRepository()
        records.save(
            Partner(RAPIDGRID, "Rapid Grid", Protocol.OCPI, OperatorProfile.FAST, "x")
        )
        status = StatusService(
            InMemoryStatusStore(self.stations), RecordingEventBus(), self.clock
        )
        partners = PartnersService(
            records,
            self.stations,
            self.catalogue,
            status,
            {Protocol.OCPI: FakeGateway()},
            self.clock,
        )
        provider = SandboxPaymentProvider(b"secret-for-tests", self.clock)
        ledger = InMemoryLedgerStore()
        self.wallet = WalletService(ledger, provider, self.clock)
        self.accounts = AccountService(
            InMemoryAccountRepository(), self.clock, self.wallet.open_wallet
        )
        self.disputes = InMemoryDisputeStore()
        self.charging = ChargingService(
            InMemorySessionStore(ledger, self.disputes),
            self.wallet,
            self.catalogue,
            partners,
            self.accounts,
            {Protocol.OCPI: FakeRemoteCharging()},
            self.clock,
        )
        account = self.accounts.open_account("driver").account
        self.accounts.register_vehicle(
            account.id, Vehicle("LXMSU7A12R0000001", "Tesla", "3", date(2026, 6, 1))
        )
        intent = self.wallet.top_up(account.id, Money.of(200), "top-up")
        webhook = provider.confirm(intent.intent_id)
        self.wallet.confirm_top_up(webhook.body, webhook.signature_header)
        self.account = account

    def charge(self, partner_total: str, tariffs: tuple[ElementTariff, ...] = ()):
        pile = self.station.piles[0].id
        session = self.charging.start_charging(self.account.id, pile, "k-1")
        self.charging.handle(RAPIDGRID, SessionStarted(session.id, "S-1", EPOCH))
        self.clock.set(EPOCH + timedelta(hours=2))
        start, end = EPOCH + timedelta(minutes=1), EPOCH + timedelta(minutes=31)
        record = ChargeRecord(
            session.id, f"CDR-{session.id}", start, end, KWH,
            (ChargePeriod(start, end, KWH),),
            Decimal(partner_total), Decimal(0), Decimal(0), Decimal(partner_total),
            "ocpi", tariffs,
        )  # fmt: skip
        self.charging.handle(RAPIDGRID, record)
        return self.charging.get_receipt(self.account.id, session.id)


def flat_per_kwh(price: str) -> ElementTariff:
    component = PriceComponent(Dimension.ENERGY, Decimal(price))
    return ElementTariff("cdr", "CNY", (TariffElement((component,)),))


class TestRerating:
    def test_figures_within_one_fen_are_billed_as_ours_without_dispute(self):
        world = World()
        receipt = world.charge("20.01")
        assert receipt.driver_total == Money.of("20.00")
        assert world.disputes.disputes == []

    def test_a_partner_asking_more_is_billed_ours_and_disputed(self):
        world = World()
        receipt = world.charge("20.50")
        assert receipt.partner_total == Money.of("20.00")
        [dispute] = world.disputes.disputes
        assert dispute.reason is DisputeReason.RERATED
        assert dispute.figure("ours") == Money.of("20.00")
        assert dispute.figure("partner") == Money.of("20.50")
        assert dispute.billed == Money.of("20.00")
        assert "t-standard@" in dispute.detail

    def test_a_partner_asking_less_is_billed_its_figure(self):
        world = World()
        receipt = world.charge("18.00")
        assert receipt.driver_total == Money.of("18.00")
        assert [line.kind for line in receipt.lines][-1] == "adjustment"
        assert world.disputes.disputes[0].billed == Money.of("18.00")

    def test_the_tariff_in_force_when_the_session_started_is_used(self):
        world = World()
        pile = world.station.piles[0].id
        session = world.charging.start_charging(world.account.id, pile, "k-1")
        world.charging.handle(RAPIDGRID, SessionStarted(session.id, "S-1", EPOCH))
        world.clock.set(EPOCH + timedelta(minutes=10))
        world.catalogue.save_network_batch([per_kwh("1.50")], [])  # mid-session
        start, end = EPOCH + timedelta(minutes=1), EPOCH + timedelta(minutes=31)
        record = ChargeRecord(
            session.id, "CDR-1", start, end, KWH, (ChargePeriod(start, end, KWH),),
            Decimal(20), Decimal(0), Decimal(0), Decimal(20), "ocpi",
        )  # fmt: skip
        world.charging.handle(RAPIDGRID, record)
        receipt = world.charging.get_receipt(world.account.id, session.id)
        assert receipt.partner_total == Money.of("20.00")
        assert world.disputes.disputes == []

    def test_an_ocpi_cdr_is_also_rated_with_the_tariff_it_carries(self):
        world = World()
        receipt = world.charge("20.00", tariffs=(flat_per_kwh("0.90"),))
        assert receipt.partner_total == Money.of("18.00")
        [dispute] = world.disputes.disputes
        assert dict(dispute.figures) == {
            "ours": Money.of("20.00"),
            "cdr_tariff": Money.of("18.00"),
            "partner": Money.of("20.00"),
        }


def a_bill(amount: str, discount: str = "0") -> Bill:
    lines = [
        BillLine(LineKind.ELECTRICITY, "flat", KWH, "kWh", Decimal(1), Money.of(amount))
    ]
    if Decimal(discount):
        lines.append(
            BillLine(
                LineKind.DISCOUNT,
                "brand",
                Decimal(10),
                "%",
                Decimal(amount),
                Money.of(discount),
            )
        )
    return Bill.of(lines, KWH)


class TestRerate:
    def test_one_fen_apart_is_no_dispute_two_are(self):
        assert not rerate(a_bill("10.00"), Money.of("10.01")).is_disputed
        assert rerate(a_bill("10.00"), Money.of("10.02")).is_disputed

    def test_a_discount_never_exceeds_what_the_partner_billed(self):
        rating = rerate(a_bill("10.00", discount="1.00"), Money.of("0.50"))
        assert rating.bill.partner_total == Money.of("0.50")
        assert rating.bill.discount_total == Money.of("0.50")
        assert rating.bill.driver_total == Money.zero()
