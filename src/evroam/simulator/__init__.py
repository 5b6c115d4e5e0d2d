"""Partner simulators: real protocol servers over generated networks (demo, tests).

A simulated partner is meant to import only ``evroam.protocols``, ``evroam.shared``
and ``evroam.scenario``; the imports of the hub it still has are listed in
``pyproject.toml`` (ADR 0014) until issue 11 removes them.
"""

from evroam.simulator.credentials import (
    TcecPartnerCredentials,
    default_ocpi_token_a,
    default_tcec_credentials,
)
from evroam.simulator.partner import PartnerProtocol, build_partner_simulator
from evroam.simulator.runner import SimulationSettings
from evroam.simulator.sessions import SessionSettings, SessionSimulator

__all__ = [
    "PartnerProtocol",
    "SessionSettings",
    "SessionSimulator",
    "SimulationSettings",
    "TcecPartnerCredentials",
    "build_partner_simulator",
    "default_ocpi_token_a",
    "default_tcec_credentials",
]
