"""/api/replies/ (答复 and 会办意见), /api/feedback/ (征询意见) and /api/reference-documents/."""
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from proposals.api.base import ACTION_ERRORS, FORMAT_PARAMETER, IF_MATCH_PARAMETER, TrackerViewSet
from proposals.api.errors import error_responses
from proposals.api.proposal_serializers import NoteSerializer, ProposalDetailSerializer
from proposals.api.proposal_views import ProposalViewSet
from replies import services
from replies.corrections import CORRECTABLE, reply_correct
from replies.api.serializers import (
    FeedbackCreateSerializer,
    FeedbackSerializer,
    ReferenceDocumentListSerializer,
    ReferenceDocumentSerializer,
    ReplyCorrectionSerializer,
    ReplyDetailSerializer,
    ReplyListSerializer,
    ReplyWriteSerializer,
)
from replies.filtersets import FeedbackFilterSet, ReferenceDocumentFilterSet, ReplyFilterSet
from replies.models import ReferenceDocument
from replies.selectors import reply_list, visible_feedback


def reply_step(summary, description=""):
    return extend_schema(summary=summary, description=description, request=None, parameters=[IF_MATCH_PARAMETER],
                         responses={200: ReplyDetailSerializer, **ACTION_ERRORS})


@extend_schema_view(
    list=extend_schema(summary="答复与会办意见列表", parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary="答复详情", responses={200: ReplyDetailSerializer, **error_responses(404)}),
    create=extend_schema(summary="起草答复或会办意见(承办单位)", request=ReplyWriteSerializer, responses={
        201: ReplyDetailSerializer, **error_responses(400, 403)}),
    partial_update=extend_schema(summary="修改答复草稿(承办单位)", request=ReplyWriteSerializer, responses={
        200: ReplyDetailSerializer, **error_responses(400, 403, 404, 409)}),
)
class ReplyViewSet(TrackerViewSet):
    """A co-handler's assignment gets a 会办意见, a lead's or separate agency's a 答复."""

    serializer_class = ReplyDetailSerializer
    list_serializer_class = ReplyListSerializer
    filterset_class = ReplyFilterSet
    export_filename = "replies"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return reply_list(user=self.request.user).order_by("-updated_at", "-id")

    def create(self, request, *args, **kwargs):
        data = dict(self.input(ReplyWriteSerializer))
        reply = services.reply_create(actor=request.user, **data)
        return self.detail_response(reply.pk, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        reply = self.get_object()
        serializer = ReplyWriteSerializer(reply, data=request.data, partial=True,
                                          context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return self.step(services.reply_update, "reply", **serializer.validated_data)

    @reply_step("提交答复或会办意见(承办单位,须先签收)",
                description="答复送达后进入征询意见期(默认 15 个工作日)。")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.step(services.reply_submit, "reply")

    @reply_step("公开答复(工作人员,仅主动公开的答复)")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self.step(services.reply_publish, "reply")

    @extend_schema(summary="更正答复的成文日期、送达日期或文号(工作人员,须说明理由)", request=ReplyCorrectionSerializer,
                   parameters=[IF_MATCH_PARAMETER], responses={200: ReplyDetailSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        data = self.input(ReplyCorrectionSerializer)
        changes = {name: data[name] for name in CORRECTABLE if name in data}
        return self.step(reply_correct, "reply", reason=data["reason"], **changes)


@extend_schema_view(
    list=extend_schema(summary="满意度测评列表", parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary="满意度测评详情", responses={200: FeedbackSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="评价答复(提案人本人,或工作人员代为录入)", request=FeedbackCreateSerializer,
        description="不满意将使提案重新办理(默认 1 个月);满意或基本满意且各答复均已评价则办结。",
        responses={201: FeedbackSerializer, **error_responses(400, 403, 409)}),
)
class FeedbackViewSet(TrackerViewSet):
    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilterSet
    export_filename = "feedback"

    def get_queryset(self):
        return visible_feedback(self.request.user).select_related(
            "proposer", "reply__assignment__agency", "reply__assignment__proposal__session__committee",
        ).order_by("-given_on", "-id")

    def create(self, request, *args, **kwargs):
        data = self.input(FeedbackCreateSerializer)
        feedback = services.feedback_give(actor=request.user, **data)
        instance = self.get_queryset().filter(pk=feedback.pk).first() or feedback
        return Response(FeedbackSerializer(instance, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="参考文件列表(语料中非答复的文件)", parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary="参考文件详情", responses={
        200: ReferenceDocumentSerializer, **error_responses(404)}),
)
class ReferenceDocumentViewSet(TrackerViewSet):
    serializer_class = ReferenceDocumentSerializer
    list_serializer_class = ReferenceDocumentListSerializer
    filterset_class = ReferenceDocumentFilterSet
    export_filename = "reference-documents"

    def get_queryset(self):
        return ReferenceDocument.objects.select_related("source").order_by("-document_date", "title", "id")


class ProposalCloseViewSet(ProposalViewSet):
    """POST /api/proposals/{id}/close/: 办结 belongs with the replies and ratings that decide it
    (replies.services.check_close); the proposal is read and answered as in ProposalViewSet."""

    @extend_schema(summary="办结(工作人员)", request=NoteSerializer, parameters=[IF_MATCH_PARAMETER],
                   responses={200: ProposalDetailSerializer, **ACTION_ERRORS})
    def close(self, request, pk=None):
        return self.step(services.proposal_close, "proposal", **self.input(NoteSerializer))
