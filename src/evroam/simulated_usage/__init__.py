"""Simulated use of the network: drivers, past occupancy, the demo's backfill."""

from evroam.simulated_usage.backfill import Backfill, BackfillReport, PilePlace
from evroam.simulated_usage.occupancy import PileKind, PileSpec, kind_of
from evroam.simulated_usage.partner import PastPartner

__all__ = [
    "Backfill",
    "BackfillReport",
    "PastPartner",
    "PileKind",
    "PilePlace",
    "PileSpec",
    "kind_of",
]
