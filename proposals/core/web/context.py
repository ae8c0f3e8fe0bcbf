"""Role-specific navigation links for base.html; other tracks append their own providers to NAV_PROVIDERS."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from proposals.core.permissions import (
    consortium_roles,
    is_agency_reviewer,
    is_commerce,
    is_evaluator,
    is_exim,
    is_program_admin,
)
from proposals.core.web.paths import named_path


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


def _consortium_links(user: Any) -> list[NavItem]:
    roles = consortium_roles(user)
    if not roles:
        return []
    # One consortium: straight to its members; several: the list of them (no query for names here).
    members = (
        reverse("consortium-members", kwargs={"consortium_pk": next(iter(roles))})
        if len(roles) == 1
        else named_path("consortium-list")
    )
    return [
        NavItem("Start a proposal", named_path("proposal-create")),
        NavItem("Members", members),
        NavItem("Bill-of-materials template", named_path("bom-template")),
    ]


def _agency_links(user: Any) -> list[NavItem]:
    links = []
    if is_program_admin(user):
        links.append(NavItem("Calls", named_path("program-calls")))
        links.append(NavItem("Administration", named_path("admin:index")))
    return links


def _commerce_links(user: Any) -> list[NavItem]:
    return [NavItem("Commerce queue", named_path("commerce-queue"))] if is_commerce(user) else []


def _exim_links(user: Any) -> list[NavItem]:
    # The predicates behind proposals.view_deal; has_perm would also ask the model backend (2 queries).
    if not (is_exim(user) or is_program_admin(user)):
        return []
    return [
        NavItem("EXIM pipeline", named_path("exim-pipeline")),
        NavItem("Ceiling", named_path("exim-dashboard")),
    ]


def _evaluation_links(user: Any) -> list[NavItem]:
    # The predicates behind proposals.evaluation_workspace: evaluators and the program officer.
    if not (is_evaluator(user) or is_program_admin(user)):
        return []
    return [NavItem("Evaluation", named_path("evaluation-panels"))]


def _common_links(user: Any) -> list[NavItem]:
    return (
        [NavItem("API", named_path("api-docs"))] if is_agency_reviewer(user) or consortium_roles(user) else []
    )


# Each provider takes the signed-in user and returns its links, in the order shown.
NAV_PROVIDERS: list[Callable[[Any], list[NavItem]]] = [
    _consortium_links,
    _agency_links,
    _commerce_links,
    _exim_links,
    _evaluation_links,
    _common_links,
]


def nav_items(request: HttpRequest) -> dict[str, list[NavItem]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": [item for provider in NAV_PROVIDERS for item in provider(user)]}
