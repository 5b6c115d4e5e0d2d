"""Shared test plumbing: recorded fixtures and a JSON trip like the real wire."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evroam.protocols.tcec_102.envelope import decode_body, encode_body
from evroam.protocols.tcec_102.models import Wire
from evroam.protocols.tcec_102.profiles import SpellingProfile

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    """A recorded body, read as our decoder reads decrypted Data."""
    return decode_body((FIXTURES / name).read_bytes())


def over_the_wire(
    model: Wire, spelling: SpellingProfile = SpellingProfile.STANDARD
) -> dict[str, Any]:
    """The body a peer would decode after we send ``model``."""
    return decode_body(encode_body(model.to_wire(spelling)).encode())
