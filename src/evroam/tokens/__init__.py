"""Driver tokens: what partners authorize drivers by (OCPI Tokens, eMSP side).

The app token of every account and the RFID cards drivers register.
"""

from evroam.tokens.errors import (
    CardTakenError,
    InvalidCardError,
    TokenError,
    TokenNotFoundError,
)
from evroam.tokens.model import Decision, DriverToken, TokenKind, TokenState
from evroam.tokens.ports import TokenStore
from evroam.tokens.service import TokenService

__all__ = [
    "CardTakenError",
    "Decision",
    "DriverToken",
    "InvalidCardError",
    "TokenError",
    "TokenKind",
    "TokenNotFoundError",
    "TokenService",
    "TokenState",
    "TokenStore",
]
