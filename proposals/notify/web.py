"""Pages for notify: the inbox (and its count in the header), and the messages on a proposal (the
thread the consortium and agency staff share, staff's notes)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from proposals.commerce.web import MultipleFileField
from proposals.core.errors import ApplicationError
from proposals.core.policy.text import NOTE_MAX_CHARS
from proposals.core.web.access import run_service
from proposals.core.web.context import NavItem
from proposals.core.web.fields import text_field
from proposals.core.web.paths import named_path
from proposals.notify.selectors import (
    access_inbox_item,
    access_message_attachment,
    access_thread,
    inbox_items_for,
    inbox_unread_count,
    messages_of,
)
from proposals.notify.services import (
    inbox_mark_all_read,
    inbox_mark_read,
    may_read_internal_notes,
    message_post,
)


class MessageForm(forms.Form):
    body = text_field(
        NOTE_MAX_CHARS,
        multiline=True,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 4}),
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


# --- The inbox ---------------------------------------------------------------------------------------

INBOX_PAGE_SIZE = 25
# The inbox page's one filter: its values, and the label the select shows.
INBOX_SHOW = {"all": "All notifications", "unread": "Unread only"}


def inbox_context(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """Context processor: `inbox_unread`, the header's count, read only when a page shows it (from the
    per-user cache: no query on a page once the count is cached, see selectors.inbox_unread_count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counted: list[int] = []

    def unread() -> int:
        if not counted:
            counted.append(inbox_unread_count(user))
        return counted[0]

    return {"inbox_unread": unread}


def notification_links(user: Any) -> list[NavItem]:
    """Navigation: everyone signed in chooses how they get e-mail (with the inbox beside it)."""
    return [NavItem("Notification settings", named_path("notification-preferences"))]


def _inbox_return(request: HttpRequest) -> HttpResponseRedirect:
    show = request.POST.get("show", "")
    return HttpResponseRedirect(reverse("inbox") + (f"?show={show}" if show in INBOX_SHOW else ""))


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "all")
    error = ""
    if show not in INBOX_SHOW:
        error = "Choose all notifications or unread only."
        show = "all"
    items = inbox_items_for(request.user, unread=True if show == "unread" else None)
    page = Paginator(items, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/inbox.html",
        {"page": page, "items": page.object_list, "show": show, "show_choices": INBOX_SHOW, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_inbox_item(request.user, pk)
    read = request.POST.get("read", "1") != "0"
    inbox_mark_read(user=request.user, item_id=item.pk, read=read)
    flash.success(request, f"Marked {'read' if read else 'unread'}: {item.title}")
    return _inbox_return(request)


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    changed = inbox_mark_all_read(user=request.user)
    flash.success(request, f"Marked {changed} notification{'' if changed == 1 else 's'} read.")
    return _inbox_return(request)
