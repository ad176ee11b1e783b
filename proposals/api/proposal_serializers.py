"""Serializers of proposals, their proposers, invitations and supervision, and the inputs of
their workflow actions (assignments: assignment_serializers.py). Every status is read-only: it
changes through the actions only.

The list and detail serializers of proposals write their output in
``represent`` (see represent.py: the same keys as their declared fields, without DRF's
per-field machinery); the declared fields describe them to the schema and the exports."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from proposals.extensions import registry
from proposals.visibility import invitation_visible
from proposals.models import Agency, Assignment, CoSignInvitation, Proposal, Proposer, Session, SupervisionLog
from proposals.selectors import proposal_days_overdue, today
from proposals.services.cosigning import effective_status, is_open

from .fields import PlausibleDateField
from .represent import (
    FastRepresentation,
    agency_brief,
    date,
    datetime,
    label,
    proposal_brief,
    proposer_brief,
    session_brief,
)
from .assignment_serializers import ProposalAssignmentSerializer
from .serializers import (
    AgencyBriefSerializer,
    LabelField,
    ProposalBriefSerializer,
    ProposerBriefSerializer,
    SessionBriefSerializer,
    viewer_of,
)

def lead_assignment(proposal):
    """The current lead assignment, from the prefetched assignments (no query)."""
    if hasattr(proposal, "lead_assignments"):  # proposal_brief_list
        return proposal.lead_assignments[0] if proposal.lead_assignments else None
    for assignment in proposal.assignments.all():
        if assignment.role == Assignment.Role.LEAD and assignment.is_current:
            return assignment
    return None


def lead_signature(proposal):
    """The lead proposer's signature, from the prefetched signatures (no query)."""
    signatures = getattr(proposal, "lead_signatures", None)
    if signatures is None:
        signatures = proposal.signatures.all()
    return signatures[0] if signatures else None


class ProposalListSerializer(FastRepresentation, serializers.ModelSerializer):
    session = SessionBriefSerializer(read_only=True, label=_("会议"))
    status_label = LabelField("status")
    lead_proposer = serializers.SerializerMethodField(label=_("第一提案人"))
    lead_agency = serializers.SerializerMethodField(label=_("主办单位"))
    overdue_days = serializers.SerializerMethodField(label=_("超期天数"), help_text=_("超过最近期限的天数(未超期为 0)"))

    class Meta:
        model = Proposal
        fields = ["id", "session", "number", "title", "topic", "status", "status_label", "is_key", "lead_proposer",
                  "lead_agency", "submitted_on", "next_due_on", "overdue_days", "updated_at"]
        read_only_fields = fields

    def get_lead_proposer(self, obj) -> ProposerBriefSerializer(allow_null=True):
        signature = lead_signature(obj)
        return proposer_brief(signature.proposer) if signature else None

    def get_lead_agency(self, obj) -> AgencyBriefSerializer(allow_null=True):
        lead = lead_assignment(obj)
        return agency_brief(lead.agency) if lead else None

    def get_overdue_days(self, obj) -> int:
        return proposal_days_overdue(obj)

    def represent(self, obj) -> dict:
        if not hasattr(self, "_today"):
            self._today = today()
        signature, lead = lead_signature(obj), lead_assignment(obj)
        return {
            "id": obj.pk, "session": self.brief("session", obj.session, session_brief), "number": obj.number,
            "title": obj.title, "topic": obj.topic, "status": obj.status,
            "status_label": label(Proposal, "status", obj.status), "is_key": obj.is_key,
            "lead_proposer": proposer_brief(signature.proposer) if signature else None,
            "lead_agency": agency_brief(lead.agency) if lead else None,
            "submitted_on": date(obj.submitted_on), "next_due_on": date(obj.next_due_on),
            "overdue_days": proposal_days_overdue(obj, self._today), "updated_at": datetime(obj.updated_at),
        }


class SignatureSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True, label=_("顺序"), help_text=_("0 为第一提案人"))
    proposer = ProposerBriefSerializer(read_only=True, label=_("提案人"))


class SupervisionLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisionLog
        fields = ["id", "date", "leader", "note"]
        read_only_fields = fields


def merged_into(proposal):
    """The proposal this one was merged into, with what its brief form shows (one query, and
    only for a merged proposal; proposal_detail_list does not join it)."""
    if "merged_into" not in proposal._state.fields_cache:
        proposal.merged_into = Proposal.objects.select_related("session__committee").only(
            "id", "number", "title", "status", "session__term", "session__number", "session__committee__name",
        ).get(pk=proposal.merged_into_id)
    return proposal.merged_into


def supervision_log(log) -> dict:
    return {"id": log.pk, "date": date(log.date), "leader": log.leader, "note": log.note}


class CoSignInvitationSerializer(serializers.Serializer):
    """联名邀请 (services.cosigning), as everyone who sees the proposal reads it."""

    id = serializers.IntegerField(read_only=True)
    proposer = ProposerBriefSerializer(read_only=True, label=_("受邀提案人"))
    status = serializers.ChoiceField(choices=CoSignInvitation.Status.choices, read_only=True, label=_("状态"),
                                     help_text=_("invited 待确认、accepted 已同意、declined 已拒绝、expired 逾期未确认"
                                                 "(确认截止日期已过即为 expired)"))
    status_label = serializers.CharField(read_only=True, label=_("状态名称"))
    invited_on = serializers.DateField(read_only=True, label=_("邀请日期"))
    due_on = serializers.DateField(read_only=True, label=_("确认截止日期"), help_text=_("最后一天仍可答复"))
    responded_on = serializers.DateField(read_only=True, allow_null=True, label=_("答复日期"))
    is_open = serializers.BooleanField(read_only=True, label=_("可答复"), help_text=_("受邀人现在是否可以同意或拒绝"))


def invitation_brief(invitation, on) -> dict:
    status = effective_status(invitation, on)
    return {"id": invitation.pk, "proposer": proposer_brief(invitation.proposer), "status": status,
            "status_label": label(CoSignInvitation, "status", status), "invited_on": date(invitation.invited_on),
            "due_on": date(invitation.due_on), "responded_on": date(invitation.responded_on),
            "is_open": invitation.proposal.status == Proposal.Status.DRAFT and is_open(invitation, on)}


class ProposalDetailSerializer(ProposalListSerializer):
    proposers = SignatureSerializer(source="signatures", many=True, read_only=True, label=_("提案人"))
    merged_into = ProposalBriefSerializer(read_only=True, allow_null=True, label=_("并入提案"))
    merged_proposals = serializers.SerializerMethodField(label=_("并入本案的提案"))
    assignments = ProposalAssignmentSerializer(many=True, read_only=True, label=_("交办"))
    supervision_logs = serializers.SerializerMethodField(label=_("督办记录"))
    invitations = serializers.SerializerMethodField(label=_("联名邀请"), help_text=_("只有同意的受邀人才成为提案人"))

    class Meta(ProposalListSerializer.Meta):
        fields = ProposalListSerializer.Meta.fields + [
            "body", "proposers", "proposers_more", "invitations", "review_reason", "reviewed_at", "merged_into",
            "merged_proposals", "supervising_leader", "filed_on", "closed_on", "created_at", "assignments",
            "supervision_logs"]
        read_only_fields = fields

    def get_fields(self):
        """The declared fields, with those other apps add (proposals.extensions) after the assignments."""
        return _after_assignments(super().get_fields(),
                                  {name: extra.field() for name, extra in registry.proposal_detail_fields.items()})

    def _supervision_logs(self, obj):
        if getattr(obj, "has_supervision", True) is False:
            return []
        return obj.supervision_logs.order_by("date", "id")

    def _merged_proposals(self, obj):
        from proposals.selectors import proposal_visibility_q

        if getattr(obj, "has_merged", True) is False:
            return []
        request = self.context.get("request")
        merged = obj.merged_proposals.filter(proposal_visibility_q(getattr(request, "user", None)))
        return merged.select_related("session__committee").order_by("session_id", "number_sort", "id")

    def get_supervision_logs(self, obj) -> SupervisionLogSerializer(many=True):
        return SupervisionLogSerializer(self._supervision_logs(obj), many=True).data

    def get_invitations(self, obj) -> CoSignInvitationSerializer(many=True):
        on = today()
        return [invitation_brief(invitation, on) for invitation in self._invitations(obj)]

    def _invitations(self, obj):
        """The invitations this reader may see (proposals.visibility.invitation_visible)."""
        viewer = viewer_of(self.context)
        signers = {s.proposer_id for s in obj.signatures.all()}
        invitations = [i for i in obj.invitations.select_related("proposer").order_by("id")
                       if invitation_visible(viewer, i, signers)]
        for invitation in invitations:
            invitation.proposal = obj
        return invitations

    def get_merged_proposals(self, obj) -> ProposalBriefSerializer(many=True):
        return ProposalBriefSerializer(self._merged_proposals(obj), many=True).data

    def represent(self, obj) -> dict:
        data = super().represent(obj)
        assignments = ProposalAssignmentSerializer(context=self.context)
        data.update({
            "body": obj.body,
            "proposers": [{"position": s.position, "proposer": proposer_brief(s.proposer)}
                          for s in obj.signatures.all()],
            "proposers_more": obj.proposers_more,
            "invitations": [invitation_brief(invitation, self._today) for invitation in self._invitations(obj)],
            "review_reason": obj.review_reason, "reviewed_at": datetime(obj.reviewed_at),
            "merged_into": proposal_brief(merged_into(obj)) if obj.merged_into_id else None,
            "merged_proposals": [proposal_brief(p) for p in self._merged_proposals(obj)],
            "supervising_leader": obj.supervising_leader, "filed_on": date(obj.filed_on),
            "closed_on": date(obj.closed_on), "created_at": datetime(obj.created_at),
            "assignments": [assignments.represent(a) for a in obj.assignments.all()],
            "supervision_logs": [supervision_log(log) for log in self._supervision_logs(obj)],
        })
        return _after_assignments(data, {name: extra.represent(obj, self.context)
                                         for name, extra in registry.proposal_detail_fields.items()})


def _after_assignments(mapping, extras: dict):
    """``mapping`` (fields or output) with ``extras`` inserted after "assignments"."""
    if not extras:
        return mapping
    items = list(mapping.items())
    at = next((i + 1 for i, (name, _value) in enumerate(items) if name == "assignments"), len(items))
    return dict(items[:at] + list(extras.items()) + items[at:])


class ProposalCreateSerializer(serializers.Serializer):
    """A draft proposal (services.proposal_create). A member drafts in their own name and is the
    lead proposer (第一提案人); the members in ``invite`` sign only once they accept. Staff entering
    a paper proposal list every proposer in ``proposers``."""

    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.all(), label=_("会议"))
    title = serializers.CharField(max_length=300, label=_("案由"))
    body = serializers.CharField(required=False, allow_blank=True, default="", label=_("提案内容"))
    topic = serializers.CharField(max_length=50, required=False, allow_blank=True, default="", label=_("类别"))
    number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                   label=_("提案号"), help_text=_("留空则自动编号"))
    proposers = serializers.PrimaryKeyRelatedField(
        queryset=Proposer.objects.all(), many=True, required=False, default=list, label=_("提案人"),
        help_text=_("工作人员录入纸质提案时按签名顺序列出全部提案人,第一位为第一提案人,全部即时署名;"
                    "委员起草时可省略(起草人即第一提案人),只能列本人"))
    invite = serializers.PrimaryKeyRelatedField(
        queryset=Proposer.objects.all(), many=True, required=False, default=list, label=_("邀请联名"),
        help_text=_("邀请联名的提案人:各自在确认期限(默认 3 个工作日)内同意后才成为提案人,按同意的先后排在起草人之后"))
    proposers_more = serializers.BooleanField(required=False, default=False, label=_("另有联名人"))


class CoSignInviteSerializer(serializers.Serializer):
    invite = serializers.PrimaryKeyRelatedField(
        queryset=Proposer.objects.all(), many=True, label=_("邀请联名"),
        help_text=_("受邀提案人须属于本届政协并有登录账号,在确认期限(默认 3 个工作日)内答复"))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("理由"), help_text=_("提案人或提案委员会将看到此说明"))


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("理由"))


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("说明"))


class MergeSerializer(serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(queryset=Proposal.objects.all(), label=_("并入提案"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("理由"))


class AssignSerializer(serializers.Serializer):
    lead = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True,
                                              default=None, label=_("主办单位"))
    co = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True, required=False, default=list,
                                            label=_("会办单位"))
    separate = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True, required=False,
                                                  default=list, label=_("分办单位"))
    assigned_on = PlausibleDateField(required=False, allow_null=True, default=None, label=_("交办日期"),
                                     help_text=_("留空为今天"))
    allow_other_region = serializers.BooleanField(
        required=False, default=False, label=_("允许交办外地区单位"),
        help_text=_("承办单位不在本政协所在地区时,须明确允许(记入办理过程)"))


class MarkKeySerializer(serializers.Serializer):
    is_key = serializers.BooleanField(default=True, label=_("重点提案"))
    leader = serializers.CharField(required=False, allow_blank=True, default="", max_length=100,
                                   label=_("督办领导"))


class SuperviseSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("督办情况"))
    date = PlausibleDateField(required=False, allow_null=True, default=None, label=_("日期"))
    leader = serializers.CharField(required=False, allow_blank=True, default="", max_length=100,
                                   label=_("督办领导"))
