"""Wallet errors.

EvroamError
├── WalletError                   base of every wallet error
│   ├── InsufficientFunds         the wallet's available balance cannot pay
│   ├── IdempotencyConflict       a key was reused for a different request (409)
│   ├── HoldAlreadyResolvedError  a hold was settled or released before (409)
│   ├── RefundExceedsChargeError  refunds would exceed what the driver paid
│   ├── PaymentMismatchError      a provider event disagrees with our top-up
│   ├── LedgerContentionError     a transient lock conflict; the call is retried
│   ├── WebhookSignatureError     a webhook's signature or timestamp is wrong
│   └── NoPaymentProviderError    the hub has no payment provider configured
├── NotFoundError
│   ├── WalletNotFoundError
│   ├── HoldNotFoundError
│   └── TopUpNotFoundError
└── InvalidInputError
    └── UnbalancedTransferError   postings that do not sum to zero
"""

from evroam.shared.errors import EvroamError, InvalidInputError, NotFoundError


class WalletError(EvroamError):
    """Base of every wallet error."""


class InsufficientFunds(WalletError):  # noqa: N818 - the domain's own word
    def __init__(self, account_id: str, needed_fen: int) -> None:
        super().__init__(f"wallet {account_id!r} cannot pay {needed_fen} fen")
        self.account_id = account_id
        self.needed_fen = needed_fen


class IdempotencyConflict(WalletError):  # noqa: N818 - named by the brief and API
    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was used for a different request")
        self.key = key


class HoldAlreadyResolvedError(WalletError):
    def __init__(self, hold_id: str, state: str) -> None:
        super().__init__(f"hold {hold_id!r} is already {state}")
        self.hold_id = hold_id
        self.state = state


class RefundExceedsChargeError(WalletError):
    def __init__(self, hold_id: str, refundable_fen: int) -> None:
        super().__init__(f"hold {hold_id!r} has only {refundable_fen} fen refundable")
        self.hold_id = hold_id
        self.refundable_fen = refundable_fen


class PaymentMismatchError(WalletError):
    """A confirmed payment names an amount or account other than our top-up's."""


class LedgerContentionError(WalletError):
    """A deadlock or lock timeout; the whole unit of work may be retried."""


class WebhookSignatureError(WalletError):
    """A webhook whose signature, format or timestamp does not verify."""


class WalletNotFoundError(WalletError, NotFoundError):
    def __init__(self, account_id: str) -> None:
        super().__init__(f"no wallet for account {account_id!r}")
        self.account_id = account_id


class HoldNotFoundError(WalletError, NotFoundError):
    def __init__(self, hold_id: str) -> None:
        super().__init__(f"no hold with id {hold_id!r}")
        self.hold_id = hold_id


class TopUpNotFoundError(WalletError, NotFoundError):
    def __init__(self, intent_id: str) -> None:
        super().__init__(f"no top-up for payment intent {intent_id!r}")
        self.intent_id = intent_id


class UnbalancedTransferError(WalletError, InvalidInputError):
    def __init__(self, message: str) -> None:
        super().__init__("postings", message)


class NoPaymentProviderError(WalletError):
    """The hub takes no payments: no provider is configured (503)."""

    def __init__(self) -> None:
        super().__init__(
            "no payment provider configured: top-ups are off on this hub "
            "(EVROAM_PAYMENT_PROVIDER)"
        )
