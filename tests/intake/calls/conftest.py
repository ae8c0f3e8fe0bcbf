"""Calls tests: program staff and consortium users, signed in to the web and the API."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Agency
from tests.factories import UserFactory
from tests.fixtures.media import _media_in_tmp  # noqa: F401 (autouse fixture)
from tests.fixtures.web import lead_client, signed_in  # noqa: F401 (fixtures)


@pytest.fixture
def program_officer(db: None):
    return UserFactory(username="program", agency=Agency.PROGRAM)


@pytest.fixture
def program_client(program_officer) -> Client:
    return signed_in(program_officer)


@pytest.fixture
def as_program(program_officer) -> APIClient:
    client = APIClient()
    client.force_authenticate(program_officer)
    return client


@pytest.fixture
def as_lead(lead) -> APIClient:
    client = APIClient()
    client.force_authenticate(lead)
    return client
