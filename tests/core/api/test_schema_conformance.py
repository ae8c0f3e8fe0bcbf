"""Property-based API checks with schemathesis: generated requests to every operation in /api/schema/.

Requests go in-process through the WSGI application (no network), as a consortium lead with a token
and one complete draft proposal to find. Checked: no server error, and every response matches the
content type and body schema the OpenAPI document declares for its status. Business refusals
(400/404/409) are expected answers to random input, so "positive data acceptance" is not checked.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from accounts.tokens import token_issue

pytestmark = pytest.mark.django_db


CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes the DB connection after each request (as Django's test Client avoids
    doing); that would end the test's transaction, so detach it for the duration, as the Client does."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def test_every_api_operation_conforms_to_its_schema(complete_proposal, lead, keep_test_connection):
    # schemathesis' pytest plugin does not run under pytest 9 yet ('Function' has no '_nodeid'),
    # so each operation's hypothesis strategy is driven here directly.
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def conforms(case):
            # A token per case: a generated call to /api/auth/tokens/rotate/ or a revocation ends the
            # token it was made with, and must not leave every later operation answering 401.
            headers = {"Authorization": f"Token {token_issue(user=lead)[1]}"}
            case.call_and_validate(headers=headers, checks=CHECKS)

        conforms()
