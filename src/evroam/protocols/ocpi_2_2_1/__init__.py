"""OCPI 2.2.1 wire library: spec models, client and server building blocks.

The spec's objects keep the spec's names in ``models``, ``datatypes``, ``enums``,
``commands`` and ``sessions``; this package hands on the entry points. Routers take
callbacks typed with wire objects only.
"""

from evroam.protocols.ocpi_2_2_1.client import (
    OcpiClient,
    Page,
    Registration,
    ocpi_call,
)
from evroam.protocols.ocpi_2_2_1.commands import (
    CommandReceiver,
    CommandResultSink,
    build_command_result_router,
    build_cpo_commands_router,
)
from evroam.protocols.ocpi_2_2_1.endpoint import (
    CpoDataSource,
    LocationReceiver,
    build_cpo_router,
    build_emsp_router,
)
from evroam.protocols.ocpi_2_2_1.enums import VERSION
from evroam.protocols.ocpi_2_2_1.errors import OcpiError
from evroam.protocols.ocpi_2_2_1.server import ServerConfig
from evroam.protocols.ocpi_2_2_1.sessions import (
    CdrSink,
    CdrSource,
    RefFinder,
    SessionSink,
    build_cdrs_receiver_router,
    build_cpo_cdrs_router,
    build_sessions_receiver_router,
)
from evroam.protocols.ocpi_2_2_1.tokens import InMemoryTokenStore, Peer, TokenStore

__all__ = [
    "VERSION",
    "CdrSink",
    "CdrSource",
    "CommandReceiver",
    "CommandResultSink",
    "CpoDataSource",
    "InMemoryTokenStore",
    "LocationReceiver",
    "OcpiClient",
    "OcpiError",
    "Page",
    "Peer",
    "RefFinder",
    "Registration",
    "ServerConfig",
    "SessionSink",
    "TokenStore",
    "build_cdrs_receiver_router",
    "build_command_result_router",
    "build_cpo_cdrs_router",
    "build_cpo_commands_router",
    "build_cpo_router",
    "build_emsp_router",
    "build_sessions_receiver_router",
    "ocpi_call",
]
