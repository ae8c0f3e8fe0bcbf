"""Twenty saves of one draft from the same version, each on its own connection: one is kept, the
others are refused as stale (the version is checked under the row lock, not before it)."""

import pytest
from django.db import connection

from proposals.core.errors import StaleVersion
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.drafting import proposal_create, proposal_update
from tests.factories import open_call
from tests.race import race

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 20


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) across connections need PostgreSQL, not SQLite")


def test_stale_version_twenty_concurrent_saves_from_one_version_keep_exactly_one(consortium, lead):
    draft = proposal_create(consortium=consortium, call=open_call(), actor=lead, title="Start")
    outcomes = race(
        lambda n: proposal_update(
            proposal_id=draft.pk, actor=lead, data={"title": f"Title {n}"}, expected_version=1
        ),
        ATTEMPTS,
    )

    assert outcomes.count("ok") == 1
    assert [type(o) for o in outcomes if o != "ok"] == [StaleVersion] * (ATTEMPTS - 1)
    winner = outcomes.index("ok")
    saved = Proposal.objects.get(pk=draft.pk)
    assert (saved.title, saved.version) == (f"Title {winner}", 2)
