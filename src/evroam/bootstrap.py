"""Composition root: the one place that picks concrete adapters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import httpx
from fastapi import APIRouter
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from evroam.accounts.password import PasswordHasher
from evroam.accounts.service import AccountService
from evroam.accounts.signin import SignInService
from evroam.analytics.coverage import AreaPoint
from evroam.analytics.personal import PILE_REPORTS, PersonalDataService, StationPlace
from evroam.analytics.service import NetworkAnalyticsService
from evroam.boundary import Boundary, guarded
from evroam.bridges import LoopRemoteCharging, LoopSessionQuery
from evroam.catalogue.model import Protocol
from evroam.catalogue.service import CatalogueService
from evroam.charging.model import ChargingSession, SessionStatus
from evroam.charging.remote import (
    ChargeRecord,
    OrderCheck,
    OrderDispute,
    RemoteCharging,
    RemoteEvent,
    UnknownSessionError,
)
from evroam.charging.service import ChargingService
from evroam.config import Settings
from evroam.gateways.ocpi.commands import OcpiRemoteCharging, command_result_sink
from evroam.gateways.ocpi.hub import (
    HubLocationReceiver,
    OcpiPartnerGateway,
    PartnerTokenStore,
    batch_from_location_file,
)
from evroam.gateways.ocpi.pile_commands import (
    PILE_COMMANDS,
    OcpiPileCommands,
    outcome_of,
)
from evroam.gateways.ocpi.sessions import cdr_sink, session_sink
from evroam.gateways.ocpi.tokens import (
    HubTokenSource,
    TokenPusher,
    token_for_account,
)
from evroam.gateways.partner_index import PartnerIndex
from evroam.gateways.settlement_records import (
    OcpiCdrRecords,
    ProtocolPartnerRecords,
    TcecOrderCheckRecords,
)
from evroam.gateways.tcec.charging import TcecChargingReceiver, TcecRemoteCharging
from evroam.gateways.tcec.hub import (
    PartnerPeers,
    StationEnergy,
    TcecPartnerGateway,
    build_hub_handlers,
)
from evroam.partners.ports import PartnerGateway
from evroam.partners.service import PartnersService
from evroam.payments.sandbox import SandboxPaymentProvider
from evroam.payments.unconfigured import NoPaymentProvider
from evroam.pile_reports.service import PileReportService
from evroam.pile_requests.service import PileRequestService
from evroam.pricing.discount import DiscountRule, brand_first_year
from evroam.protocols.ocpi_2_2_1.authorization import build_tokens_sender_router
from evroam.protocols.ocpi_2_2_1.client import OcpiClient
from evroam.protocols.ocpi_2_2_1.commands import (
    CommandResult,
    CommandResultSink,
    build_command_result_router,
)
from evroam.protocols.ocpi_2_2_1.endpoint import build_emsp_router
from evroam.protocols.ocpi_2_2_1.enums import InterfaceRole, ModuleId, Role
from evroam.protocols.ocpi_2_2_1.errors import InvalidParametersError
from evroam.protocols.ocpi_2_2_1.models import (
    BusinessDetails,
    CredentialsRole,
    Endpoint,
)
from evroam.protocols.ocpi_2_2_1.server import ServerConfig
from evroam.protocols.ocpi_2_2_1.sessions import (
    Session,
    build_cdrs_receiver_router,
    build_sessions_receiver_router,
)
from evroam.protocols.tcec_102.charging import build_charging_handlers
from evroam.protocols.tcec_102.endpoint import (
    ReplayGuard,
    SignedGrantStore,
    TcecEndpoint,
    build_router,
)
from evroam.recommend.outlook import OutlookService
from evroam.recommend.ports import RoadDistance
from evroam.recommend.road import GreatCircleRoads
from evroam.recommend.service import RecommendService
from evroam.recommend.trip import TripPlanner
from evroam.recommend.vehicles import find_vehicle
from evroam.routing.osrm import OsrmRoadDistance
from evroam.scenario.corridors import service_areas
from evroam.settlement.service import SettlementService
from evroam.shared.clock import Clock, SystemClock
from evroam.shared.errors import InvalidInputError
from evroam.shared.ids import (
    AccountId,
    OperatorId,
    PileId,
    SessionId,
    StationId,
    pile_id_for,
    station_id_for,
)
from evroam.simulated_usage import (
    Backfill,
    PastPartner,
    PilePlace,
    PileSpec,
    kind_of,
)
from evroam.status.bus import InProcessEventBus
from evroam.status.ports import EventBus
from evroam.status.service import StatusService
from evroam.storage.account_repository import SqlAccountRepository
from evroam.storage.availability_learner import TABLE_NAME, AvailabilityLearner
from evroam.storage.availability_table import ParquetAvailabilityHistory
from evroam.storage.database import DatabaseAccess
from evroam.storage.dispute_repository import SqlDisputeStore
from evroam.storage.engine import (
    guard_engine,
    is_sqlite,
    open_database,
    upgrade_database,
)
from evroam.storage.history_archive import ParquetStatusArchive
from evroam.storage.history_keeper import (
    Retention,
    StatusHistoryKeeper,
    archive_root,
)
from evroam.storage.lease import SqlLeaseStore
from evroam.storage.ledger_batch import PostgresPlanWriter
from evroam.storage.ledger_repository import SqlLedgerStore
from evroam.storage.ledger_sqlite import SqlitePlanWriter
from evroam.storage.migration import Upgrade
from evroam.storage.network_engine import DuckDbNetworkEngine
from evroam.storage.order_check_repository import SqlOrderCheckStore
from evroam.storage.partner_repository import SqlPartnerRepository
from evroam.storage.partner_secrets import CredentialSeal
from evroam.storage.payment_intent_repository import SqlPaymentIntentStore
from evroam.storage.pile_reliability import TABLE_NAME as RELIABILITY_TABLE
from evroam.storage.pile_reliability import ParquetPileReliability
from evroam.storage.pile_report_repository import SqlPileReportStore
from evroam.storage.pile_request_repository import SqlPileRequestStore
from evroam.storage.privacy_repository import SqlPersonalDataStore
from evroam.storage.replay_guard import SqlReplayGuard
from evroam.storage.session_lookup import SqlSessionLookup
from evroam.storage.session_repository import SqlSessionStore
from evroam.storage.settlement_repository import SqlSettlementRepository
from evroam.storage.signin_repository import SqlSignInStore
from evroam.storage.station_repository import SqlStationRepository
from evroam.storage.status_history import SqlStatusHistory
from evroam.storage.status_repository import SqlStatusStore
from evroam.storage.token_repository import SqlTokenStore
from evroam.tokens.authorization import AuthorizationReferences
from evroam.tokens.model import Decision
from evroam.tokens.service import TokenService
from evroam.wallet.errors import NoPaymentProviderError, TopUpNotFoundError
from evroam.wallet.ports import LedgerLine, TopUp
from evroam.wallet.service import WalletService

TCEC_TOKEN_TTL_S = 7200  # T/CEC 102.4 example TokenAvailableTime


# The ledger's write-plan applier for the engine in use (ADR 0012).
PlanWriterAdapter = SqlitePlanWriter | PostgresPlanWriter


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    engine: Engine
    clock: Clock
    stations: SqlStationRepository
    catalogue: CatalogueService
    status: StatusService
    bus: EventBus
    partners: PartnersService
    partner_records: SqlPartnerRepository
    leases: SqlLeaseStore
    http: Callable[[], httpx.AsyncClient]
    accounts: AccountService
    sign_in: SignInService  # passwords and browser sessions (ADR 0036)
    wallet: WalletService
    payments: SandboxPaymentProvider | None  # None: no provider, no top-ups
    charging: ChargingService
    disputes: SqlDisputeStore  # disputed charge records (ADR 0023)
    settlement: SettlementService
    recommend: RecommendService
    trips: TripPlanner
    personal: PersonalDataService
    analytics: NetworkAnalyticsService
    history_keeper: StatusHistoryKeeper
    availability_learner: AvailabilityLearner
    outlook: OutlookService
    tokens: TokenService  # drivers' tokens as partners authorize them
    pile_requests: PileRequestService  # reservations, stuck cables (ADR 0027)
    pile_reports: PileReportService  # broken piles, blocked bays (issue 13)
    token_pusher: TokenPusher  # OCPI token changes to CPOs, each watcher round
    ledger_writer: PlanWriterAdapter | None = None  # ADR 0012
    # The async boundary: ``await services.boundary.run(use_case, *args)`` from
    # async code (docs/architecture.md, "The async boundary").
    boundary: Boundary = field(default_factory=Boundary)
    # Partners in memory for the peer lookups of every push (gateways.partner_index).
    partner_index: PartnerIndex | None = None
    # References the hub gives with an allowed token (ADR 0043); None without a key.
    authorizations: AuthorizationReferences | None = None

    def ping_database(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def confirm_sandbox_top_up(self, account_id: str, intent_id: str) -> TopUp:
        """The sandbox provider 'pays' and delivers its signed webhook to us."""
        if self.payments is None:
            raise NoPaymentProviderError()
        pending = self.wallet.get_top_up(intent_id)
        if pending.account_id != account_id:
            raise TopUpNotFoundError(intent_id)
        webhook = self.payments.confirm(intent_id)
        return self.wallet.confirm_top_up(webhook.body, webhook.signature_header)

    def answer_order_check(
        self, partner_id: OperatorId, check: OrderCheck
    ) -> list[OrderDispute]:
        """T/CEC check_charge_orders: the partner's orders we dispute. The check
        is kept: reconciling its period compares with these orders."""
        SqlOrderCheckStore(self.engine).save(partner_id, check, self.clock.now())
        return list(self.settlement.answer_order_check(partner_id, check))

    def adopt_cpo_session(
        self,
        partner_id: OperatorId,
        ref: str,
        uid: str,
        location_id: str,
        evse_uid: str,
        partner_session_id: str,
        started_at: datetime,
    ) -> ChargingSession:
        """A session a CPO started itself after authorizing a driver's token:
        ``ref`` must be a reference the hub issued for that token uid (ADR 0043),
        the token's account still allowed; else ``UnknownSessionError``."""
        references = self.authorizations
        if references is None or not references.is_issued_for(ref, uid):
            raise UnknownSessionError(ref)
        token = self.tokens.find(uid)
        if (
            token is None
            or token.account_id is None
            or token.decision is not Decision.ALLOWED
        ):
            raise UnknownSessionError(ref)
        pile_id = pile_id_for(station_id_for(partner_id, location_id), evse_uid)
        return self.charging.adopt_started_session(
            partner_id,
            SessionId(ref),
            token.account_id,
            pile_id,
            partner_session_id,
            started_at,
        )

    async def import_location_file(
        self, partner_id: OperatorId, body: Any
    ) -> tuple[int, tuple[tuple[str, str], ...]]:
        """A Locations file (an OCPI 2.1.1 / 2.2 / 2.2.1 feed as captured) into
        the partner's catalogue: (stations imported, refused with reasons)."""
        partner = await self.boundary.run(self.partners.get_partner, partner_id)
        batch = batch_from_location_file(partner, body, self.clock.now())
        return await self.partners.import_network(partner_id, batch)

    async def partner_station_energy(
        self,
        partner_id: OperatorId,
        station_external_id: str,
        first_day: date,
        last_day: date,
    ) -> StationEnergy:
        """A T/CEC partner's own count of a station's energy (query_station_stats)."""
        partner = await self.boundary.run(self.partners.get_partner, partner_id)
        if partner.protocol is not Protocol.TCEC:
            raise InvalidInputError(
                "partner_id",
                f"{partner_id} is not a T/CEC partner (query_station_stats)",
            )
        if last_day < first_day:
            raise InvalidInputError("last_day", "must not be before first_day")
        gateway = TcecPartnerGateway(
            self.http, self.settings.tcec_operator_id, self.clock
        )
        return await gateway.station_energy(
            partner, station_external_id, first_day, last_day
        )

    def close(self) -> None:
        # Use cases still running in worker threads finish before the ledger
        # writer and the engine go (a partner's message may be mid-way).
        self.boundary.wait_idle()
        if self.ledger_writer is not None:
            self.ledger_writer.close()
        self.engine.dispose()


def prepare_database(
    settings: Settings, access: DatabaseAccess = DatabaseAccess.READ
) -> None:
    """Check (READ) or create and upgrade (UPGRADE) ``settings``' database
    before serving it; a ``DatabaseError`` says in one line why it cannot be."""
    open_database(settings.database_url, access, settings.data_key).dispose()


def upgrade_schema(settings: Settings) -> Upgrade:
    """Create ``settings``' database or bring its schema to this evroam's."""
    return upgrade_database(settings.database_url, settings.data_key)


def build_services(
    settings: Settings,
    clock: Clock | None = None,
    http: Callable[[], httpx.AsyncClient] | None = None,
    access: DatabaseAccess = DatabaseAccess.READ,
) -> Services:
    """Wire storage, bus, protocols and use-cases for ``settings``.

    ``access`` says whether the database may be created or upgraded (READ:
    it must be there, at the current schema). ``http`` makes the client used
    to call partners (tests pass one with an ASGI transport).
    """
    clock = clock or SystemClock()
    engine = open_database(settings.database_url, access, settings.data_key)
    boundary = Boundary(settings.use_case_threads, is_guarded=settings.loop_guard)
    if boundary.is_guarded:
        guard_engine(engine, boundary.refuse_on_loop)
    stations = SqlStationRepository(engine)
    bus = _build_bus(settings)
    catalogue = CatalogueService(stations, clock)
    status = StatusService(SqlStatusStore(engine), bus, clock, boundary.run)
    records = SqlPartnerRepository(engine, CredentialSeal(settings.data_key))
    http = http or _http_factory(settings)
    partner_index = PartnerIndex(records)
    gateways = _gateways(settings, records, partner_index, http, clock)
    partners = PartnersService(
        records, stations, catalogue, status, gateways, clock, offload=boundary.run
    )
    payments = (
        SandboxPaymentProvider(
            settings.webhook_secret.encode(),
            clock,
            intents=guarded(SqlPaymentIntentStore(engine, clock), boundary),
        )
        if settings.payment_provider == "sandbox"
        else None
    )
    ledger_writer: PlanWriterAdapter = (
        SqlitePlanWriter(engine) if is_sqlite(engine) else PostgresPlanWriter(engine)
    )
    wallet = WalletService(
        SqlLedgerStore(engine),
        payments or NoPaymentProvider(),
        clock,
        writer=guarded(ledger_writer, boundary),
    )
    role = hub_credentials_role(settings)
    tokens = TokenService(
        SqlTokenStore(engine), clock, role.country_code, role.party_id
    )

    def on_opened(account_id: AccountId) -> None:
        wallet.open_wallet(account_id)
        tokens.issue_app_token(account_id)

    accounts = AccountService(
        SqlAccountRepository(engine),
        clock,
        on_opened,
        is_catalogue_model=lambda model_id: find_vehicle(model_id) is not None,
    )
    sign_in = SignInService(
        accounts,
        SqlSignInStore(engine),
        clock,
        PasswordHasher(p=settings.password_scrypt_p),
    )
    disputes = guarded(SqlDisputeStore(engine), boundary)
    tcec_remote = _tcec_remote(settings, gateways)
    charging = ChargingService(
        SqlSessionStore(engine),
        wallet,
        catalogue,
        partners,
        accounts,
        _remotes(settings, tcec_remote, http, clock, tokens, boundary),
        clock,
        discounts(settings),
        queries={
            # OCPI 2.2.1 has no GET of one session at the CPO (charging.silence)
            Protocol.TCEC: LoopSessionQuery(tcec_remote.query_charge_status, boundary)
        },
    )
    roads = _roads(settings)
    personal = _personal_data(
        engine, catalogue, accounts, charging, wallet, settings, clock, tokens
    )
    analytics, keeper, learner = _history(engine, settings, clock)
    availability = ParquetAvailabilityHistory(learner.path)
    reliability = ParquetPileReliability(learner.path.with_name(RELIABILITY_TABLE))
    return Services(
        settings=settings,
        engine=engine,
        clock=clock,
        stations=stations,
        catalogue=catalogue,
        status=status,
        bus=bus,
        partners=partners,
        partner_records=records,
        leases=SqlLeaseStore(engine),
        http=http,
        accounts=accounts,
        sign_in=sign_in,
        wallet=wallet,
        payments=payments,
        charging=charging,
        disputes=disputes,
        settlement=SettlementService(
            SqlSettlementRepository(engine),
            ProtocolPartnerRecords(
                partners.get_partner,
                OcpiCdrRecords(http),
                TcecOrderCheckRecords(SqlOrderCheckStore(engine)),
            ),
            clock,
            disputes,
        ),
        recommend=RecommendService(
            catalogue,
            roads,
            clock,
            discounts(settings),
            availability=availability,
            reliability=reliability,
        ),
        trips=TripPlanner(catalogue, clock, road=roads, availability=availability),
        personal=personal,
        analytics=analytics,
        history_keeper=keeper,
        availability_learner=learner,
        outlook=OutlookService(availability, clock, reliability=reliability),
        tokens=tokens,
        authorizations=_authorizations(settings, clock),
        pile_reports=PileReportService(
            SqlPileReportStore(engine),
            catalogue.find_station_of_pile,
            lambda account_id: personal.has_consented(account_id, PILE_REPORTS),
            clock,
        ),
        pile_requests=PileRequestService(
            SqlPileRequestStore(engine),
            {
                Protocol.OCPI: OcpiPileCommands(
                    http,
                    response_url_base=f"{_ocpi_config(settings).version_url}/commands",
                    token_for=token_for_account(
                        tokens, role.country_code, role.party_id
                    ),
                    offload=boundary.run,
                )
            },
            catalogue.find_station_of_pile,
            partners.get_partner,
            clock,
            offload=boundary.run,
        ),
        token_pusher=TokenPusher(
            http, records, tokens, role.country_code, role.party_id, clock
        ),
        ledger_writer=ledger_writer,
        boundary=boundary,
        partner_index=partner_index,
    )


def build_backfill(services: Services) -> Backfill:
    """The demo's backfill over ``services``: the hub's own use cases, with the
    partners of past charges played in process (ADR 0025)."""
    past = PastPartner()
    charging = ChargingService(
        SqlSessionStore(services.engine),
        services.wallet,
        services.catalogue,
        services.partners,
        services.accounts,
        dict.fromkeys(Protocol, past),
        services.clock,
        discounts(services.settings),
    )

    def piles() -> list[PilePlace]:
        return [
            PilePlace(
                PileSpec(PileId(p), st, city, kind_of(kw, swap), kw),
                OperatorId(op),
                lat,
                lon,
            )
            for p, st, op, city, lat, lon, kw, swap in services.stations.pile_rows()
        ]

    return Backfill(
        status=services.status,
        charging=charging,
        catalogue=services.catalogue,
        partners=services.partners,
        accounts=services.accounts,
        wallet=services.wallet,
        personal=services.personal,
        confirm_top_up=services.confirm_sandbox_top_up,
        piles=piles,
        clock=services.clock,
    )


def _history(
    engine: Engine, settings: Settings, clock: Clock
) -> tuple[NetworkAnalyticsService, StatusHistoryKeeper, AvailabilityLearner]:
    """The status history's archive (Parquet under the data directory), its
    keeper, the network reports that run on DuckDB over it (ADR 0024) and the
    job that learns the availability table from it (ADR 0039)."""
    history = SqlStatusHistory(engine)
    root = archive_root(settings.data_dir, history.archive_id())
    archive = ParquetStatusArchive(root)
    retention = Retention(settings.history_database_days, settings.history_archive_days)

    def areas() -> list[AreaPoint]:
        return [AreaPoint(a.id, a.lat, a.lon) for a in service_areas()]

    return (
        NetworkAnalyticsService(
            DuckDbNetworkEngine(engine, history, archive), clock, areas
        ),
        StatusHistoryKeeper(history, archive, clock, retention),
        AvailabilityLearner(engine, history, archive, root.parent / TABLE_NAME, clock),
    )


def _personal_data(
    engine: Engine,
    catalogue: CatalogueService,
    accounts: AccountService,
    charging: ChargingService,
    wallet: WalletService,
    settings: Settings,
    clock: Clock,
    tokens: TokenService,
) -> PersonalDataService:
    """Consent, usage, export and erasure over the hub's own stores; an
    erasure first unlinks and invalidates the driver's tokens."""

    def places(ids: Iterable[StationId]) -> Mapping[StationId, StationPlace]:
        found = (catalogue.find_station(i) for i in ids)
        return {s.id: StationPlace(s.id, s.name, s.lat, s.lon) for s in found if s}

    def wallet_lines(account_id: str) -> Sequence[LedgerLine]:
        lines: list[LedgerLine] = []
        before: int | None = None
        while True:
            page = wallet.history(account_id, 500, before)
            lines.extend(page.lines)
            if page.next_before is None:
                return lines
            before = page.next_before

    return PersonalDataService(
        SqlPersonalDataStore(engine),
        accounts,
        charging,
        wallet_lines,
        places,
        clock,
        settings.token_key.encode(),
        before_erase=tokens.erase,
        pile_reports=SqlPileReportStore(engine).reports_of,
    )


def _roads(settings: Settings) -> RoadDistance:
    """Road distance: great-circle times circuity, or an OSRM server if set."""
    if not settings.routing_url:
        return GreatCircleRoads()
    return OsrmRoadDistance(
        settings.routing_url,
        httpx.Client(timeout=settings.http_timeout_s),
        fallback=GreatCircleRoads(),
    )


def discounts(settings: Settings) -> list[DiscountRule]:
    """The reference campaign: brand owners get N % off in their first year."""
    if settings.discount_percent <= 0:
        return []
    return [brand_first_year(settings.discount_brand, settings.discount_percent)]


def _tcec_remote(
    settings: Settings, gateways: dict[Protocol, PartnerGateway]
) -> TcecRemoteCharging:
    tcec = gateways[Protocol.TCEC]
    if not isinstance(tcec, TcecPartnerGateway):  # pragma: no cover - wiring bug
        raise TypeError("the T/CEC gateway gives remote charging its clients")
    return TcecRemoteCharging(tcec.client, settings.tcec_operator_id)


def _remotes(
    settings: Settings,
    tcec: TcecRemoteCharging,
    http: Callable[[], httpx.AsyncClient],
    clock: Clock,
    tokens: TokenService,
    boundary: Boundary,
) -> dict[Protocol, RemoteCharging]:
    role = hub_credentials_role(settings)
    ocpi = OcpiRemoteCharging(
        http,
        response_url_base=f"{_ocpi_config(settings).version_url}/commands",
        country_code=role.country_code,
        party_id=role.party_id,
        clock=clock,
        token_for=token_for_account(tokens, role.country_code, role.party_id),
        offload=boundary.run,
    )
    return {
        Protocol.OCPI: LoopRemoteCharging(ocpi, boundary),
        Protocol.TCEC: LoopRemoteCharging(tcec, boundary),
    }


PARTNER_KEEPALIVE_S = 2.0


def _http_factory(settings: Settings) -> Callable[[], httpx.AsyncClient]:
    """A new client per partner call, all sharing one TLS context: building
    one (loading the CA store) costs tens of milliseconds of CPU, which a
    client of its own would pay on every remote start and stop."""
    tls = httpx.create_ssl_context()
    # Drop idle connections well before a partner's server does (uvicorn closes
    # them after 5 s, as httpx's own default expiry): reusing one the server is
    # closing at that moment fails with a ReadError mid-pull.
    limits = httpx.Limits(keepalive_expiry=PARTNER_KEEPALIVE_S)

    def make() -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=settings.http_timeout_s, verify=tls, limits=limits
        )

    return make


def hub_credentials_role(settings: Settings) -> CredentialsRole:
    """Who the hub is towards OCPI CPOs: an eMSP (party EVR, China)."""
    return CredentialsRole(
        role=Role.EMSP,
        business_details=BusinessDetails(
            name="evroam hub", website=settings.public_url
        ),
        party_id="EVR",
        country_code="CN",
    )


def _authorizations(settings: Settings, clock: Clock) -> AuthorizationReferences | None:
    key = settings.token_key.encode()
    return AuthorizationReferences(key, clock) if len(key) >= 16 else None


def _ocpi_config(settings: Settings) -> ServerConfig:
    return ServerConfig(
        public_url=settings.public_url.rstrip("/"),
        roles=(hub_credentials_role(settings),),
    )


def _gateways(
    settings: Settings,
    records: SqlPartnerRepository,
    partner_index: PartnerIndex,
    http: Callable[[], httpx.AsyncClient],
    clock: Clock,
) -> dict[Protocol, PartnerGateway]:
    return {
        Protocol.OCPI: OcpiPartnerGateway(
            http,
            PartnerTokenStore(records, partner_index),
            _ocpi_config(settings).versions_url,
            hub_credentials_role(settings),
            clock,
        ),
        Protocol.TCEC: TcecPartnerGateway(http, settings.tcec_operator_id, clock),
    }


def build_partner_routers(services: Services) -> list[APIRouter]:
    """The partner-facing protocol endpoints: OCPI under /ocpi, T/CEC under /evcs/v1."""
    settings = services.settings

    async def fetch_endpoints(
        versions_url: str, token: str
    ) -> tuple[str, tuple[Endpoint, ...]]:
        async with services.http() as http:
            return await OcpiClient(http).fetch_endpoints(versions_url, token)

    index = services.partner_index or PartnerIndex(services.partner_records)
    tokens = PartnerTokenStore(services.partner_records, index)
    clock = services.clock

    run = services.boundary.run

    async def on_event(partner_key: str, event: RemoteEvent) -> None:
        await run(services.charging.handle, OperatorId(partner_key), event)

    async def on_order(partner_key: str, record: ChargeRecord) -> bool:
        """False when the record is disputed (T/CEC ConfirmResult 1)."""
        session = await run(services.charging.handle, OperatorId(partner_key), record)
        return session is None or session.status is not SessionStatus.DISPUTED

    ocpi = build_emsp_router(
        config=_ocpi_config(settings),
        tokens=tokens,
        locations=HubLocationReceiver(services.partners, services.boundary.run),
        fetch_endpoints=fetch_endpoints,
        clock=clock,
        extra_modules=(
            (ModuleId.SESSIONS, InterfaceRole.RECEIVER),
            (ModuleId.CDRS, InterfaceRole.RECEIVER),
            (ModuleId.TOKENS, InterfaceRole.SENDER),
            (ModuleId.COMMANDS, InterfaceRole.SENDER),
        ),
    )
    role = hub_credentials_role(settings)
    token_source = HubTokenSource(
        services.tokens,
        role.country_code,
        role.party_id,
        offload=run,
        references=services.authorizations,
    )

    async def adopt(partner_key: str, ref: str, session: Session) -> None:
        await run(
            services.adopt_cpo_session,
            OperatorId(partner_key),
            ref,
            session.cdr_token.uid,
            session.location_id,
            session.evse_uid,
            session.id,
            session.start_date_time,
        )

    lookup = SqlSessionLookup(services.engine)

    async def find_ref(partner_key: str, partner_session_id: str) -> str | None:
        return lookup.find_ref(partner_key, partner_session_id)

    ocpi_charging = [
        build_tokens_sender_router(tokens=tokens, source=token_source, clock=clock),
        build_command_result_router(
            tokens=tokens, on_result=command_results(services, on_event), clock=clock
        ),
        build_sessions_receiver_router(
            tokens=tokens,
            on_session=session_sink(on_event, adopt),
            find_ref=find_ref,
            clock=clock,
        ),
        build_cdrs_receiver_router(
            tokens=tokens,
            on_cdr=cdr_sink(on_event, lookup),
            find_ref=find_ref,
            clock=clock,
            public_url=settings.public_url,
        ),
    ]
    peers = PartnerPeers(index)

    async def on_check(partner_key: str, check: OrderCheck) -> list[OrderDispute]:
        return await run(services.answer_order_check, OperatorId(partner_key), check)

    handlers = {
        **build_hub_handlers(peers, services.partners, clock),
        **build_charging_handlers(
            TcecChargingReceiver(
                on_start_result=on_event,
                on_status=on_event,
                on_stop_result=on_event,
                on_order=on_order,
                on_check=on_check,
                clock=clock,
                hub_operator_id=settings.tcec_operator_id,
                partner_for=lambda op: p.id if (p := peers.partner_for(op)) else None,
            )
        ),
    }
    tcec = TcecEndpoint(
        peers,
        TCEC_TOKEN_TTL_S,
        clock,
        handlers,
        grants=SignedGrantStore(settings.token_key.encode()),
        replays=_replay_guard(services),
    )
    return [ocpi, *ocpi_charging, build_router(tcec, prefix="/evcs/v1")]


FirstTime = Callable[[tuple[str, str, str], datetime, datetime], bool]


class OffLoopReplayGuard:
    """A shared replay guard (Redis or the database) asked through the async
    boundary, so its round trip never blocks the loop (ADR 0029)."""

    def __init__(self, first_time: FirstTime, boundary: Boundary) -> None:
        self._first_time = first_time
        self._boundary = boundary

    async def first_time(
        self, key: tuple[str, str, str], keep_until: datetime, now: datetime
    ) -> bool:
        return await self._boundary.run(self._first_time, key, keep_until, now)


def command_results(
    services: Services, on_event: Callable[[str, RemoteEvent], Awaitable[None]]
) -> CommandResultSink:
    """CommandResults at our response URLs: pile commands go to pile requests,
    START/STOP_SESSION to charging."""
    charging = command_result_sink(on_event)

    async def on_result(
        partner_key: str, command: str, ref: str, result: CommandResult
    ) -> None:
        if command not in PILE_COMMANDS:
            await charging(partner_key, command, ref, result)
            return
        outcome, reason = outcome_of(result)
        if not services.pile_requests.on_result(
            OperatorId(partner_key), ref, outcome, reason
        ):
            raise InvalidParametersError(f"no {command} request {ref} of yours")

    return on_result


def _replay_guard(services: Services) -> ReplayGuard:
    """Redis when configured, else the database: never this process's memory,
    so no envelope is accepted twice across workers or restarts."""
    settings = services.settings
    if settings.bus_url:
        from evroam.messaging.redis_replay import RedisReplayGuard

        redis_guard = RedisReplayGuard(settings.bus_url, settings.bus_namespace)
        return OffLoopReplayGuard(redis_guard.first_time, services.boundary)
    sql_guard = SqlReplayGuard(services.engine)
    return OffLoopReplayGuard(sql_guard.first_time, services.boundary)


def _build_bus(settings: Settings) -> EventBus:
    if settings.bus_url:
        from evroam.messaging.redis_streams import RedisStreamsEventBus, stream_name

        return RedisStreamsEventBus(
            settings.bus_url, stream_name(settings.bus_namespace)
        )
    return InProcessEventBus()
