"""Pages for messages on a proposal: the thread the consortium and agency staff share, staff's notes."""

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from proposals.commerce.web import MultipleFileField
from proposals.core.errors import ApplicationError
from proposals.core.web.access import run_service
from proposals.notify.selectors import access_message_attachment, access_thread, messages_of
from proposals.notify.services import may_read_internal_notes, message_post


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Mention someone with @username; they get an e-mail.",
    )
    attachments = MultipleFileField(
        required=False, label="Attach files (optional)", help_text="PDF, PNG, JPEG, DOCX or XLSX."
    )


def _thread(request: HttpRequest, pk: int, *, internal: bool) -> HttpResponse:
    proposal = access_thread(request.user, pk, internal=internal)
    form = MessageForm()
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        try:
            posted = run_service(
                form,
                lambda: message_post(
                    proposal_id=proposal.pk,
                    actor=request.user,
                    body=form.cleaned_data["body"],
                    internal=internal,
                    attachments=form.cleaned_data["attachments"],
                ),
            )
        except ApplicationError as exc:
            flash.error(request, exc.message)
            return HttpResponseRedirect(request.path)
        if posted:
            flash.success(request, "Note added." if internal else "Message sent.")
            return HttpResponseRedirect(request.path + "#latest")
    context: dict[str, Any] = {
        "proposal": proposal,
        "internal": internal,
        "thread": list(messages_of(proposal=proposal, internal=internal)),
        "form": form,
        "staff": may_read_internal_notes(request.user),
    }
    return render(request, "notify/thread.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread(request, pk, internal=False)


@login_required
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread(request, pk, internal=True)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = access_message_attachment(request.user, pk, attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
