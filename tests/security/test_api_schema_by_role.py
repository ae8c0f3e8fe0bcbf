"""Schemathesis against /api/schema/ for each role, with every response check, deterministically.

Each role calls every operation with generated input, valid and invalid (schemathesis' positive and
negative modes), through the WSGI application in-process, with a token as a client would hold one:
the consortium lead's, and the Commerce reviewer's and EXIM officer's issued under their enrolled
authenticator. Path ids point at real objects the role may see (a proposal in review, its gate, its
deal), so the calls reach the views' logic, not only their 404s.

Checked on every answer: no server error; the status is one the schema documents for the operation;
content type, headers and body match the schema for that status (nulls included); invalid input is
refused with a 4xx; a required header left out is refused; a call without the token is refused; a
method the path does not have is refused with 405 and the Allow header. Not checked: "positive data
acceptance" (schema-valid input is still refused by business rules: a proposal already submitted, a
gate already decided), and the stateful checks (use after free, resource availability), which need
schemathesis' stateful runner rather than single calls.

Hypothesis is derandomized (same cases every run) with a few examples per operation and mode, so the
three roles take a few hundred calls in all.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from accounts.tokens import token_issue
from proposals.core.enums import DealStage, EximProduct
from proposals.exim.models import Deal
from proposals.intake.services.transitions import proposal_transition
from tests.factories import TEST_PASSWORD
from tests.twofactor import totp_now

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    missing_required_header,
    ignored_auth,
    unsupported_method,
]
EXAMPLES = 1  # per operation and generation mode


@contextmanager
def keep_test_connection() -> Iterator[None]:
    """The WSGI handler closes the DB connection after each request (as Django's test Client avoids
    doing); that would end the test's transaction, so detach it for the duration, as the Client does.
    (A test Client request connects it again when it ends: use this after any such request.)"""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def in_review(complete_proposal, lead):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    proposal_transition(proposal_id=complete_proposal.pk, action="accept_for_review", actor=None, reason="ok")
    complete_proposal.refresh_from_db()
    return complete_proposal


def _agency_key(api_client, user) -> None:
    """Enrol the user's authenticator and sign in at the token endpoint with its code, as a client does."""
    device = TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    response = api_client.post(
        "/api/auth/token/",
        {"username": user.username, "password": TEST_PASSWORD, "otp_token": totp_now(device)},
        format="json",
    )
    assert response.status_code == 200, response.content


def _run_operation(operation: Any, user: Any, path_parameters: dict[str, int], failures: list[str]) -> int:
    names = {p.name for p in operation.path_parameters}
    known = {name: value for name, value in path_parameters.items() if name in names}
    calls = 0
    negatable = any(len(part) for part in (operation.path_parameters, operation.query, operation.body))
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if negatable else (GenerationMode.POSITIVE,)
    for mode in modes:
        # Invalid cases keep their generated ids: with the ids fixed, most could not be made invalid.
        fixed = known if mode == GenerationMode.POSITIVE and known else None

        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case: Any) -> None:
            nonlocal calls
            # A token per case: a generated call to rotate or revoke tokens ends the one it used.
            headers = {"Authorization": f"Token {token_issue(user=user)[1]}"}
            calls += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            conforms()
        except Unsatisfiable:
            # Nothing of this operation can be made invalid (no parameters, no body).
            assert mode == GenerationMode.NEGATIVE, operation.label
        except (AssertionError, FailureGroup) as failure:
            failures.append(f"{operation.label} ({mode.value}): {str(failure)[:1500]}")
    return calls


def _run_every_operation(user: Any, path_parameters: dict[str, int]) -> tuple[int, list[str]]:
    """Every operation in both modes: the number of calls, and each failing operation's report."""
    failures: list[str] = []
    with keep_test_connection():
        schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 40
        calls = sum(_run_operation(op, user, path_parameters, failures) for op in operations)
    print(f"{calls} calls", "\n\n".join(failures))  # shown by pytest when the test fails
    return calls, failures


def test_api_conforms_to_its_schema_for_the_consortium_lead(in_review, lead):
    calls, failures = _run_every_operation(
        lead, {"proposal_id": in_review.pk, "id": in_review.pk, "number": 1}
    )
    assert failures == []
    assert calls >= 100


def test_api_conforms_to_its_schema_for_a_commerce_reviewer(in_review, commerce_reviewer, api_client):
    _agency_key(api_client, commerce_reviewer)
    calls, failures = _run_every_operation(
        commerce_reviewer, {"proposal_id": in_review.pk, "id": in_review.pk}
    )
    assert failures == []
    assert calls >= 100


def test_api_conforms_to_its_schema_for_an_exim_officer(in_review, exim_officer, api_client):
    _agency_key(api_client, exim_officer)
    deal = Deal.objects.create(
        proposal=in_review,
        stage=DealStage.DUE_DILIGENCE,
        amount=Decimal("68000000"),
        product=EximProduct.DIRECT_LOAN,
        destination_id="AE",
    )
    calls, failures = _run_every_operation(exim_officer, {"proposal_id": in_review.pk, "id": deal.pk})
    assert failures == []
    assert calls >= 100
