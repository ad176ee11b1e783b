"""/api/assignments/ (交办, with the agency's steps) and /api/contacts/ (沟通记录)."""
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from proposals import services
from proposals.api.base import ACTION_ERRORS, FORMAT_PARAMETER, IF_MATCH_PARAMETER, TrackerViewSet
from proposals.api.errors import error_responses
from proposals.api.proposal_serializers import (
    AssignmentDetailSerializer,
    AssignmentListSerializer,
    ContactSerializer,
    DecideObjectionSerializer,
    ExtendSerializer,
    ObjectSerializer,
)
from proposals.filtersets import AssignmentFilterSet, ContactLogFilterSet
from proposals.selectors import visible_assignments, visible_contacts


def assignment_step(summary, request=None, description=""):
    return extend_schema(summary=summary, description=description, request=request,
                         parameters=[IF_MATCH_PARAMETER], responses={200: AssignmentDetailSerializer, **ACTION_ERRORS})


@extend_schema_view(
    list=extend_schema(summary="交办列表", parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary="交办详情(含期限计算说明)", responses={
        200: AssignmentDetailSerializer, **error_responses(404)}),
)
class AssignmentViewSet(TrackerViewSet):
    serializer_class = AssignmentDetailSerializer
    list_serializer_class = AssignmentListSerializer
    filterset_class = AssignmentFilterSet
    export_filename = "assignments"

    def get_queryset(self):
        return visible_assignments(self.request.user).select_related(
            "proposal__session__committee", "agency").order_by("proposal_id", "role", "id")

    @assignment_step("签收(承办单位)")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self.step(services.assignment_acknowledge, "assignment")

    @assignment_step("交办异议(承办单位,异议期内,须说明理由)", request=ObjectSerializer,
                     description="默认交办后 5 个工作日内(会议规则 objection_working_days)。")
    @action(detail=True, methods=["post"], url_path="object", url_name="object")
    def object_(self, request, pk=None):
        return self.step(services.assignment_object, "assignment", **self.input(ObjectSerializer))

    @assignment_step("处理交办异议(工作人员)", request=DecideObjectionSerializer)
    @action(detail=True, methods=["post"], url_path="decide-objection")
    def decide_objection(self, request, pk=None):
        return self.step(services.assignment_decide_objection, "assignment", **self.input(DecideObjectionSerializer))

    @assignment_step("延期(工作人员批准,总期限不超过 6 个月)", request=ExtendSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self.step(services.assignment_extend, "assignment", **self.input(ExtendSerializer))


@extend_schema_view(
    list=extend_schema(summary="沟通记录列表", parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary="沟通记录详情", responses={200: ContactSerializer, **error_responses(404)}),
    create=extend_schema(summary="记录与提案人的沟通(承办单位)", request=ContactSerializer, responses={
        201: ContactSerializer, **error_responses(400, 403)}),
)
class ContactViewSet(TrackerViewSet):
    """办前/办中/办后沟通 ("三见面") recorded by the agency."""

    serializer_class = ContactSerializer
    filterset_class = ContactLogFilterSet
    export_filename = "contacts"

    def get_queryset(self):
        return visible_contacts(self.request.user).select_related("assignment__agency").order_by("-date", "-id")

    def create(self, request, *args, **kwargs):
        data = self.input(ContactSerializer)
        contact = services.contact_record(actor=request.user, **data)
        return Response(ContactSerializer(contact, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)
