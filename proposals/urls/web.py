"""Web routes: the dashboard, the consortium's proposal editor, the EXIM officer's workspace."""

from django.urls import path

from proposals.commerce import web as commerce
from proposals.documents.web import papers
from proposals.documents.web import uploads as documents
from proposals.evaluation import web as evaluation
from proposals.exim import web as exim
from proposals.intake.web import bom, calls, children, dashboard, drafts, editor, members, review
from proposals.notify import web as notify
from proposals.search import web as search

P = "proposals/<int:pk>/"
C = "consortia/<int:consortium_pk>/members/"
M = C + "<int:member_pk>/"
RV = "program/calls/<int:pk>/rubrics/<int:version>/"

urlpatterns = [
    path("", dashboard.dashboard, name="home"),
    path("proposals.csv", dashboard.proposals_csv, name="proposals-csv"),
    path("saved-filters/", search.saved_filter_add, name="saved-filter-create"),
    path("saved-filters/<int:pk>/delete/", search.saved_filter_remove, name="saved-filter-delete"),
    # The consortium's members (services.consortium): everyone in it reads; its lead changes them.
    path("consortia/", members.consortia, name="consortium-list"),
    path(C, members.members, name="consortium-members"),
    path(C + "existing/", members.member_add_existing, name="consortium-member-add-existing"),
    path(M, members.member_edit, name="consortium-member"),
    path(M + "delete/", members.member_delete, name="consortium-member-delete"),
    path(M + "make-anchor/", members.member_anchor, name="consortium-member-anchor"),
    path("proposals/new/", dashboard.proposal_new, name="proposal-create"),
    path("proposals/bom-template.csv", bom.bom_template, name="bom-template"),
    path(P, editor.overview, name="proposal-detail"),
    path(P + "consortium/", editor.consortium, name="proposal-consortium"),
    path(P + "financing/", editor.financing, name="proposal-financing"),
    path(P + "sites/", children.sites, name="proposal-sites"),
    path(P + "items/", children.items, name="proposal-items"),
    path(P + "items/import/", bom.bom_upload, name="proposal-items-import"),
    path(P + "items/import/<int:job_pk>/", bom.bom_import_job, name="proposal-items-import-job"),
    path(P + "parties/", children.parties, name="proposal-parties"),
    path(P + "parties/end-use/", children.end_use, name="proposal-end-use"),
    path(P + "documents/", documents.documents, name="proposal-documents"),
    path(P + "documents/<int:doc_pk>/", documents.document_download, name="proposal-document"),
    path(P + "documents/<int:doc_pk>/delete/", documents.document_remove, name="proposal-document-delete"),
    path(P + "submit/", review.submit, name="proposal-submit"),
    path(P + "withdraw/", review.withdraw, name="proposal-withdraw"),
    # Drafts (intake.services.drafts): delete a never-submitted one (confirmed), copy any visible one.
    path(P + "delete/", drafts.delete, name="proposal-delete"),
    path(P + "copy/", drafts.copy, name="proposal-copy"),
    path(P + "timeline/", review.timeline, name="proposal-timeline"),
    path(P + "progress/", review.progress, name="proposal-progress"),
    path(P + "checklist/", review.checklist, name="proposal-checklist"),
    # Generated papers (dossier, letters) and the dossier package
    path(P + "papers/<slug:kind>.pdf", papers.paper_download, name="paper-download"),
    path(P + "papers/<slug:kind>/<int:subject_id>.pdf", papers.paper_download, name="paper-download-subject"),
    path(P + "package.zip", papers.package_download, name="package-download"),
    path("account/notifications/", papers.notification_preferences, name="notification-preferences"),
    # The user's in-app inbox (proposals.notify): every event that e-mails them, read or unread.
    path("inbox/", notify.inbox, name="inbox"),
    path("inbox/read-all/", notify.inbox_read_all, name="inbox-read-all"),
    path("inbox/<int:pk>/read/", notify.inbox_read, name="inbox-read"),
    path(P + "status/", review.status, name="proposal-status"),
    path(P + "messages/", notify.thread, name="proposal-messages"),
    path(P + "notes/", notify.notes, name="proposal-notes"),
    path(
        P + "messages/files/<int:attachment_pk>/",
        notify.attachment_download,
        name="proposal-message-attachment",
    ),
    path(
        P + "requests/<int:rfi_pk>/",
        commerce.information_request_answer_page,
        name="proposal-information-request",
    ),
    # Program staff: calls for proposals and their rubric versions
    path("program/calls/", calls.call_list, name="program-calls"),
    path("program/calls/new/", calls.call_new, name="program-call-create"),
    path("program/calls/<int:pk>/", calls.call_edit, name="program-call"),
    path("program/calls/<int:pk>/rubrics/", calls.rubric_new, name="program-rubric-create"),
    path("program/calls/<int:pk>/report/", evaluation.call_report_page, name="program-call-report"),
    path("program/calls/<int:pk>/report.csv", evaluation.call_report_csv, name="program-call-report-csv"),
    path(RV, calls.rubric_detail, name="program-rubric"),
    path(RV + "publish/", calls.rubric_publish_view, name="program-rubric-publish"),
    path(RV + "criteria/<int:criterion_pk>/", calls.criterion_edit, name="program-criterion"),
    path(RV + "criteria/<int:criterion_pk>/delete/", calls.criterion_remove, name="program-criterion-delete"),
    # Commerce reviewer's workspace
    path("commerce/", commerce.queue, name="commerce-queue"),
    path("commerce/proposals/<int:pk>/", commerce.proposal_detail, name="commerce-proposal"),
    path("commerce/proposals/<int:pk>/assign/", commerce.assign, name="commerce-assign"),
    path("commerce/proposals/<int:pk>/screen/", commerce.screen_again, name="commerce-screen"),
    path("commerce/proposals/<int:pk>/rfi/", commerce.information_request, name="commerce-rfi"),
    path("commerce/proposals/<int:pk>/gates/bulk/", commerce.bulk_decision, name="commerce-bulk"),
    path("commerce/gates/<int:pk>/decide/", commerce.gate_decision, name="commerce-gate-decide"),
    path("commerce/hits/<int:pk>/adjudicate/", commerce.hit_adjudication, name="commerce-hit-adjudicate"),
    # EXIM officer's workspace
    path("exim/", exim.pipeline, name="exim-pipeline"),
    path("exim/pipeline.csv", exim.pipeline_csv, name="exim-pipeline-csv"),
    path("exim/dashboard/", exim.dashboard, name="exim-dashboard"),
    path("exim/deals/<int:pk>/", exim.deal_detail, name="exim-deal"),
    path("exim/deals/<int:pk>/transition/", exim.deal_transition, name="exim-deal-transition"),
    path("exim/deals/<int:pk>/target-date/", exim.deal_target_date, name="exim-deal-target-date"),
    # Evaluation: the program officer's and the evaluators' workspace
    path("evaluation/", evaluation.panel_list, name="evaluation-panels"),
    path(
        "evaluation/proposals/<int:proposal_pk>/panel/", evaluation.panel_form, name="evaluation-form-panel"
    ),
    path("evaluation/panels/<int:pk>/", evaluation.panel_detail, name="evaluation-panel"),
    path(
        "evaluation/panels/<int:pk>/conflicts/", evaluation.conflict_declaration, name="evaluation-conflicts"
    ),
    path("evaluation/panels/<int:pk>/scores/", evaluation.score_sheet, name="evaluation-scores"),
    path("evaluation/panels/<int:pk>/summary/", evaluation.panel_summary, name="evaluation-summary"),
    path(
        "evaluation/panels/<int:pk>/determination/", evaluation.determination, name="evaluation-determination"
    ),
    path("evaluation/panels/<int:pk>/transition/", evaluation.panel_transition, name="evaluation-transition"),
    # The public register of priority AI export packages (no sign-in)
    path("register/", evaluation.register, name="register"),
    path("register.csv", evaluation.register_csv, name="register-csv"),
    path("register/feed/", evaluation.RegisterFeed(), name="register-feed"),
]

for plural, kind in (("sites", "site"), ("items", "item"), ("parties", "party")):
    urlpatterns += [
        path(f"{P}{plural}/<int:child_pk>/", children.child_edit, {"kind": kind}, name=f"proposal-{kind}"),
        path(
            f"{P}{plural}/<int:child_pk>/delete/",
            children.child_remove,
            {"kind": kind},
            name=f"proposal-{kind}-delete",
        ),
    ]
