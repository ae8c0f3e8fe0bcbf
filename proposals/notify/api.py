"""/api/proposals/<id>/messages/ and /notes/ (the shared thread and agency staff's internal notes), and
/api/inbox/ (the caller's in-app notifications)."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.core.api.base import parse
from proposals.core.api.errors import error_responses
from proposals.core.api.fields import text_input
from proposals.core.api.parsers import JSONParser, MultiPartParser
from proposals.core.policy.text import NOTE_MAX_CHARS
from proposals.notify.models import InboxItem, Message
from proposals.notify.selectors import (
    access_inbox_item,
    access_message_attachment,
    access_thread,
    inbox_items_for,
    inbox_unread_count,
    messages_of,
)
from proposals.notify.services import inbox_mark_all_read, inbox_mark_read, message_post


class MessageAttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment: Any) -> str:
        return reverse(
            "api-message-attachment",
            kwargs={"proposal_id": attachment.message.proposal_id, "pk": attachment.pk},
        )


class MessageOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_username", default=None)
    mentioned = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    attachments = MessageAttachmentOutput(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "proposal", "internal", "author", "body", "mentioned", "attachments", "created_at"]
        read_only_fields = fields


class MessageInput(serializers.Serializer):
    body = text_input(
        NOTE_MAX_CHARS, multiline=True, help_text="@username mentions a user, who gets an e-mail."
    )
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        help_text="Files (multipart/form-data, repeat the field), validated as document uploads.",
    )


class _ThreadApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, JSONParser]
    internal = False

    def get(self, request: Request, proposal_id: int) -> Response:
        proposal = access_thread(request.user, proposal_id, internal=self.internal)
        return Response(MessageOutput(messages_of(proposal=proposal, internal=self.internal), many=True).data)

    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = access_thread(request.user, proposal_id, internal=self.internal)
        data = parse(MessageInput, request)
        message = message_post(proposal_id=proposal.pk, actor=request.user, internal=self.internal, **data)
        message = messages_of(proposal=proposal, internal=self.internal).get(pk=message.pk)
        return Response(MessageOutput(message).data, status=status.HTTP_201_CREATED)


_POST = extend_schema(
    request={"multipart/form-data": MessageInput, "application/json": MessageInput},
    responses={201: MessageOutput, **error_responses(400, 404, 409)},
)
_GET = extend_schema(responses={200: MessageOutput(many=True), **error_responses(404)})


class MessageListApi(_ThreadApi):
    """The thread the consortium and agency staff share, oldest first; post to it."""

    @_GET
    def get(self, request: Request, proposal_id: int) -> Response:
        return super().get(request, proposal_id)

    @_POST
    def post(self, request: Request, proposal_id: int) -> Response:
        return super().post(request, proposal_id)


class NoteListApi(_ThreadApi):
    """Internal notes: agency staff only (a 404 for anyone else, the consortium included)."""

    internal = True

    @_GET
    def get(self, request: Request, proposal_id: int) -> Response:
        return super().get(request, proposal_id)

    @_POST
    def post(self, request: Request, proposal_id: int) -> Response:
        return super().post(request, proposal_id)


class MessageAttachmentApi(APIView):
    """One message's file, for whoever may read the message."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): bytes, **error_responses(404)})
    def get(self, request: Request, proposal_id: int, pk: int) -> FileResponse:
        attachment = access_message_attachment(request.user, proposal_id, pk)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


# --- /api/inbox/: the user's in-app notifications ------------------------------------------------------


class InboxFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at",
        lookup_expr="isnull",
        help_text="true: only unread items; false: only read ones. Leave out for all.",
    )

    class Meta:
        model = InboxItem
        fields = ["unread"]


class InboxItemOutput(serializers.ModelSerializer):
    read = serializers.BooleanField(source="is_read", read_only=True)
    url = serializers.CharField(read_only=True, help_text="Path of the page the item is about.")

    class Meta:
        model = InboxItem
        fields = ["id", "event", "title", "proposal", "url", "read", "read_at", "created_at"]
        read_only_fields = fields


class InboxReadInput(serializers.Serializer):
    read = serializers.BooleanField(default=True, help_text="false marks the item unread again.")


class InboxCountOutput(serializers.Serializer):
    unread = serializers.IntegerField()


class InboxListApi(generics.ListAPIView):
    """The caller's inbox, newest first: every event that e-mails them lands here too. Filter with
    `?unread=true`."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = InboxItemOutput
    filterset_class = InboxFilter

    def get_queryset(self) -> QuerySet[InboxItem]:
        if getattr(self, "swagger_fake_view", False):
            return InboxItem.objects.none()
        return inbox_items_for(self.request.user)


class InboxCountApi(APIView):
    """How many of the caller's inbox items are unread (the figure the page header shows)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: InboxCountOutput})
    def get(self, request: Request) -> Response:
        return Response({"unread": inbox_unread_count(request.user)})


class InboxReadApi(APIView):
    """Mark one of the caller's items read (`{"read": false}`: unread again). Another user's item is a 404."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(request=InboxReadInput, responses={200: InboxItemOutput, **error_responses(400, 404)})
    def post(self, request: Request, pk: int) -> Response:
        access_inbox_item(request.user, pk)
        data = parse(InboxReadInput, request)
        item = inbox_mark_read(user=request.user, item_id=pk, read=data["read"])
        return Response(InboxItemOutput(item).data)


class InboxReadAllApi(APIView):
    """Mark every unread item of the caller read; answers how many are unread now (0)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: InboxCountOutput})
    def post(self, request: Request) -> Response:
        inbox_mark_all_read(user=request.user)
        return Response({"unread": inbox_unread_count(request.user)})
