"""T/CEC 102 (2016) wire library: models, envelope crypto, client and endpoint.

Wire models keep the standard's names in ``models`` and ``charging_models``;
``profiles`` holds the vendor spelling profiles a partner may be set to. This
package hands on the entry points; handlers take receivers typed with wire
objects only.
"""

from evroam.protocols.tcec_102.charging import (
    ChargeNotificationReceiver,
    build_charging_handlers,
)
from evroam.protocols.tcec_102.client import SeqCounter, TcecClient
from evroam.protocols.tcec_102.endpoint import (
    Handler,
    PeerConfig,
    TcecEndpoint,
    build_router,
)
from evroam.protocols.tcec_102.envelope import TcecSecrets
from evroam.protocols.tcec_102.errors import TcecError
from evroam.protocols.tcec_102.models import Wire, parse_body
from evroam.protocols.tcec_102.profiles import SpellingProfile

__all__ = [
    "ChargeNotificationReceiver",
    "Handler",
    "PeerConfig",
    "SeqCounter",
    "SpellingProfile",
    "TcecClient",
    "TcecEndpoint",
    "TcecError",
    "TcecSecrets",
    "Wire",
    "build_charging_handlers",
    "build_router",
    "parse_body",
]
