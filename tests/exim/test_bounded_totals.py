"""A searched pipeline's total is exact up to SEARCH_TOTAL_EXACT_UP_TO, then "more than" (decision
0010), on the page and in the deals API. The bound is set to 1 here, with one deal a page."""

import re

import pytest
from django.urls import reverse
from rest_framework.pagination import PageNumberPagination

from proposals.exim import web as exim_web
from proposals.search import policy

pytestmark = pytest.mark.django_db

PIPELINE = reverse("exim-pipeline")
DEALS = reverse("api-exim-deals")


@pytest.fixture
def three_deals(make_deal, monkeypatch) -> None:
    for _ in range(3):
        make_deal()
    monkeypatch.setattr(policy, "SEARCH_TOTAL_EXACT_UP_TO", 1)
    monkeypatch.setattr(exim_web, "PAGE_SIZE", 1)
    monkeypatch.setattr(PageNumberPagination, "page_size", 1)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_search_total_on_the_pipeline_page(client, exim_officer, three_deals):
    client.force_login(exim_officer)
    first = client.get(PIPELINE, {"q": "deal"})
    assert "More than 1 deals match." in _text(first) and "Page 1 of more than 1" in _text(first)
    assert "q=deal&amp;page=2" in first.content.decode()
    last = client.get(PIPELINE, {"q": "deal", "page": 3})
    assert "3 deals." in _text(last) and "Page 3 of 3" in _text(last)
    assert "more than" not in _text(last).lower()
    # Not searched: exact, as before.
    assert "3 deals." in _text(client.get(PIPELINE, {"group": "pipeline"}))


def test_search_total_in_the_deals_api(api_client, exim_officer, three_deals):
    api_client.force_authenticate(exim_officer)
    first = api_client.get(DEALS, {"q": "deal"}).json()
    assert (first["count"], first["count_exact"], len(first["results"])) == (2, False, 1)
    assert "page=2" in first["next"]
    last = api_client.get(DEALS, {"q": "deal", "page": 3}).json()
    assert (last["count"], last["count_exact"], last["next"], len(last["results"])) == (3, True, None, 1)
    plain = api_client.get(DEALS).json()
    assert (plain["count"], plain["count_exact"]) == (3, True)
