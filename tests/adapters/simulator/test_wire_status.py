"""The operator's own status words read back, by the hub, as the status it meant."""

from __future__ import annotations

import typing

import pytest

from evroam.catalogue.model import PileStatus
from evroam.gateways.ocpi.mapping import pile_status_from_evse_status
from evroam.gateways.tcec.mapping import pile_status_from_code
from evroam.simulator.control import StatusName
from evroam.simulator.wire_status import ocpi_status, tcec_code


@pytest.mark.parametrize("status", list(PileStatus))
def test_the_hub_reads_every_ocpi_status_back_as_sent(status):
    assert pile_status_from_evse_status(ocpi_status(status)) is status


@pytest.mark.parametrize(
    "status", [s for s in PileStatus if s is not PileStatus.UNKNOWN]
)
def test_the_hub_reads_every_t_cec_code_back_as_sent(status):
    assert pile_status_from_code(tcec_code(status)) is status


def test_an_unknown_status_goes_out_on_t_cec_as_offline():
    assert tcec_code(PileStatus.UNKNOWN) == 0


def test_the_control_api_can_force_every_pile_status():
    forced = set(typing.get_args(StatusName))
    assert forced == {status.value for status in PileStatus}
