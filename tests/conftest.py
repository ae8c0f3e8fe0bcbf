"""Shared fixtures: reference data, the three kinds of user, a consortium and proposals in known states."""

from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from proposals.core.enums import ConsortiumUserRole, Layer, MemberRole
from proposals.core.models.reference import Country
from proposals.core.services.reference import reference_data_load
from proposals.demo import build_complete_proposal
from proposals.intake.models.proposal import Proposal
from tests.factories import (
    CommerceReviewerFactory,
    ConsortiumFactory,
    ConsortiumUserFactory,
    EximOfficerFactory,
    MemberFactory,
    UserFactory,
    open_call,
)
from tests.twofactor import session_verify

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """PBKDF2 costs ~0.5 s per user; tests are not about hashing strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _test_logins_pass_two_factor(request, monkeypatch) -> None:
    """client.login()/force_login() of an agency user also completes the TOTP step.

    Those helpers skip the sign-in pages anyway; pages under test then behave as for a verified user.
    tests/security marks its two-factor tests `unverified_login` to see the real enforcement.
    """
    if request.node.get_closest_marker("unverified_login"):
        return
    original = Client._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        if getattr(user, "requires_two_factor", False):
            session_verify(self, user)

    monkeypatch.setattr(Client, "_login", _login)


@pytest.fixture(autouse=True)
def _pages_rendered_every_time(settings) -> None:
    """Whole-page caching is tested on its own (tests/commerce/test_queue_cache.py); elsewhere each
    request renders, so that a test's many requests around its changes see them whatever they touch."""
    settings.EXPORTAI_PAGE_CACHE_SECONDS = 0
    # Countries a test adds (and its rollback removes) are in every select it renders; the per-process
    # list is tested on its own (tests/core/test_country_choices.py).
    settings.EXPORTAI_REFERENCE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_completeness_rules(settings) -> None:
    """Tests change reference data and expect intake to see it at once; workers may cache for a while."""
    settings.EXPORTAI_INTAKE_RULES_MAX_AGE_SECONDS = 0


@pytest.fixture
def reference_data(db: None) -> None:
    """Countries and EAR country groups from data/ (reloaded after a transactional test's flush)."""
    if not Country.objects.exists():
        reference_data_load(groups_csv=DATA / "country_groups.csv", countries_csv=DATA / "countries.csv")


@pytest.fixture
def consortium(reference_data: None):
    consortium = ConsortiumFactory(name="Test Consortium")
    MemberFactory(consortium=consortium, role=MemberRole.ANCHOR, layers=[Layer.CHIPS, Layer.SERVERS])
    MemberFactory(
        consortium=consortium, layers=[Layer.CLOUD, Layer.STORAGE, Layer.NETWORKING, Layer.APPLICATION]
    )
    return consortium


@pytest.fixture
def call(db: None):
    """The call proposals answer in tests: rolling, open since 2000, so open on any date a test uses."""
    return open_call()


@pytest.fixture
def lead(consortium):
    return ConsortiumUserFactory(
        consortium=consortium, role=ConsortiumUserRole.LEAD, user__username="lead"
    ).user


@pytest.fixture
def editor(consortium):
    return ConsortiumUserFactory(
        consortium=consortium, role=ConsortiumUserRole.EDITOR, user__username="editor"
    ).user


@pytest.fixture
def viewer(consortium):
    return ConsortiumUserFactory(
        consortium=consortium, role=ConsortiumUserRole.VIEWER, user__username="viewer"
    ).user


@pytest.fixture
def outsider(reference_data: None):
    """A user of another consortium."""
    return ConsortiumUserFactory(role=ConsortiumUserRole.LEAD, user__username="outsider").user


@pytest.fixture
def commerce_reviewer(db: None):
    return CommerceReviewerFactory(username="commerce")


@pytest.fixture
def exim_officer(db: None):
    return EximOfficerFactory(username="exim")


@pytest.fixture
def stranger(db: None):
    return UserFactory(username="stranger")


@pytest.fixture
def complete_proposal(consortium, lead) -> Proposal:
    """A draft that passes every completeness check (UAE destination, direct loan, 10 years)."""
    return build_complete_proposal(consortium=consortium, lead=lead, title="UAE AI Cluster")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def designation_requirement(request, *, required: bool) -> None:
    """Set ProgramSettings.final_commitment_requires_designation for a test that uses the database.

    The Commerce, EXIM and documents tests are about their own checks and run with the requirement
    off (their conftest says so); tests/evaluation proves the requirement both on and off.
    """
    if not {"db", "transactional_db"} & set(request.fixturenames) and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    request.getfixturevalue("db" if "transactional_db" not in request.fixturenames else "transactional_db")
    from proposals.core.models.reference import ProgramSettings

    settings_row = ProgramSettings.current()
    settings_row.final_commitment_requires_designation = required
    settings_row.save(update_fields=["final_commitment_requires_designation"])
