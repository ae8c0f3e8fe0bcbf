"""Saved filters: name a list's filter, list it, apply it, delete it (web and API); bad ones refused."""

import pytest
from django.urls import reverse

from proposals.search.models import SavedFilter

pytestmark = pytest.mark.django_db

LIST = reverse("api-saved-filter-list")
QUEUE = reverse("commerce-queue")


def test_save_apply_and_delete_a_filter_on_the_queue(client, commerce_reviewer, reference_data):
    client.force_login(commerce_reviewer)
    response = client.post(
        reverse("saved-filter-create"),
        {"list_name": "commerce_queue", "name": "Gulf chips", "query": "eccn=3A090&destination=AE&page=3"},
    )
    saved = SavedFilter.objects.get(user=commerce_reviewer)
    # Saved without its page, and the list opens with it applied.
    assert (saved.name, saved.query) == ("Gulf chips", "eccn=3A090&destination=AE")
    assert response["Location"] == f"{QUEUE}?eccn=3A090&destination=AE"
    page = client.get(QUEUE).content.decode()
    assert f'href="{QUEUE}?eccn=3A090&amp;destination=AE">Gulf chips</a>' in page
    response = client.post(reverse("saved-filter-delete", args=[saved.pk]))
    assert (response.status_code, response["Location"]) == (302, QUEUE)
    assert not SavedFilter.objects.exists()


def test_a_filter_the_list_refuses_is_not_saved(client, commerce_reviewer):
    client.force_login(commerce_reviewer)
    response = client.post(
        reverse("saved-filter-create"), {"list_name": "commerce_queue", "name": "Bad", "query": "eccn=chips"}
    )
    assert response.status_code == 302
    assert not SavedFilter.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "This filter is not valid: eccn: Enter an ECCN such as 3A090, 3A090.a or EAR99." in page


def test_another_users_saved_filter_is_not_found(client, commerce_reviewer, exim_officer):
    saved = SavedFilter.objects.create(user=exim_officer, list_name="exim_pipeline", name="Mine", query="")
    client.force_login(commerce_reviewer)
    assert client.post(reverse("saved-filter-delete", args=[saved.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()


def test_api_saved_filters_create_list_read_delete(api_client, lead):
    api_client.force_authenticate(lead)
    response = api_client.post(LIST, {"list_name": "proposals", "name": "Kenya", "query": "country=KE"})
    assert response.status_code == 201
    pk = response.json()["id"]
    assert [(r["name"], r["query"]) for r in api_client.get(LIST, {"list_name": "proposals"}).json()] == [
        ("Kenya", "country=KE")
    ]
    assert api_client.get(reverse("api-saved-filter-detail", args=[pk])).json()["query"] == "country=KE"
    assert api_client.delete(reverse("api-saved-filter-detail", args=[pk])).status_code == 204
    assert api_client.get(reverse("api-saved-filter-detail", args=[pk])).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"list_name": "proposals", "name": "x", "query": "country=ZZ"}, "query"),
        ({"list_name": "proposals", "name": "x", "query": "colour=red"}, "query"),
        ({"list_name": "proposals", "name": "", "query": ""}, "name"),
        ({"list_name": "inbox", "name": "x", "query": ""}, "list_name"),
        ({"list_name": "commerce_queue", "name": "x", "query": ""}, "list_name"),  # not the lead's list
    ],
)
def test_api_saved_filter_refusals_are_field_errors(api_client, lead, body, field):
    api_client.force_authenticate(lead)
    response = api_client.post(LIST, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == [field]
    assert not SavedFilter.objects.exists()


def test_api_saved_filter_name_once_per_list(api_client, lead):
    api_client.force_authenticate(lead)
    body = {"list_name": "proposals", "name": "Drafts", "query": "status=draft"}
    assert api_client.post(LIST, body, format="json").status_code == 201
    response = api_client.post(LIST, {**body, "name": "drafts"}, format="json")
    assert (response.status_code, list(response.json()["extra"]["fields"])) == (400, ["name"])


def test_saved_filters_listed_are_the_users_own_of_that_list_in_name_order(commerce_reviewer, exim_officer):
    """The list page's read (a statement compiled once a process) gives the rows and order of the
    queryset the API reads."""
    from proposals.search.selectors import saved_filters_for, saved_filters_listed

    for name in ["Gulf chips", "apple", "Banana", "Zeta"]:
        SavedFilter.objects.create(user=commerce_reviewer, list_name="commerce_queue", name=name, query="q=x")
    SavedFilter.objects.create(user=commerce_reviewer, list_name="proposals", name="Other list", query="")
    SavedFilter.objects.create(user=exim_officer, list_name="commerce_queue", name="Not mine", query="")
    listed = saved_filters_listed(commerce_reviewer, list_name="commerce_queue")
    expected = list(saved_filters_for(commerce_reviewer, list_name="commerce_queue"))
    assert [(s.pk, s.name, s.query, s.list_name) for s in listed] == [
        (s.pk, s.name, s.query, s.list_name) for s in expected
    ]
    assert [s.name for s in listed] == ["Banana", "Gulf chips", "Zeta", "apple"]
    assert saved_filters_listed(exim_officer, list_name="proposals") == []
