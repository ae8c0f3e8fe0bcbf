"""API routes: a router for reference data, then one path per operation."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from accounts.api import TokenListView, TokenObtainView, TokenRevokeView, TokenRotateView
from proposals.commerce import api as commerce
from proposals.core.api import reference
from proposals.documents.api import papers
from proposals.documents.api import uploads as documents
from proposals.evaluation.api import CallReportApi, RegisterApi
from proposals.intake.api import (
    calls,
    drafts,
    findings,
    history,
    line_items,
    members,
    parties,
    proposals,
    sites,
    transitions,
)
from proposals.notify import api as notify
from proposals.search import api as search

router = SimpleRouter()
router.register("countries", reference.CountryViewSet, basename="api-country")

P = "proposals/<int:proposal_id>/"
R = "calls/<int:call_id>/rubrics/<int:version>/"

# Commerce review (proposals/api/commerce.py).
commerce_urls = [
    path("queue/", commerce.QueueView.as_view(), name="api-commerce-queue"),
    path("proposals/<int:pk>/", commerce.TrackView.as_view(), name="api-commerce-proposal"),
    path("proposals/<int:pk>/assign/", commerce.AssignView.as_view(), name="api-commerce-assign"),
    path("proposals/<int:pk>/screen/", commerce.ScreenAgainView.as_view(), name="api-commerce-screen"),
    path("proposals/<int:pk>/rfis/", commerce.RfiCreateView.as_view(), name="api-commerce-rfi"),
    path("rfis/<int:pk>/answer/", commerce.RfiAnswerView.as_view(), name="api-commerce-rfi-answer"),
    path("gates/<int:pk>/decide/", commerce.GateDecideView.as_view(), name="api-commerce-gate-decide"),
    path("gates/bulk/", commerce.GateBulkView.as_view(), name="api-commerce-gate-bulk"),
    path(
        "hits/<int:pk>/adjudicate/", commerce.HitAdjudicateView.as_view(), name="api-commerce-hit-adjudicate"
    ),
]

urlpatterns = [
    # Password, and a TOTP code for agency accounts; throttled with the sign-in page (accounts.api).
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("auth/tokens/", TokenListView.as_view(), name="api-token-list"),
    path("auth/tokens/rotate/", TokenRotateView.as_view(), name="api-token-rotate"),
    path("auth/tokens/<str:token_key>/", TokenRevokeView.as_view(), name="api-token-revoke"),
    # Saved filters on the lists (proposals.search): each user's own.
    path("saved-filters/", search.SavedFilterListApi.as_view(), name="api-saved-filter-list"),
    path("saved-filters/<int:pk>/", search.SavedFilterDetailApi.as_view(), name="api-saved-filter-detail"),
    # Calls for proposals and their rubric versions (read: everyone signed in; write: program staff).
    path("calls/", calls.CallListCreateApi.as_view(), name="api-call-list"),
    path("calls/<int:pk>/", calls.CallDetailApi.as_view(), name="api-call-detail"),
    path("calls/<int:call_id>/rubrics/", calls.RubricListCreateApi.as_view(), name="api-rubric-list"),
    path("calls/<int:call_id>/report/", CallReportApi.as_view(), name="api-call-report"),  # program staff
    path(R, calls.RubricDetailApi.as_view(), name="api-rubric-detail"),
    path(R + "publish/", calls.RubricPublishApi.as_view(), name="api-rubric-publish"),
    path(R + "criteria/", calls.CriterionCreateApi.as_view(), name="api-criterion-list"),
    path(R + "criteria/<int:criterion_pk>/", calls.CriterionDetailApi.as_view(), name="api-criterion-detail"),
    path("proposals/", proposals.ProposalListCreateApi.as_view(), name="api-proposal-list"),
    path("proposals.csv", proposals.ProposalCsvApi.as_view(), name="api-proposal-csv"),
    path(P, proposals.ProposalDetailApi.as_view(), name="api-proposal-detail"),
    path(P + "sites/", sites.SiteListCreateApi.as_view(), name="api-site-list"),
    path(P + "sites/<int:pk>/", sites.SiteDetailApi.as_view(), name="api-site-detail"),
    path(P + "line-items/", line_items.LineItemListCreateApi.as_view(), name="api-item-list"),
    path(P + "line-items/<int:pk>/", line_items.LineItemDetailApi.as_view(), name="api-item-detail"),
    path(P + "parties/", parties.PartyListCreateApi.as_view(), name="api-party-list"),
    path(P + "parties/<int:pk>/", parties.PartyDetailApi.as_view(), name="api-party-detail"),
    path(P + "documents/", documents.DocumentListCreateApi.as_view(), name="api-document-list"),
    path(P + "documents/<int:pk>/", documents.DocumentDetailApi.as_view(), name="api-document-detail"),
    path(P + "findings/", findings.FindingsApi.as_view(), name="api-proposal-findings"),
    path(P + "submit/", transitions.SubmitApi.as_view(), name="api-proposal-submit"),
    path(P + "withdraw/", transitions.WithdrawApi.as_view(), name="api-proposal-withdraw"),
    path(P + "copy/", drafts.ProposalCopyApi.as_view(), name="api-proposal-copy"),
    path(P + "revisions/", history.RevisionListApi.as_view(), name="api-revision-list"),
    path(P + "revisions/<int:number>/", history.RevisionDetailApi.as_view(), name="api-revision-detail"),
    path(P + "timeline/", history.TimelineApi.as_view(), name="api-proposal-timeline"),
    path(P + "progress/", history.ProgressApi.as_view(), name="api-proposal-progress"),
    path(
        P + "information-requests/",
        commerce.InformationRequestListApi.as_view(),
        name="api-information-request-list",
    ),
    path(
        "information-requests/<int:pk>/answer/",
        commerce.InformationRequestAnswerApi.as_view(),
        name="api-information-request-answer",
    ),
    path(P + "messages/", notify.MessageListApi.as_view(), name="api-message-list"),
    path(P + "notes/", notify.NoteListApi.as_view(), name="api-note-list"),
    path(
        P + "messages/files/<int:pk>/", notify.MessageAttachmentApi.as_view(), name="api-message-attachment"
    ),
    path(P + "papers/", papers.GeneratedDocumentListApi.as_view(), name="api-paper-list"),
    path(P + "papers/<slug:kind>/", papers.PaperDownloadApi.as_view(), name="api-paper-download"),
    path(
        P + "papers/<slug:kind>/<int:subject_id>/",
        papers.PaperSubjectDownloadApi.as_view(),
        name="api-paper-download-subject",
    ),
    path(P + "package/", papers.PackageDownloadApi.as_view(), name="api-package-download"),
    path(
        "consortia/<int:consortium_id>/members/",
        members.MemberListCreateApi.as_view(),
        name="api-member-list",
    ),
    path(
        "consortia/<int:consortium_id>/members/<int:member_id>/",
        members.MemberDetailApi.as_view(),
        name="api-member-detail",
    ),
    path("inbox/", notify.InboxListApi.as_view(), name="api-inbox"),
    path("inbox/unread-count/", notify.InboxCountApi.as_view(), name="api-inbox-count"),
    path("inbox/read-all/", notify.InboxReadAllApi.as_view(), name="api-inbox-read-all"),
    path("inbox/<int:pk>/read/", notify.InboxReadApi.as_view(), name="api-inbox-read"),
    path("me/notifications/", papers.NotificationPreferenceApi.as_view(), name="api-notification-preference"),
    path("", include("proposals.intake.api.bom")),
    path("commerce/", include(commerce_urls)),
    path("exim/", include("proposals.exim.api")),  # the EXIM track's operations
    path("evaluation/", include("proposals.evaluation.api")),  # panels, conflicts, scores, determinations
    path("register/", RegisterApi.as_view(), name="api-register"),  # public: no sign-in
    *router.urls,
]
