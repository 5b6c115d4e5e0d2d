"""The hub over T/CEC 102: domain mapping, partner gateway, remote charging."""

from evroam.gateways.tcec.charging import TcecChargingReceiver, TcecRemoteCharging
from evroam.gateways.tcec.hub import (
    PartnerPeers,
    TcecPartnerGateway,
    build_hub_handlers,
)
from evroam.gateways.tcec.mapping import (
    code_from_pile_status,
    connector_status_info_from_pile,
    policy_infos_from_tariff,
    station_info_from_station,
    station_status_info_from_station,
)
from evroam.gateways.tcec.park_fee import format_park_fee, parse_park_fee

__all__ = [
    "PartnerPeers",
    "TcecChargingReceiver",
    "TcecPartnerGateway",
    "TcecRemoteCharging",
    "build_hub_handlers",
    "code_from_pile_status",
    "connector_status_info_from_pile",
    "format_park_fee",
    "parse_park_fee",
    "policy_infos_from_tariff",
    "station_info_from_station",
    "station_status_info_from_station",
]
