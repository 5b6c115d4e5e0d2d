from collections.abc import AsyncIterator

import httpx
import pytest

from tests.adapters.ocpi.fakes import HostRouter, Network, build_network


@pytest.fixture
async def network() -> AsyncIterator[Network]:
    router = HostRouter()
    async with httpx.AsyncClient(transport=router) as http:
        yield build_network(http, router)
