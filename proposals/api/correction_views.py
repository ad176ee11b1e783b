"""POST /api/proposals/{id}/correct/ and /api/assignments/{id}/correct/: staff correct the facts
a person got wrong (proposals.services.corrections), each with a reason and an event; the
object is read and answered as in its own viewset."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from proposals.api.assignment_views import AssignmentViewSet
from proposals.api.base import ACTION_ERRORS, IF_MATCH_PARAMETER
from proposals.api.fields import PlausibleDateField
from proposals.api.assignment_serializers import AssignmentDetailSerializer
from proposals.api.proposal_serializers import ProposalDetailSerializer
from proposals.api.proposal_views import ProposalViewSet
from proposals.models import Agency, Session
from proposals.services import corrections


class ProposalCorrectionSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=32, label=_("提案号"), help_text=_("按原文填写"))
    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.all(), required=False, allow_null=True,
                                                 default=None, label=_("会议"), help_text=_("留空则不变"))
    reason = serializers.CharField(label=_("更正理由"))


class AssignmentCorrectionSerializer(serializers.Serializer):
    """Exactly one of: a new assignment date, the right agency, or recompute_deadline."""

    assigned_on = PlausibleDateField(required=False, allow_null=True, default=None, label=_("交办日期"))
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True,
                                                default=None, label=_("承办单位"))
    recompute_deadline = serializers.BooleanField(required=False, default=False, label=_("按现行规则重算期限"))
    reason = serializers.CharField(label=_("更正理由"))

    def validate(self, attrs):
        given = [name for name in ("assigned_on", "agency") if attrs.get(name)] + (
            ["recompute_deadline"] if attrs.get("recompute_deadline") else [])
        if len(given) != 1:
            raise serializers.ValidationError({"non_field_errors": [_(
                "请只更正一项:交办日期、承办单位或按现行规则重算期限")]})
        return attrs


class ProposalCorrectionViewSet(ProposalViewSet):
    @extend_schema(summary="更正提案的会议或提案号(工作人员,须说明理由)", request=ProposalCorrectionSerializer,
                   parameters=[IF_MATCH_PARAMETER], responses={200: ProposalDetailSerializer, **ACTION_ERRORS})
    def correct(self, request, pk=None):
        return self.step(corrections.proposal_correct_number, "proposal", **self.input(ProposalCorrectionSerializer))


class AssignmentCorrectionViewSet(AssignmentViewSet):
    @extend_schema(summary="更正交办日期、承办单位,或按现行规则重算期限(工作人员,须说明理由)",
                   request=AssignmentCorrectionSerializer, parameters=[IF_MATCH_PARAMETER],
                   responses={200: AssignmentDetailSerializer, **ACTION_ERRORS})
    def correct(self, request, pk=None):
        data = self.input(AssignmentCorrectionSerializer)
        if data["assigned_on"]:
            return self.step(corrections.assignment_correct_date, "assignment", assigned_on=data["assigned_on"],
                             reason=data["reason"])
        if data["agency"]:
            return self.step(corrections.assignment_correct_agency, "assignment", agency=data["agency"],
                             reason=data["reason"])
        return self.step(corrections.assignment_recompute_deadline, "assignment", reason=data["reason"])
