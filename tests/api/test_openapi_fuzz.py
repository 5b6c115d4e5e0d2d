"""Schemathesis: every documented operation answers per its schema, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from evroam.api.app import create_app
from evroam.bootstrap import build_services
from evroam.config import Settings
from evroam.storage.database import DatabaseAccess
from tests.api.conftest import NOW, seed
from tests.fakes import FixedClock


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    db = Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.db"
    services = build_services(
        Settings(database_url=f"sqlite:///{db}", payment_provider="sandbox"),
        FixedClock(NOW),
        access=DatabaseAccess.UPGRADE,
    )
    seed(services)
    app = create_app(services.settings, services)
    # The SSE stream never ends by design; it has its own end-to-end test.
    yield schemathesis.openapi.from_asgi("/openapi.json", app).exclude(
        path="/api/v1/events"
    )
    services.close()


def test_every_operation_conforms_to_its_schema(api_schema):
    # Driven through the strategies rather than schemathesis' pytest plugin,
    # which does not load under pytest 9.
    checked = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def conforms(case):
            # lat+lon *or* bbox is a cross-field rule OpenAPI cannot state, so a
            # schema-valid request may rightly get a 422 problem.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        conforms()
        checked.append(operation.label)
    assert len(checked) >= 5, checked
