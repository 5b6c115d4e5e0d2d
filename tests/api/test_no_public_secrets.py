"""A hub started the README way has no public secrets and takes no sandbox money."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from evroam.api.app import create_app
from evroam.bootstrap import Services, build_services
from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.config import Settings
from evroam.hub_secrets import PUBLIC_VALUES, ensure_secrets
from evroam.partners.model import Partner
from evroam.protocols.tcec_102.endpoint import SignedGrantStore
from evroam.protocols.tcec_102.envelope import TcecSecrets, seal_request
from evroam.protocols.tcec_102.timestamp import format_timestamp
from evroam.shared.ids import OperatorId
from evroam.simulator.credentials import default_tcec_credentials
from evroam.storage.database import DatabaseAccess

OLD_ADMIN_TOKEN = "evroam-admin-dev-token"
OLD_TOKEN_KEY = b"evroam-development-key-change-me"
PARTNER = default_tcec_credentials(OperatorProfile.SWAP)


@pytest.fixture
def readme_hub(tmp_path: Path) -> Services:
    """``evroam db upgrade --init`` then ``evroam serve``: secrets from the file
    made on first start, no payment provider configured."""
    ensure_secrets(tmp_path / "var")
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=f"sqlite:///{tmp_path / 'hub.db'}",
        maintenance_interval_s=0,
        payment_provider=None,
    )
    settings.check_secrets()
    services = build_services(settings, access=DatabaseAccess.UPGRADE)
    services.partner_records.save(
        Partner(
            id=OperatorId("swapway"),
            name="SwapWay",
            protocol=Protocol.TCEC,
            profile=OperatorProfile.SWAP,
            url="http://swapway.test/evcs/v1",
            credentials={
                "operator_id": PARTNER.partner_operator_id,
                "operator_secret": PARTNER.operator_secret,
                "data_secret": PARTNER.data_secret,
                "data_secret_iv": PARTNER.data_secret_iv,
                "sig_secret": PARTNER.sig_secret,
                "fee_spelling": "Sevice",
            },
        )
    )
    return services


@pytest.fixture
async def client(readme_hub: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(readme_hub.settings, readme_hub)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        yield http
    readme_hub.close()


async def tcec_push_with(client: httpx.AsyncClient, key: bytes, seq: str) -> int:
    """A station-status push signed by the partner, its bearer minted with ``key``."""
    now = datetime.now(UTC)
    token = SignedGrantStore(key).issue(
        PARTNER.partner_operator_id, now + timedelta(hours=1), now
    )
    secrets = TcecSecrets(
        PARTNER.data_secret.encode(),
        PARTNER.data_secret_iv.encode(),
        PARTNER.sig_secret.encode(),
    )
    envelope = seal_request(
        secrets,
        PARTNER.partner_operator_id,
        {"ConnectorStatusInfo": {"ConnectorID": "nope", "Status": 1}},
        format_timestamp(now),
        seq,
    )
    reply = await client.post(
        "/evcs/v1/notification_stationStatus",
        json=envelope,
        headers={"Authorization": f"Bearer {token}"},
    )
    ret: int = reply.json()["Ret"]
    return ret


class TestTheHubsSecrets:
    def test_none_is_a_previously_published_default(self, readme_hub):
        s = readme_hub.settings
        values = {s.admin_token, s.token_key, s.webhook_secret, s.data_key}
        assert not values & PUBLIC_VALUES
        assert "" not in values

    async def test_the_old_public_admin_token_is_refused(self, client, readme_hub):
        old = await client.get(
            "/api/v1/admin/partners",
            headers={"Authorization": f"Bearer {OLD_ADMIN_TOKEN}"},
        )
        assert old.status_code == 401
        own = await client.get(
            "/api/v1/admin/partners",
            headers={"Authorization": f"Bearer {readme_hub.settings.admin_token}"},
        )
        assert own.status_code == 200

    async def test_a_tcec_token_minted_with_the_old_public_key_is_refused(
        self, client, readme_hub
    ):
        assert await tcec_push_with(client, OLD_TOKEN_KEY, "0001") == 4002
        own_key = readme_hub.settings.token_key.encode()
        assert await tcec_push_with(client, own_key, "0002") != 4002


class TestAHubWithoutAPaymentProvider:
    async def test_cannot_credit_a_wallet_through_the_sandbox(self, client):
        account = await client.post("/api/v1/accounts", json={"name": "Li Wei"})
        me = {"Authorization": f"Bearer {account.json()['token']}"}
        top_up = await client.post(
            "/api/v1/wallet/top-ups",
            json={"amount": "9999999.99"},
            headers={**me, "Idempotency-Key": "top-up-once-please"},
        )
        assert top_up.status_code == 503
        assert top_up.headers["content-type"].startswith("application/problem+json")
        assert "no payment provider configured" in top_up.json()["detail"]
        confirm = await client.post(
            "/api/v1/wallet/top-ups/sandbox/pi_anything/confirm", headers=me
        )
        assert confirm.status_code == 404
        wallet = await client.get("/api/v1/wallet", headers=me)
        assert wallet.json()["available"] == "0.00"
