"""Account use-cases: open an account, authenticate a token, register vehicles."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Sequence

from evroam.accounts.errors import (
    AccountNotFoundError,
    AuthenticationError,
    InvalidVehicleError,
    VehicleNotFoundError,
    VinTakenError,
)
from evroam.accounts.model import Account, NewAccount, Vehicle, VinTransfer
from evroam.accounts.ports import AccountRepository
from evroam.shared.clock import Clock
from evroam.shared.errors import InvalidInputError
from evroam.shared.ids import AccountId


def token_hash(token: str) -> str:
    """Tokens are kept as SHA-256: a leaked table gives no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


class AccountService:
    def __init__(
        self,
        accounts: AccountRepository,
        clock: Clock,
        on_opened: Callable[[AccountId], object] | None = None,
        is_catalogue_model: Callable[[str], bool] = lambda _id: True,
    ) -> None:
        self._accounts = accounts
        self._clock = clock
        # Other contexts set up what every account has (the wallet) here.
        self._on_opened = on_opened
        # Whether the vehicle catalogue holds a model id (recommend's, by id).
        self._is_catalogue_model = is_catalogue_model

    def open_account(self, name: str) -> NewAccount:
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise InvalidInputError("name", "must be 1 to 100 characters")
        account = Account(
            AccountId(f"acc_{uuid.uuid4().hex[:16]}"), name, self._clock.now()
        )
        token = f"evr_{secrets.token_urlsafe(32)}"
        self._accounts.add(account, token_hash(token))
        if self._on_opened is not None:
            self._on_opened(account.id)
        return NewAccount(account, token)

    def authenticate(self, token: str | None) -> Account:
        if not token:
            raise AuthenticationError("a bearer token is required")
        account = self._accounts.find_by_token_hash(token_hash(token))
        if account is None:
            raise AuthenticationError("unknown or revoked token")
        return account

    def get_account(self, account_id: AccountId) -> Account:
        account = self._accounts.find(account_id)
        if account is None:
            raise AccountNotFoundError(account_id)
        return account

    def register_vehicle(self, account_id: AccountId, vehicle: Vehicle) -> Vehicle:
        self.get_account(account_id)
        if vehicle.catalogue_id is not None and not self._is_catalogue_model(
            vehicle.catalogue_id
        ):
            raise InvalidVehicleError("catalogue_id", "no such model in the catalogue")
        if self._accounts.add_vehicle(account_id, vehicle) != account_id:
            raise VinTakenError(vehicle.vin)
        return vehicle

    def list_vehicles(self, account_id: AccountId) -> Sequence[Vehicle]:
        return self._accounts.vehicles(account_id)

    def transfer_vehicle(
        self, vin: str, to_account: AccountId, performed_by: str, reason: str
    ) -> VinTransfer:
        """The operator moves a registered vehicle (and its brand discount) to
        another account, after checking the papers: audited with who did it,
        when and why. Drivers cannot: registering a held VIN is ``VinTakenError``."""
        performed_by, reason = performed_by.strip(), reason.strip()
        if not 1 <= len(performed_by) <= 100:
            raise InvalidInputError("performed_by", "must be 1 to 100 characters")
        if not 1 <= len(reason) <= 500:
            raise InvalidInputError("reason", "must be 1 to 500 characters")
        self.get_account(to_account)
        for _ in range(3):  # the holder may change under us: read it again
            holder = self._accounts.find_vehicle_holder(vin)
            if holder is None:
                raise VehicleNotFoundError(vin)
            if holder == to_account:
                raise InvalidInputError("to_account", f"already holds {vin}")
            transfer = VinTransfer(
                f"vt_{uuid.uuid4().hex[:16]}",
                vin,
                holder,
                to_account,
                performed_by,
                reason,
                self._clock.now(),
            )
            if self._accounts.transfer_vehicle(transfer):
                return transfer
        raise InvalidInputError("vin", f"{vin} is changing hands; try again")

    def list_vehicle_transfers(self, vin: str) -> Sequence[VinTransfer]:
        return self._accounts.vehicle_transfers(vin)
