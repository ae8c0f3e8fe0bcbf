"""Every URL pattern and API route, requested as every role: each answer must be an allowed one.

The routes come from walking the URL resolver, so a route added anywhere is checked without editing
this file. Path parameters are filled with real objects of one consortium's submitted proposal
(`world`): `<proposal_id>` or `proposals/<pk>` with the proposal, `<gate_id>` or `gates/<pk>` with an
object of the model whose name ends in "gate" that belongs to it, and so on. A parameter that cannot be
filled fails the test with the route's name; teach it in PARAM_FILLERS, or create the object in a
WORLD_BUILDERS function, rather than skipping the route.

Rules (ROLES x route kind), checked for GET by every role, and for POST by the anonymous user and by
the lead of another consortium (the two who must never change anything):
- no role ever gets a server error;
- anonymous: a redirect to the sign-in page, or 401/403 (405 only for a GET to a POST-only route);
  routes in PUBLIC_ROUTES may answer;
- another consortium's lead: 404 for any route that names the proposal or an object under it;
- the admin site: staff only; everyone else is redirected to sign in;
- routes under a `commerce`, `exim` or `evaluation` path segment: the other agency and consortium users
  get 403/404 (Commerce staff evaluate too, so they may open the evaluation lists);
- routes under a `notes` segment (internal notes): every consortium user, the owner included, gets 404;
- the owning consortium's lead and the owning agency never get 401 or 404 for their own objects;
- an HTML page that opens carries the content security policy and no inline script.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django.utils.regex_helper import normalize
from django_otp.plugins.otp_totp.models import TOTPDevice

from proposals.commerce.models import InformationRequest
from proposals.core.enums import HitStatus
from proposals.demo import build_complete_proposal
from proposals.evaluation.models import Panel, PanelMember
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.transitions import proposal_transition
from tests.factories import CriterionFactory, RubricFactory, UserFactory, screening_hit

ROLES = ("anonymous", "lead", "outsider", "commerce", "exim", "admin")
POST_ROLES = ("anonymous", "outsider")
AGENCY_SEGMENTS = {"commerce": "commerce", "exim": "exim", "program": "program", "evaluation": "evaluation"}
# Path words of routes only agency staff reach: any consortium user, the owner included, gets 404.
STAFF_ONLY_SEGMENTS = {"notes"}

# Routes anyone may open (by URL name): the sign-in journey, the API's schema, docs and token endpoint.
PUBLIC_ROUTES = {
    "login",
    "logout",
    "home",
    "api-schema",
    "api-docs",
    "api-redoc",
    "api-token",
    "admin:login",
    # The register of priority AI export packages (proposals.evaluation): public by design.
    "register",
    "register-csv",
    "register-feed",
    "api-register",
}


@dataclass
class World:
    """The objects the matrix fills route parameters with; all of `proposal` belongs to `lead`."""

    proposal: Proposal
    users: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


# Functions run after the proposal is submitted, to create objects a route needs that the review
# pipeline does not create by itself: def build(world: World) -> None.
def _commerce_case(world: World) -> None:
    """A screening hit and an information request on the proposal (the pipeline creates its gates)."""
    screening_hit(world.proposal, HitStatus.UNRESOLVED, entry_key="m1")
    InformationRequest.objects.create(
        proposal=world.proposal,
        question="Who owns the ultimate consignee?",
        due_date=timezone.localdate() + timedelta(days=30),
        asked_by=world.users["commerce"],
        asked_revision=world.proposal.revision_number,
    )


def _decided_gate(world: World) -> None:
    """A license gate the reviewer decided: its determination letter is a paper the routes can name."""
    from proposals.commerce.models import LicenseGate
    from proposals.commerce.services.review import gate_decide

    gate = LicenseGate.objects.filter(proposal=world.proposal).order_by("pk").first()
    assert gate is not None, "the review pipeline opened no license gate"
    world.extra["decided_gate"] = gate_decide(
        gate_id=gate.pk, action="approve", actor=world.users["commerce"], reason="End use verified."
    )


def _partner(world: World) -> Any:
    return world.proposal.consortium.members.filter(role="partner").order_by("pk").first()


def _inbox_item(world: World) -> int:
    from proposals.notify.models import InboxItem

    return (
        InboxItem.objects.filter(user=world.users["lead"], proposal=world.proposal).order_by("pk").first().pk
    )


def _conversation(world: World) -> None:
    """A shared message and an internal note on the proposal, each with a file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from proposals.notify.services import message_post

    pdf = b"%PDF-1.4\n%%EOF\n"
    for key, internal in (("message", False), ("note", True)):
        message = message_post(
            proposal_id=world.proposal.pk,
            actor=world.users["commerce"],
            body=f"The {key}.",
            internal=internal,
            attachments=[SimpleUploadedFile(f"{key}.pdf", pdf, content_type="application/pdf")],
        )
        world.extra[f"{key}_file"] = message.attachments.get()


def _panel(world: World) -> None:
    """The proposal's evaluation panel, on a published rubric of its call, with a State evaluator."""
    rubric = RubricFactory(published_at=timezone.now())
    CriterionFactory(rubric=rubric, code="fit", weight=100)
    panel = Panel.objects.create(proposal=world.proposal, rubric=rubric, stage_entered_at=timezone.now())
    evaluator = UserFactory(username="matrix-state", agency="state")
    PanelMember.objects.create(panel=panel, evaluator=evaluator, agency="state")
    world.extra["panel"] = panel


def _bom_import_job(world: World) -> None:
    """A bill-of-materials import the intake worker read while the proposal was a draft: its
    consortium's alone (agency staff get 404 like another consortium)."""
    from proposals.intake.models.bom_import import BomImportJob

    world.extra["bom_import_job"] = BomImportJob.objects.create(
        proposal=world.proposal,
        created_by=world.users["lead"],
        status="failed",
        original_name="bom.csv",
        kind="csv",
        size=70_000,
        sha256="0" * 64,
        message="Nothing was imported: 1 problem(s) in 1 row(s).",
        errors=[{"row": 2, "column": "layer", "message": "Required."}],
        updated_at=timezone.now(),
        finished_at=timezone.now(),
    )


def _saved_filter(world: World) -> None:
    """The lead's saved filter on the proposals list: another user's is a 404 to everyone else."""
    from proposals.search.models import SavedFilter

    world.extra["saved_filter"] = SavedFilter.objects.create(
        user=world.users["lead"], list_name="proposals", name="Drafts", query="status=draft"
    )


WORLD_BUILDERS: list[Callable[[World], None]] = [
    _commerce_case,
    _decided_gate,
    _conversation,
    _panel,
    _bom_import_job,
    _saved_filter,
]

# Parameter fillers: "param" or "route-name:param" -> function(world) returning the value.
PARAM_FILLERS: dict[str, Callable[[World], Any]] = {
    "proposal_id": lambda world: world.proposal.pk,
    "proposal_pk": lambda world: world.proposal.pk,
    "number": lambda world: world.proposal.revision_number,  # revisions/<int:number>/: the submitted one
    "consortium_id": lambda world: world.proposal.consortium_id,
    "consortium_pk": lambda world: world.proposal.consortium_id,
    # Members pages and API (services.consortium): a partner of the proposal's consortium, so a POST
    # that got through would not even be refused as the anchor's removal.
    "member_pk": lambda world: _partner(world).pk,
    "member_id": lambda world: _partner(world).pk,
    # Generated papers: the dossier, and a decided gate's license letter.
    "paper-download:kind": lambda world: "dossier",
    "api-paper-download:kind": lambda world: "dossier",
    "paper-download-subject:kind": lambda world: "license_letter",
    "api-paper-download-subject:kind": lambda world: "license_letter",
    "paper-download-subject:subject_id": lambda world: world.extra["decided_gate"].pk,
    "api-paper-download-subject:subject_id": lambda world: world.extra["decided_gate"].pk,
    "admin:app_label": lambda world: "proposals",
    # The admin's "view on site" shortcut, for an object with no public page (a 404 for staff).
    "admin:content_type_id": lambda world: ContentType.objects.get_for_model(world.users["lead"]).pk,
    "admin:view_on_site:object_id": lambda world: world.users["lead"].pk,
    "admin:url": lambda world: "no-such-admin-page/",
    "admin:auth_user_password_change:id": lambda world: world.users["lead"].pk,
    # A shared message's file (the internal note's is in the rows below).
    "attachment_pk": lambda world: world.extra["message_file"].pk,
    "api-message-attachment:pk": lambda world: world.extra["message_file"].pk,
    # /api/auth/tokens/<token_key>/: the caller's own tokens only, so any key is as good as another.
    "token_key": lambda world: "0123456789abcde",
    # The inbox (proposals.notify): one of the lead's own items (the submission put one there).
    "inbox-read:pk": lambda world: _inbox_item(world),
    "api-inbox-read:pk": lambda world: _inbox_item(world),
    # Calls' rubric versions: version 1 of the proposal's call (the first call's published rubric).
    "version": lambda world: 1,
    # Saved filters (proposals.search): the lead's own.
    "api-saved-filter-detail:pk": lambda world: world.extra["saved_filter"].pk,
    "saved-filter-delete:pk": lambda world: world.extra["saved_filter"].pk,
}


# Fillers whose value is not the proposal's own (another consortium may see it too).
UNSCOPED_FILLERS = {
    "admin:app_label",
    "admin:content_type_id",
    "admin:view_on_site:object_id",
    "admin:url",
    "admin:auth_user_password_change:id",
    "token_key",
    "version",
    # A user's own saved filter: not the proposal's, and a 404 to every other user.
    "api-saved-filter-detail:pk",
    "saved-filter-delete:pk",
}


class RouteFillError(AssertionError):
    """A route has a path parameter the matrix does not know how to fill."""


@dataclass
class Route:
    segments: list[Any]  # the URLPattern/URLResolver patterns from the root to this route
    namespace: str
    name: str | None
    callback: Any

    @property
    def qualified_name(self) -> str:
        if not self.name:
            return ""
        return f"{self.namespace}:{self.name}" if self.namespace else self.name

    @property
    def pattern(self) -> str:
        return "".join(str(segment) for segment in self.segments)

    @property
    def label(self) -> str:
        return f"{self.qualified_name or '(unnamed)'} [{self.pattern}]"

    @property
    def literals(self) -> list[str]:
        """The fixed words of the path, in order (parameters and regex syntax removed)."""
        text = re.sub(r"<[^>]+>|\(\?P<[^>]+>[^)]*\)", "/", self.pattern)
        return [word for word in re.split(r"[^A-Za-z0-9_-]+", text) if word]

    @property
    def is_admin(self) -> bool:
        return self.namespace.split(":")[0] == "admin"

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def is_staff_only(self) -> bool:
        """Routes under a `notes` segment: agency staff's internal notes."""
        return any(word in STAFF_ONLY_SEGMENTS for word in self.literals)

    @property
    def agency(self) -> str | None:
        for word in self.literals:
            if word in AGENCY_SEGMENTS:
                return AGENCY_SEGMENTS[word]
        return None


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(resolver: URLResolver, segments: list[Any], namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, [*segments, entry.pattern], inner)
            elif isinstance(entry, URLPattern):
                routes.append(Route([*segments, entry.pattern], namespace, entry.name, entry.callback))

    walk(get_resolver(), [], "")
    return routes


# --- Filling parameters -------------------------------------------------------------------------


def _singular(word: str) -> str:
    word = word.lower().replace("-", "").replace("_", "")
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("ses"):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


# Short path words for long model names.
MODEL_ALIASES = {"rfi": "informationrequest", "doc": "document", "bom": "lineitem", "item": "lineitem"}


def _model_named(word: str, route: Route) -> type[models.Model] | None:
    """The model a path word names: exact model name first, then the one model ending with it."""
    key = _singular(word)
    key = MODEL_ALIASES.get(key, key)
    every = list(apps.get_models())
    exact = [model for model in every if model._meta.model_name == key]
    if len(exact) == 1:
        return exact[0]
    ending = [model for model in every if model._meta.model_name.endswith(key)]
    if len(ending) == 1:
        return ending[0]
    if len(exact) + len(ending) > 1:
        found = ", ".join(model._meta.label for model in (exact or ending))
        raise RouteFillError(
            f"Route {route.label}: '{word}' could name several models ({found}). "
            "Add a PARAM_FILLERS entry in tests/security/test_access_matrix.py."
        )
    return None


def _word_before(route: Route, param: str) -> str | None:
    """The path word just before a parameter: `documents` in proposals/<int:pk>/documents/<int:doc_pk>/."""
    found = re.search(rf"<(?:[^:>]+:)?{param}>|\(\?P<{param}>", route.pattern)
    before = route.pattern[: found.start()] if found else ""
    words = [w for w in re.split(r"[^A-Za-z0-9_-]+", re.sub(r"<[^>]+>", "/", before)) if w]
    return words[-1] if words else None


def _path_to_proposal(model: type[models.Model], depth: int = 3) -> str | None:
    """The ORM lookup from `model` to its Proposal, following foreign keys (breadth first)."""
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    for _ in range(depth):
        following = []
        for current, prefix in frontier:
            for fk in current._meta.get_fields():
                if not (fk.many_to_one or fk.one_to_one) or not fk.concrete or fk.related_model is None:
                    continue
                lookup = f"{prefix}{fk.name}"
                if fk.related_model is Proposal:
                    return lookup
                following.append((fk.related_model, f"{lookup}__"))
        frontier = following
    return None


def _instance_pk(model: type[models.Model], route: Route, param: str, world: World) -> tuple[Any, bool]:
    """(pk, whether it is the proposal's own object) for a route parameter that names `model`."""
    if model is Proposal:
        return world.proposal.pk, True
    lookup = _path_to_proposal(model)
    if lookup is not None:
        instance = model._default_manager.filter(**{lookup: world.proposal}).order_by("pk").first()
    else:  # reference data (countries...) or admin-only records: any one will do
        instance = model._default_manager.order_by("pk").first()
    if instance is None:
        if route.is_admin:
            return 0, False  # staff then get the admin's own "does not exist" redirect
        owner = "belongs to the matrix's proposal" if lookup else "exists"
        raise RouteFillError(
            f"Route {route.label}: no {model._meta.label} {owner}, so '{param}' cannot be filled. "
            "Create one in a WORLD_BUILDERS function."
        )
    return instance.pk, lookup is not None


def _fill(route: Route, param: str, world: World) -> tuple[Any, bool]:
    """(value, whether it names the proposal or one of its own objects) for one path parameter."""
    for key in (f"{route.qualified_name}:{param}", f"{route.namespace}:{param}", param):
        if key in PARAM_FILLERS:
            return PARAM_FILLERS[key](world), key not in UNSCOPED_FILLERS
    model_admin = getattr(route.callback, "model_admin", None)
    if model_admin is not None and param in ("object_id", "pk", "id"):
        return _instance_pk(model_admin.model, route, param, world)
    # <gate_id>, <doc_pk>: the word in the name; else (or for <pk>, <child_pk>) the path word before it.
    match = re.fullmatch(r"(?P<word>[a-z][a-z0-9_]*?)_(?:id|pk)", param)
    if match or param in ("pk", "id", "object_id"):
        for word in (match["word"] if match else None, _word_before(route, param)):
            model = _model_named(word, route) if word else None
            if model is not None:
                return _instance_pk(model, route, param, world)
    raise RouteFillError(
        f"Route {route.label}: no way to fill the parameter '{param}'. Add a PARAM_FILLERS entry "
        "('<route name>:<param>' or '<param>') in tests/security/test_access_matrix.py."
    )


def route_path(route: Route, world: World) -> tuple[str, bool]:
    """The concrete path, and whether it names the world's proposal (or an object under it)."""
    parts: list[str] = []
    scoped = False
    for segment in route.segments:
        template, params = normalize(segment.regex.pattern)[0]
        converters = getattr(segment, "converters", {})
        values = {}
        for param in params:
            value, own = _fill(route, param, world)
            scoped = scoped or (own and not route.is_admin and route.qualified_name not in PUBLIC_ROUTES)
            converter = converters.get(param)
            values[param] = converter.to_url(value) if converter else str(value)
        parts.append(template % values)
    return "/" + "".join(parts), scoped


# --- What each role may get ---------------------------------------------------------------------

SERVER_ERROR = "a server error"


def _login_redirect(response: Any, route: Route) -> bool:
    location = response.headers.get("Location", "")
    if response.status_code != 302:
        return False
    if location.startswith(reverse("login")):
        return True
    # The admin sends non-staff to its login (which forwards to ours); its logout, to its index.
    return route.is_admin and (
        location.startswith("/admin/login/")
        or (route.qualified_name == "admin:logout" and location == "/admin/")
    )


def verdict(route: Route, role: str, method: str, response: Any, scoped: bool) -> str | None:
    """None if the answer is allowed, else why not."""
    status = response.status_code
    if status >= 500:
        return SERVER_ERROR
    public = route.qualified_name in PUBLIC_ROUTES
    if route.is_admin and not public:
        if role == "admin":  # 403: pages the admin itself forbids (adding a singleton, deleting audit)
            return None if status in (200, 302, 403, 404, 405) else f"staff got {status}"
        return None if _login_redirect(response, route) else "the admin must redirect non-staff to sign in"
    if role == "anonymous":
        if public:
            return None
        if status in (401, 403) or _login_redirect(response, route):
            return None
        if status == 405 and method == "GET":
            return None
        return "anonymous must be sent to sign in (or get 401/403)"
    if role == "outsider" and scoped and not public:
        # 405: a method the route never takes is refused before any lookup, revealing nothing.
        allowed = {404, 403, 405} if route.agency else {404, 405}
        return None if status in allowed else f"another consortium's object must be 404, got {status}"
    # Commerce staff evaluate too: the evaluation workspace's lists are theirs (empty until seated).
    evaluating = route.agency == "evaluation" and role == "commerce"
    if route.agency and role not in (route.agency, "admin") and not public and not evaluating:
        if status in (403, 404) or (status == 405 and method == "GET"):
            return None
        return f"a {route.agency}-only route must refuse {role} (403/404), got {status}"
    if route.is_staff_only and role in ("lead", "outsider") and not public:
        # Internal notes: their existence is not a consortium's business, its own proposal's included.
        return None if status in (404, 405) else f"staff-only route must be 404 to {role}, got {status}"
    owner = role == "lead" or role == route.agency
    if status == 401 or (owner and scoped and status == 404):
        return f"{role} must reach their own object, got {status}"
    return None


def _html_issues(response: Any) -> list[str]:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return []
    issues = []
    policy = response.get("Content-Security-Policy", "")
    if "default-src 'self'" not in policy or "frame-ancestors 'none'" not in policy:
        issues.append("no content security policy")
    html = response.content.decode(errors="replace")
    if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html):
        issues.append("an inline <script>")
    if re.search(r"\son(?:click|load|submit|change|input|error|mouseover)=", html):
        issues.append("an inline event handler")
    return issues


# --- The world and the test ---------------------------------------------------------------------


@pytest.fixture
def world(
    consortium, lead, outsider, commerce_reviewer, exim_officer, django_capture_on_commit_callbacks, settings
):
    admin = UserFactory(username="matrix-admin", agency="program", is_staff=True, is_superuser=True)
    proposal = build_complete_proposal(consortium=consortium, lead=lead, title="Matrix proposal")
    # Run the review pipeline's follow-up tasks in-process, so its objects (gates, deals...) exist.
    # Through Django's settings (restored after the test): setting celery_app.conf directly would
    # outlive the test and override every later test's setting.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    proposal.refresh_from_db()
    users = {
        "lead": lead,
        "outsider": outsider,
        "commerce": commerce_reviewer,
        "exim": exim_officer,
        "admin": admin,
    }
    for role in ("commerce", "exim", "admin"):  # enrolled authenticators: admin pages list them
        TOTPDevice.objects.create(user=users[role], name="Matrix authenticator", confirmed=True)
    built = World(proposal=proposal, users=users)
    for build in WORLD_BUILDERS:
        build(built)
    return built


def test_every_route_can_be_filled_and_is_seen(world):
    routes = all_routes()
    unfilled = []
    for route in routes:
        try:
            route_path(route, world)
        except RouteFillError as exc:
            unfilled.append(str(exc))

    assert unfilled == []
    names = {route.qualified_name for route in routes}
    assert {"login", "logout", "otp-verify", "otp-setup", "api-token", "api-schema", "admin:index"} <= names


def test_every_route_answers_each_role_as_allowed(world, client):
    client.raise_request_exception = False
    routes = [(route, *route_path(route, world)) for route in all_routes()]
    problems: list[str] = []
    requests = 0
    for role in ROLES:
        client.logout()
        for route, path, scoped in routes:
            for method in ("GET", "POST") if role in POST_ROLES else ("GET",):
                if role != "anonymous" and "_auth_user_id" not in client.session:
                    client.force_login(world.users[role])  # agency logins complete two-factor (conftest)
                response = client.get(path) if method == "GET" else client.post(path, {})
                requests += 1
                why = verdict(route, role, method, response, scoped)
                if why:
                    problems.append(
                        f"{method} {path} as {role}: {response.status_code}, {why} ({route.label})"
                    )
                if method == "GET":
                    problems += [f"GET {path} as {role}: {issue}" for issue in _html_issues(response)]

    assert problems == [], f"{len(problems)} of {requests} answers not allowed:\n" + "\n".join(problems)


def _route(*parts: str, name: str) -> Route:
    """A made-up route, as if `path()` had declared it: for testing the matrix's own rules."""
    return Route([RoutePattern(part) for part in parts], "", name, None)


def test_verdicts_catch_a_leak(world):
    """The rules themselves: a 200 for another consortium's object or for anonymous is reported."""

    class Answer:
        def __init__(self, status: int, location: str = "") -> None:
            self.status_code = status
            self.headers = {"Location": location} if location else {}

    route = _route("proposals/<int:pk>/", name="proposal-detail")
    admin_route = next(r for r in all_routes() if r.qualified_name == "admin:index")
    commerce_route = _route("commerce/gates/<int:pk>/", name="gate-detail")

    assert verdict(route, "outsider", "GET", Answer(200), scoped=True) is not None
    assert verdict(route, "outsider", "GET", Answer(404), scoped=True) is None
    assert verdict(route, "anonymous", "GET", Answer(200), scoped=True) is not None
    assert verdict(route, "anonymous", "GET", Answer(302, "/accounts/login/?next=/x"), scoped=True) is None
    assert verdict(route, "lead", "GET", Answer(404), scoped=True) is not None
    assert verdict(route, "commerce", "GET", Answer(500), scoped=True) == SERVER_ERROR
    assert verdict(admin_route, "commerce", "GET", Answer(200), scoped=False) is not None
    assert verdict(admin_route, "admin", "GET", Answer(200), scoped=False) is None
    assert verdict(commerce_route, "exim", "GET", Answer(200), scoped=True) is not None
    assert verdict(commerce_route, "commerce", "GET", Answer(200), scoped=True) is None


def test_a_parameter_it_cannot_fill_fails_naming_the_route(world):
    route = _route("proposals/<int:pk>/items/", "<slug:kind>/", name="item-kind")

    with pytest.raises(RouteFillError) as failed:
        route_path(route, world)

    assert str(failed.value).startswith("Route item-kind [proposals/<int:pk>/items/<slug:kind>/]: no way")


def test_parameters_are_filled_with_the_proposal_and_its_own_objects(world):
    document = world.proposal.documents.order_by("pk").first()
    route = _route("proposals/<int:pk>/", "documents/<int:document_id>/", name="doc")

    assert route_path(route, world) == (f"/proposals/{world.proposal.pk}/documents/{document.pk}/", True)


# --- API tokens after each kind of revocation ------------------------------------------------------


def _password_change(user: Any) -> None:
    user.set_password("a-new-password-after-the-leak")
    user.save()


def _two_factor_reset(user: Any) -> None:
    TOTPDevice.objects.filter(user=user).delete()


def _deactivation(user: Any) -> None:
    user.is_active = False
    user.save()


def _role_change(user: Any) -> None:
    """An agency user moved to the other agency; a consortium lead made an editor."""
    from proposals.core.enums import ConsortiumUserRole
    from proposals.intake.models.consortium import ConsortiumUser

    if user.agency:
        user.agency = "exim" if user.agency == "commerce" else "commerce"
        user.save()
    else:
        ConsortiumUser.objects.filter(user=user).update(role=ConsortiumUserRole.EDITOR)
        for membership in ConsortiumUser.objects.filter(user=user):
            membership.save()  # through save(): the change is made the way the admin makes it


def _restore(user: Any, snapshot: dict[str, Any]) -> None:
    from proposals.intake.models.consortium import ConsortiumUser

    type(user).objects.filter(pk=user.pk).update(**snapshot["user"])
    user.refresh_from_db()
    for pk, role in snapshot["memberships"].items():
        ConsortiumUser.objects.filter(pk=pk).update(role=role)
    if snapshot["device"] and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Matrix authenticator", confirmed=True)


REVOCATIONS: dict[str, Callable[[Any], None]] = {
    "password change": _password_change,
    "two-factor reset": _two_factor_reset,
    "deactivation": _deactivation,
    "role change": _role_change,
}


def test_every_api_route_refuses_a_revoked_token_with_401(world, client):
    """For the lead and the Commerce reviewer: a token that worked, then each kind of revocation, then
    every API route answers 401 to it (not 403 or 404: the token itself is no longer anyone's)."""
    from accounts.tokens import token_issue
    from proposals.intake.models.consortium import ConsortiumUser

    client.raise_request_exception = False
    api_routes = [
        (route, route_path(route, world)[0])
        for route in all_routes()
        if route.is_api and route.qualified_name not in PUBLIC_ROUTES
    ]
    assert len(api_routes) >= 20
    problems: list[str] = []
    for role, probe in (("lead", "/api/proposals/"), ("commerce", "/api/commerce/queue/")):
        user = world.users[role]
        snapshot = {
            "user": {name: getattr(user, name) for name in ("password", "is_active", "agency")},
            "memberships": dict(ConsortiumUser.objects.filter(user=user).values_list("pk", "role")),
            "device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        }
        for kind, revoke in REVOCATIONS.items():
            if kind == "two-factor reset" and not snapshot["device"]:
                continue
            _, key = token_issue(user=user)
            header = {"HTTP_AUTHORIZATION": f"Token {key}"}
            assert client.get(probe, **header).status_code == 200, f"{role}'s token never worked"
            revoke(user)
            for route, path in api_routes:
                status = client.get(path, **header).status_code
                if status != 401:
                    problems.append(f"GET {path} with {role}'s token after {kind}: {status} ({route.label})")
            _restore(user, snapshot)

    assert problems == [], f"{len(problems)} answers were not 401:\n" + "\n".join(problems[:40])


# --- Internal notes: agency staff only, never the proposal's own consortium -----------------------------


@pytest.mark.parametrize(
    "route",
    ["proposal-notes", "api-note-list", "proposal-message-attachment:note", "api-message-attachment:note"],
)
def test_internal_notes_hidden_from_the_owning_consortium_404(world, client, route):
    name, _, which = route.partition(":")
    pk_kwarg = "proposal_id" if name.startswith("api-") else "pk"
    kwargs: dict[str, Any] = {pk_kwarg: world.proposal.pk}
    if which:
        kwargs["attachment_pk" if pk_kwarg == "pk" else "pk"] = world.extra["note_file"].pk
    url = reverse(name, kwargs=kwargs)
    client.force_login(world.users["lead"])
    answers = [client.get(url).status_code]
    if not which:  # the thread routes also take a post; the files are read only
        answers.append(client.post(url, {"body": "Let me in."}).status_code)
    client.force_login(world.users["commerce"])
    staff = client.get(url).status_code
    assert (answers, staff) == ([404] * len(answers), 200)


def test_internal_notes_never_in_the_consortium_thread(world, client):
    client.force_login(world.users["lead"])
    page = client.get(reverse("proposal-messages", kwargs={"pk": world.proposal.pk})).content.decode()
    api = client.get(reverse("api-message-list", kwargs={"proposal_id": world.proposal.pk})).json()
    assert ("The message." in page, "The note." in page, [m["body"] for m in api]) == (
        True,
        False,
        ["The message."],
    )


# --- Conflict-of-interest recusal (proposals.core.permissions.is_recused) -----------------------


def _seat(world: World, user: Any, *, conflict: bool | None) -> None:
    PanelMember.objects.create(
        panel=world.extra["panel"], evaluator=user, agency=user.agency, has_conflict=conflict
    )


def _recusal_paths(world: World) -> list[tuple[str, str]]:
    pk, panel = world.proposal.pk, world.extra["panel"].pk
    return [
        ("GET", reverse("proposal-detail", args=[pk])),
        ("GET", reverse("proposal-progress", args=[pk])),
        ("GET", reverse("api-proposal-detail", args=[pk])),
        ("GET", reverse("api-revision-list", args=[pk])),
        ("GET", reverse("paper-download", args=[pk, "dossier"])),
        ("GET", reverse("evaluation-panel", args=[panel])),
        ("GET", reverse("api-panel-detail", args=[panel])),
        ("POST", reverse("evaluation-scores", args=[panel])),
        ("POST", reverse("api-panel-scores", args=[panel])),
    ]


@pytest.mark.parametrize("agency", ["state", "commerce"])
def test_conflict_recusal_closes_the_proposal_and_its_panel(world, client, agency):
    recused = UserFactory(username=f"recused-{agency}", agency=agency)
    _seat(world, recused, conflict=True)
    client.force_login(recused)
    paths = _recusal_paths(world)
    if agency == "commerce":
        paths.append(("GET", reverse("commerce-proposal", args=[world.proposal.pk])))

    answers = {(m, p): (client.get(p) if m == "GET" else client.post(p, {})).status_code for m, p in paths}

    assert {k: v for k, v in answers.items() if v not in (403, 404)} == {}


def test_conflict_recusal_a_member_without_conflict_opens_the_proposal_and_panel(world, client):
    cleared = UserFactory(username="cleared-war", agency="war")
    _seat(world, cleared, conflict=False)
    client.force_login(cleared)
    pk, panel = world.proposal.pk, world.extra["panel"].pk

    for path in (
        reverse("proposal-detail", args=[pk]),
        reverse("api-proposal-detail", args=[pk]),
        reverse("evaluation-panel", args=[panel]),
        reverse("api-panel-detail", args=[panel]),
    ):
        assert client.get(path).status_code == 200, path


def test_conflict_recusal_an_evaluator_off_the_panel_sees_nothing(world, client):
    stranger = UserFactory(username="off-panel-energy", agency="energy")
    client.force_login(stranger)
    pk, panel = world.proposal.pk, world.extra["panel"].pk
    for path in (reverse("proposal-detail", args=[pk]), reverse("evaluation-panel", args=[panel])):
        assert client.get(path).status_code == 404, path


# --- The program's reports on a call: program staff only ----------------------------------------------

REPORT_ROUTES = {"program-call-report": "pk", "program-call-report-csv": "pk", "api-call-report": "call_id"}


def test_call_reports_open_to_program_staff_and_refused_to_every_other_role(world, client):
    state = UserFactory(username="matrix-report-state", agency="state")
    users = {**world.users, "state": state}
    answers = {}
    for route, kwarg in REPORT_ROUTES.items():
        url = reverse(route, kwargs={kwarg: world.proposal.call_id})
        for role, user in users.items():
            client.logout()
            if role != "anonymous":
                client.force_login(user)
            answers[(route, role)] = client.get(url).status_code
        client.logout()
        answers[(route, "anonymous")] = client.get(url).status_code

    expected = {}
    for route in REPORT_ROUTES:
        expected |= {(route, role): 403 for role in ("lead", "outsider", "commerce", "exim", "state")}
        expected[(route, "admin")] = 200
        expected[(route, "anonymous")] = 401 if route.startswith("api-") else 302
    assert answers == expected
