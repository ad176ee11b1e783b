"""/api/assignments/ (交办, with the agency's and the committee's steps), /api/extension-requests/
(延期申请, decided by staff) and /api/contacts/ (沟通记录)."""
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from proposals import services
from proposals.api.base import ACTION_ERRORS, FORMAT_PARAMETER, IF_MATCH_PARAMETER, TrackerViewSet
from proposals.api.errors import error_responses
from proposals.api.assignment_serializers import (
    AddCoSerializer,
    ApproveExtensionSerializer,
    AssignmentDetailSerializer,
    AssignmentListSerializer,
    ContactSerializer,
    DecideObjectionSerializer,
    ExtendSerializer,
    ExtensionRequestSerializer,
    ObjectSerializer,
    ReassignReasonSerializer,
    RefuseExtensionSerializer,
    RequestExtensionSerializer,
    UrgeManyResultSerializer,
    UrgeManySerializer,
    UrgeSerializer,
)
from proposals.filtersets import AssignmentFilterSet, ContactLogFilterSet, ExtensionRequestFilterSet
from proposals.selectors import visible_assignments, visible_contacts
from proposals.visibility import visible_extension_requests


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

    @assignment_step("改为主办(工作人员,须说明理由)", request=ReassignReasonSerializer,
                     description="在会办单位的交办上调用:该会办单位改为主办,原主办单位改为会办;双方的办理期限"
                                 "按新的办理方式自当日起依会议规则重新计算,各记一条 change_role 事件。")
    @action(detail=True, methods=["post"], url_path="swap-with-lead")
    def swap_with_lead(self, request, pk=None):
        return self.step(services.assignment_swap_with_lead, "assignment", **self.input(ReassignReasonSerializer))

    @extend_schema(summary="增加会办单位(工作人员,须说明理由)", request=AddCoSerializer,
                   description="在主办单位的交办上调用;返回新建的会办交办(201)。会办意见期限自当日起按会议规则计算;"
                               "此前被调整出去的单位可以再次交办。非本政协所在地区的单位须 allow_other_region=true。",
                   parameters=[IF_MATCH_PARAMETER], responses={201: AssignmentDetailSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"], url_path="add-co")
    def add_co(self, request, pk=None):
        added = []

        def add(**kwargs):  # the step on the lead's row (If-Match, 409), keeping the new assignment
            added.append(services.assignment_add_co(**kwargs))

        self.step(add, "assignment", **self.input(AddCoSerializer))
        return self.detail_response(added[0].pk, status.HTTP_201_CREATED)

    @assignment_step("撤销会办单位(工作人员,须说明理由)", request=ReassignReasonSerializer,
                     description="会办意见尚未提交的会办单位,其交办变为“已撤销”。")
    @action(detail=True, methods=["post"], url_path="drop-co")
    def drop_co(self, request, pk=None):
        return self.step(services.assignment_drop_co, "assignment", **self.input(ReassignReasonSerializer))

    @extend_schema(summary="申请延期(承办单位联络员,须说明理由)", request=RequestExtensionSerializer,
                   description="每个交办同时只能有一份待审批的申请;由提案委员会批准(POST /api/extension-requests/{id}/"
                               "approve/)或不同意(.../refuse/)。批准前办理期限不变。",
                   responses={201: ExtensionRequestSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None):
        assignment = self.get_object()
        created = services.extension_request(actor=request.user, assignment=assignment,
                                             **self.input(RequestExtensionSerializer))
        return Response(ExtensionRequestSerializer(created, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


    @assignment_step("催办(工作人员,须填写催办内容)", request=UrgeSerializer,
                     description="待签收、办理中或重新办理的交办(主办、分办或会办)均可催办;不改变状态和期限,"
                                 "记一条 urge 事件:催办内容仅提案委员会和该承办单位可见,data 记当时的办理期限"
                                 "(due_on)和逾期天数(days_overdue)。计入统计的 urged。")
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        return self.step(services.assignment_urge, "assignment", **self.input(UrgeSerializer))

    @extend_schema(summary="批量催办(工作人员)", request=UrgeManySerializer, operation_id="assignments_urge_many",
                   description="逐个催办 ids 所列的交办,每个一个事务:能催办的记入 urged;不能催办的(状态不允许、"
                               "不存在或无权查看)记入 skipped,附原因,不影响其他交办。同一 ID 只催办一次。",
                   responses={200: UrgeManyResultSerializer, **error_responses(400, 403)})
    @action(detail=False, methods=["post"], url_path="urge", url_name="urge-many")
    def urge_many(self, request):
        data = self.input(UrgeManySerializer)
        ids = list(dict.fromkeys(data["ids"]))
        # Only what the caller may see is looked up: any other id reads exactly as one that does not exist.
        found = {a.pk: a for a in self.get_queryset().filter(pk__in=ids)}
        result = services.assignment_urge_many(actor=request.user, assignments=[found[i] for i in ids if i in found],
                                               message=data["message"])
        reasons = {a.pk: reason for a, reason in result.skipped}
        not_found = _("不存在或无权查看")
        return Response({"urged": [a.pk for a in result.urged],
                         "skipped": [{"id": i, "reason": reasons[i] if i in found else not_found}
                                     for i in ids if i not in found or i in reasons]})


def extension_decision(summary, request, description=""):
    return extend_schema(summary=summary, description=description, request=request,
                         parameters=[IF_MATCH_PARAMETER], responses={200: ExtensionRequestSerializer, **ACTION_ERRORS})


@extend_schema_view(
    list=extend_schema(summary="延期申请列表(工作人员与申请单位)", parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary="延期申请详情", responses={
        200: ExtensionRequestSerializer, **error_responses(404)}),
)
class ExtensionRequestViewSet(TrackerViewSet):
    """延期申请: made by the agency on its assignment (POST /api/assignments/{id}/request-extension/),
    read by staff and the requesting agency, decided by staff. Its ETag is its assignment's
    version (proposals.api.base.versioned): the decision is a step on the assignment."""

    serializer_class = ExtensionRequestSerializer
    filterset_class = ExtensionRequestFilterSet
    export_filename = "extension-requests"

    def get_queryset(self):
        return visible_extension_requests(self.request.user).select_related("assignment__agency").order_by(
            "-requested_on", "-id")

    @extension_decision("批准延期申请(工作人员)", ApproveExtensionSerializer,
                        description="通过交办的延期操作批准:总期限自交办起不超过会议规定的最长月数(默认 6 个月);"
                                    "new_due_on 留空为申请的日期。")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.step(services.extension_request_approve, "extension_request",
                         **self.input(ApproveExtensionSerializer))

    @extension_decision("不同意延期申请(工作人员,须说明理由)", RefuseExtensionSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self.step(services.extension_request_refuse, "extension_request",
                         **self.input(RefuseExtensionSerializer))


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
