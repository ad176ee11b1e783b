"""/api/proposals/: the list and detail the selectors allow, the draft, and one POST action
per workflow step, each calling its service (proposals.services)."""
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from proposals import services
from proposals.api.base import ACTION_ERRORS, FORMAT_PARAMETER, IF_MATCH_PARAMETER, TrackerViewSet
from proposals.api.errors import error_responses
from proposals.api.proposal_serializers import (
    AssignSerializer,
    CoSignInviteSerializer,
    MarkKeySerializer,
    MergeSerializer,
    NoteSerializer,
    OptionalReasonSerializer,
    ProposalCreateSerializer,
    ProposalDetailSerializer,
    ProposalListSerializer,
    ReasonSerializer,
    SuperviseSerializer,
)
from proposals.filtersets import ProposalFilterSet
from proposals.models import CoSignInvitation
from proposals.roles import proposer_id
from proposals.services import cosigning
from proposals.selectors import proposal_brief_list, proposal_detail_list

# Latest session first, then the number in natural order (第9号 before 第10号); id breaks ties.
DEFAULT_ORDERING = ("-session_id", "number_sort", "id")


def proposal_step(summary, request=None, description=""):
    return extend_schema(summary=summary, description=description, request=request,
                         parameters=[IF_MATCH_PARAMETER], responses={200: ProposalDetailSerializer, **ACTION_ERRORS})


@extend_schema_view(
    list=extend_schema(summary="提案列表", parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary="提案详情(含各交办的期限计算说明)", responses={
        200: ProposalDetailSerializer, **error_responses(404)}),
    create=extend_schema(summary="起草提案", request=ProposalCreateSerializer, responses={
        201: ProposalDetailSerializer, **error_responses(400, 403, 409)}, description=(
        "委员起草:起草人即第一提案人,invite 所列提案人收到联名邀请,同意后才成为提案人。"
        "工作人员录入纸质提案:proposers 按签名顺序列出全部提案人。"
        "提案号留空则自动编号:本次会议纯数字提案号中最大者加一,保留其前导零(0325 之后为 0326);"
        "与同时起草的提案冲突时顺延重试,多次冲突返回 409。")),
)
class ProposalViewSet(TrackerViewSet):
    serializer_class = ProposalDetailSerializer
    list_serializer_class = ProposalListSerializer
    filterset_class = ProposalFilterSet
    export_filename = "proposals"

    def get_queryset(self):
        if self.action == "list":
            return proposal_brief_list(user=self.request.user).order_by(*DEFAULT_ORDERING)
        return proposal_detail_list(user=self.request.user).order_by(*DEFAULT_ORDERING)

    def create(self, request, *args, **kwargs):
        data = self.input(ProposalCreateSerializer)
        proposal = services.proposal_create(actor=request.user, **data)
        return self.detail_response(proposal.pk, status.HTTP_201_CREATED)

    # --- 联名 (services.cosigning) -------------------------------------------------------------

    @proposal_step("邀请联名(起草人或工作人员,仅草稿)", request=CoSignInviteSerializer,
                   description="受邀人在确认期限(默认 3 个工作日,按工作日历计算)内同意后才成为提案人。")
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        return self.step(cosigning.cosign_invite, "proposal", invitees=self.input(CoSignInviteSerializer)["invite"])

    def answer_invitation(self, service):
        """Answer the user's own invitation to the proposal of the URL. Found through the
        invitation, not the proposals the user may see: an answer after the window (when the
        draft is no longer shown to the member) is told so, and the expiry it records stays (no
        surrounding transaction undoes it: TrackerViewSet.step lets a refusal commit what the
        service committed). 404 for a user never invited; If-Match as for every step."""
        user = self.request.user
        own = proposer_id(user)
        pk = self.kwargs["pk"]
        invitation = (CoSignInvitation.objects.select_related("proposal").filter(
            proposal_id=pk, proposer_id=own).first() if own and str(pk).isdigit() else None)
        if invitation is None:
            raise Http404
        return self.step(service, "proposal", instance=invitation.proposal)

    @extend_schema(summary="同意联名(受邀人,确认期限内)", request=None,
                   description="同意后成为提案人,按同意的先后排在已署名的提案人之后。确认期限已过的,返回 400 并记为逾期未确认。",
                   parameters=[IF_MATCH_PARAMETER],
                   responses={200: ProposalDetailSerializer, **error_responses(400, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="accept-invitation")
    def accept_invitation(self, request, pk=None):
        return self.answer_invitation(cosigning.cosign_accept)

    @extend_schema(summary="拒绝联名(受邀人,确认期限内)", request=None,
                   description="拒绝后受邀人不再看到该草稿,响应只含提案 id。确认期限已过的,返回 400 并记为逾期未确认。",
                   parameters=[IF_MATCH_PARAMETER],
                   responses={200: ProposalDetailSerializer, **error_responses(400, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="decline-invitation")
    def decline_invitation(self, request, pk=None):
        return self.answer_invitation(cosigning.cosign_decline)

    @proposal_step("提交提案(提案人或工作人员)", request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.step(services.proposal_submit, "proposal")

    @proposal_step("撤案(办理答复前)", request=OptionalReasonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.step(services.proposal_withdraw, "proposal", **self.input(OptionalReasonSerializer))

    @proposal_step("立案(工作人员)", request=NoteSerializer)
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        return self.step(services.proposal_file, "proposal", **self.input(NoteSerializer))

    @proposal_step("不予立案(工作人员,须说明理由)", request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.step(services.proposal_reject, "proposal", **self.input(ReasonSerializer))

    @proposal_step("转为意见建议(工作人员,须说明理由)", request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        return self.step(services.proposal_convert, "proposal", **self.input(ReasonSerializer))

    @proposal_step("并案(工作人员)", request=MergeSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        return self.step(services.proposal_merge, "proposal", **self.input(MergeSerializer))

    @proposal_step("交办(工作人员):主办加会办,或分办", request=AssignSerializer,
                   description="期限按会议规则计算(默认答复 3 个月、会办意见 1 个月、异议 5 个工作日)。")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self.step(services.proposal_assign, "proposal", **self.input(AssignSerializer))

    @proposal_step("设为或取消重点提案(工作人员)", request=MarkKeySerializer)
    @action(detail=True, methods=["post"], url_path="mark-key")
    def mark_key(self, request, pk=None):
        return self.step(services.proposal_mark_key, "proposal", **self.input(MarkKeySerializer))

    @proposal_step("记录督办(工作人员,仅重点提案)", request=SuperviseSerializer)
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        return self.step(services.supervision_record, "proposal", **self.input(SuperviseSerializer))
