"""Build one partner simulator from a profile and a protocol (what the CLI runs)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from fastapi import FastAPI

from evroam.shared.geo import BoundingBox
from evroam.simulator.credentials import (
    TcecPartnerCredentials,
    default_ocpi_token_a,
    default_tcec_credentials,
)
from evroam.simulator.network import SimulatedNetwork
from evroam.simulator.ocpi_app import (
    OcpiSimulatorConfig,
    build_ocpi_simulator,
)
from evroam.simulator.runner import SimulationSettings
from evroam.simulator.tcec_app import (
    TcecSimulatorConfig,
    build_tcec_simulator,
)


class PartnerProtocol(enum.StrEnum):
    """The protocols a simulator can speak."""

    OCPI = "ocpi"
    TCEC = "tcec"


@dataclass(frozen=True, slots=True)
class PartnerSimulator:
    """A built simulator and the one line that says what it serves."""

    app: FastAPI
    summary: str


def build_partner_simulator(
    profile: str,
    protocol: PartnerProtocol,
    *,
    public_url: str,
    hub_url: str,
    settings: SimulationSettings,
    token_a: str | None = None,
    tcec_credentials: TcecPartnerCredentials | None = None,
    area: BoundingBox | None = None,
) -> PartnerSimulator:
    """The reference-scenario network of ``profile`` (``swap``, ``fast`` or
    ``community``; its stations (its stations inside ``area``
    only, when given) served in ``protocol``; the demo defaults (TOKEN_A, T/CEC
    secrets) fill whatever is not given."""
    network = SimulatedNetwork.for_profile(profile, protocol, settings.seed, area)
    what = (
        f"{network.operator.id} ({profile}): {network.station_count:,} stations,"
        f" {network.pile_count:,} piles"
    )
    if protocol is PartnerProtocol.OCPI:
        ocpi = OcpiSimulatorConfig(
            public_url=public_url,
            token_a=token_a or default_ocpi_token_a(profile),
            simulation=settings,
        )
        app = build_ocpi_simulator(network, ocpi)
        summary = (
            f"{what} over OCPI 2.2.1; versions {ocpi.versions_url}"
            f" TOKEN_A {ocpi.token_a}; pushes to the hub once it registers"
        )
        return PartnerSimulator(app, summary)
    creds = tcec_credentials or default_tcec_credentials(profile)
    tcec = TcecSimulatorConfig(credentials=creds, hub_url=hub_url, simulation=settings)
    app = build_tcec_simulator(network, tcec)
    summary = (
        f"{what} over T/CEC 102 at {public_url.rstrip('/')}/evcs/v1 as"
        f" {creds.partner_operator_id} (hub {creds.hub_operator_id});"
        f" pushes to {hub_url.rstrip('/')}/evcs/v1"
    )
    return PartnerSimulator(app, summary)
