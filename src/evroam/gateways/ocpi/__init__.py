"""The hub over OCPI 2.2.1: domain mapping, partner gateway, remote charging."""

from evroam.gateways.ocpi.commands import OcpiRemoteCharging, command_result_sink
from evroam.gateways.ocpi.hub import (
    HubLocationReceiver,
    OcpiPartnerGateway,
    PartnerTokenStore,
    peer_from_partner,
)
from evroam.gateways.ocpi.mapping import (
    evse_status_from_pile_status,
    location_from_station,
    ocpi_tariff_from_tariff,
)
from evroam.gateways.ocpi.pricing_mapping import (
    element_tariff_from_ocpi,
    metered_periods_from_ocpi,
)
from evroam.gateways.ocpi.sessions import (
    cdr_sink,
    charge_record_from_cdr,
    session_sink,
)

__all__ = [
    "HubLocationReceiver",
    "OcpiPartnerGateway",
    "OcpiRemoteCharging",
    "PartnerTokenStore",
    "cdr_sink",
    "charge_record_from_cdr",
    "command_result_sink",
    "element_tariff_from_ocpi",
    "evse_status_from_pile_status",
    "location_from_station",
    "metered_periods_from_ocpi",
    "ocpi_tariff_from_tariff",
    "peer_from_partner",
    "session_sink",
]
