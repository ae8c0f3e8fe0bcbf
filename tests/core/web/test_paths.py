"""proposals.core.web.paths: a route without arguments reversed once a process, as reverse() would."""

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, path, reverse, set_script_prefix

from proposals.core.web.paths import named_path


def _empty_page() -> None:  # a view for the URLconf below; never called
    raise AssertionError


# A URLconf of its own (this module): "home" is somewhere else here than in the portal's.
urlpatterns = [path("elsewhere/", _empty_page, name="home")]


@pytest.mark.parametrize("name", ["home", "inbox", "logout", "commerce-queue", "admin:index"])
def test_named_path_is_what_reverse_answers(name: str) -> None:
    assert named_path(name) == reverse(name)
    assert named_path(name) == reverse(name)  # and again, kept


def test_a_path_kept_under_one_script_prefix_is_not_served_under_another() -> None:
    plain = named_path("commerce-queue")
    set_script_prefix("/portal/")
    try:
        assert named_path("commerce-queue") == "/portal" + plain
    finally:
        set_script_prefix("/")
    assert named_path("commerce-queue") == plain


def test_a_path_kept_for_one_urlconf_is_not_served_for_another() -> None:
    portal = named_path("home")
    with override_settings(ROOT_URLCONF=__name__):
        assert named_path("home") == "/elsewhere/"
    assert named_path("home") == portal


def test_an_unknown_name_fails_as_reverse_does() -> None:
    with pytest.raises(NoReverseMatch):
        named_path("no-such-route")


def test_the_path_tag_writes_the_same_as_the_url_tag() -> None:
    template = engines["django"].from_string(
        "{% load paths %}{% path 'commerce-queue' %}|{% url 'commerce-queue' %}|"
        "{% path 'inbox' as here %}{{ here }}"
    )
    kept, reversed_, named = template.render().split("|")
    assert kept == reversed_ == reverse("commerce-queue")
    assert named == reverse("inbox")
