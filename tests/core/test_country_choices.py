"""The country list selects show: read once per process, forgotten on a change, never trusted to
validate (core.selectors.country_choices, CountryChoiceField)."""

import pytest
from django.db import connection

from proposals.core.models.reference import Country
from proposals.core.selectors import country_choices, country_choices_forget
from proposals.exim.selectors import DealFilter
from proposals.intake.selectors import ProposalFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    settings.EXPORTAI_REFERENCE_CACHE_SECONDS = 300
    country_choices_forget()
    yield
    country_choices_forget()


def _options(data=None) -> list[tuple[str, str]]:
    field = ProposalFilter(data or {}, queryset=None).form.fields["country"]
    return [(str(value), str(label)) for value, label in field.widget.choices]


def test_the_list_is_read_once_per_process_while_kept(kept, django_assert_num_queries):
    Country.objects.create(code="QY", name="Qyland (test)")
    with django_assert_num_queries(1):
        first = _options()
    with django_assert_num_queries(0):
        assert _options() == first
    assert ("QY", "Qyland (test)") in first
    assert first[0][0] == ""  # the empty choice ("any country") first


def test_a_saved_country_shows_at_once_in_this_process(kept):
    _options()
    Country.objects.create(code="QZ", name="Qzland (test)")
    assert ("QZ", "Qzland (test)") in _options()


def test_with_no_keeping_every_form_reads_the_table(settings, django_assert_num_queries):
    settings.EXPORTAI_REFERENCE_CACHE_SECONDS = 0
    with django_assert_num_queries(1):
        _options()
    with django_assert_num_queries(1):
        _options()


def test_a_stale_list_never_admits_a_country_the_table_lacks(kept):
    Country.objects.create(code="QZ", name="Qzland (test)")
    assert ("QZ", "Qzland (test)") in _options()
    with connection.cursor() as cursor:  # deleted by another process: this one's list is stale
        cursor.execute("DELETE FROM proposals_country WHERE code = 'QZ'")
    assert ("QZ", "Qzland (test)") in country_choices()
    chosen = ProposalFilter({"country": "QZ"}, queryset=None)
    assert not chosen.is_valid()
    assert "country" in chosen.errors


def _regions() -> list[str]:
    field = DealFilter({}, queryset=None).form.fields["region"]
    return [str(value) for value, _ in field.choices]


def test_the_pipeline_regions_are_read_once_per_process_while_kept(kept, django_assert_num_queries):
    Country.objects.create(code="QY", name="Qyland (test)", region="Qyregion")
    with django_assert_num_queries(1):
        first = _regions()
    with django_assert_num_queries(0):
        assert _regions() == first
    assert "Qyregion" in first and "" not in first[1:]


def test_a_saved_country_region_shows_at_once_in_this_process(kept):
    _regions()
    Country.objects.create(code="QZ", name="Qzland (test)", region="Qzregion")
    assert "Qzregion" in _regions()


def test_a_region_the_kept_list_lacks_is_checked_against_the_table(kept):
    """A region saved where this process's signal never fires (another process, or an update) is
    accepted as a filter value while the kept list lacks it; a region nowhere in the table is not."""
    Country.objects.create(code="QX", name="Qxland (test)", region="Old region")
    assert "New region" not in _regions()
    Country.objects.filter(code="QX").update(region="New region")  # no post_save: the list is stale
    assert "New region" not in _regions()
    assert DealFilter({"region": "New region"}, queryset=None).is_valid()
    refused = DealFilter({"region": "Atlantis"}, queryset=None)
    assert not refused.is_valid()
    assert "region" in refused.errors
