"""Serializers of assignments (交办), contacts and extension requests, and the inputs of the
assignment steps. Every status is read-only: it changes through the actions only. The list and
detail serializers write their output in ``represent`` (see represent.py)."""
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from rest_framework import serializers

from proposals.models import Agency, Assignment, ContactLog, ExtensionRequest
from proposals.selectors import assignment_days_overdue, today
from proposals.services.urging import MAX_BATCH
from proposals.visibility import hidden_fields, never_readable, withhold_explanation

from .fields import PlausibleDateField, PlausibleDatesMixin
from .represent import (
    DeadlineExplanationField,
    FastRepresentation,
    agency_brief,
    date,
    datetime,
    explain_deadlines,
    label,
    proposal_brief,
)
from .serializers import AgencyBriefSerializer, LabelField, ProposalBriefSerializer, drop_unreadable, viewer_of


class AssignmentListSerializer(FastRepresentation, serializers.ModelSerializer):
    proposal = ProposalBriefSerializer(read_only=True, label=_("提案"))
    agency = AgencyBriefSerializer(read_only=True, label=_("承办单位"))
    role_label = LabelField("role")
    status_label = LabelField("status")
    overdue_days = serializers.SerializerMethodField(label=_("超期天数"))

    class Meta:
        model = Assignment
        fields = ["id", "proposal", "agency", "role", "role_label", "status", "status_label", "assigned_on",
                  "acknowledged_on", "objection_due_on", "due_on", "overdue_days", "replied_on", "rehandle_count",
                  "updated_at"]
        read_only_fields = fields

    def get_overdue_days(self, obj) -> int:
        return assignment_days_overdue(obj)

    def represent(self, obj) -> dict:
        if not hasattr(self, "_today"):
            self._today = today()
        data = {"id": obj.pk}
        if "proposal" in self.Meta.fields:
            data["proposal"] = self.brief("proposal", obj.proposal, proposal_brief)
        data.update({
            "agency": agency_brief(obj.agency), "role": obj.role, "role_label": label(Assignment, "role", obj.role),
            "status": obj.status, "status_label": label(Assignment, "status", obj.status),
            "assigned_on": date(obj.assigned_on), "acknowledged_on": date(obj.acknowledged_on),
            "objection_due_on": date(obj.objection_due_on), "due_on": date(obj.due_on),
            "overdue_days": assignment_days_overdue(obj, self._today), "replied_on": date(obj.replied_on),
            "rehandle_count": obj.rehandle_count, "updated_at": datetime(obj.updated_at),
        })
        return data


class AssignmentDetailSerializer(AssignmentListSerializer):
    due_explanation = DeadlineExplanationField(
        label=_("期限计算说明"), help_text=_("期限如何计算:due(办理期限)与 objection(异议期限),各含规则、起算日、跳过的节假日与 text 说明(按请求的语言生成)"))
    objection_decision_label = LabelField("objection_decision")

    class Meta(AssignmentListSerializer.Meta):
        fields = AssignmentListSerializer.Meta.fields + [
            "original_due_on", "due_explanation", "objection_reason", "objected_on", "objection_decision",
            "objection_decision_label", "objection_decision_note", "extension_reason", "deadline_review",
            "created_at"]
        read_only_fields = fields

    def get_fields(self):
        fields = drop_unreadable(super().get_fields(), self.context, "proposals.assignment")
        if "objection_decision" not in fields:
            fields.pop("objection_decision_label")
        return fields

    def to_representation(self, instance):
        return self.withhold(super().to_representation(instance), instance)

    def represent(self, obj) -> dict:
        data = super().represent(obj)
        data["original_due_on"] = date(obj.original_due_on)
        data["due_explanation"] = obj.due_explanation
        if "objection_reason" not in never_readable(viewer_of(self.context), "proposals.assignment"):
            data.update({
                "objection_reason": obj.objection_reason, "objected_on": date(obj.objected_on),
                "objection_decision": obj.objection_decision,
                "objection_decision_label": label(Assignment, "objection_decision", obj.objection_decision),
                "objection_decision_note": obj.objection_decision_note, "extension_reason": obj.extension_reason,
            })
        data["deadline_review"] = obj.deadline_review
        data["created_at"] = datetime(obj.created_at)
        return self.withhold(data, obj)

    def withhold(self, data: dict, obj) -> dict:
        """Handler-only fields of another agency's assignment emptied, and the extension reason
        taken out of the deadline explanation that repeats it (proposals.visibility)."""
        hidden = hidden_fields(viewer_of(self.context), "proposals.assignment", agency_id=obj.agency_id)
        for name in hidden:
            if name in data:
                data[name] = None if name == "objected_on" else ""
                if name == "objection_decision":
                    data["objection_decision_label"] = ""
        if "due_explanation" in data:
            explanation = obj.due_explanation
            if "extension_reason" in hidden:
                explanation = withhold_explanation(explanation)
            data["due_explanation"] = explain_deadlines(explanation)
        return data


class ProposalAssignmentSerializer(AssignmentDetailSerializer):
    """An assignment inside its proposal's detail (the proposal is the parent)."""

    class Meta(AssignmentDetailSerializer.Meta):
        fields = [f for f in AssignmentDetailSerializer.Meta.fields if f != "proposal"]
        read_only_fields = fields


class ObjectSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("异议理由"))


class DecideObjectionSerializer(serializers.Serializer):
    uphold = serializers.BooleanField(label=_("同意调整"))
    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("处理意见"))
    new_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True,
                                                    default=None, label=_("新的承办单位"))
    allow_other_region = serializers.BooleanField(required=False, default=False, label=_("允许交办外地区单位"),
                                                  help_text=_("新的承办单位不属于本政协所在地区时须为 true"))


class ExtendSerializer(serializers.Serializer):
    new_due_on = PlausibleDateField(label=_("延期后的期限"))
    reason = serializers.CharField(label=_("延期理由"))


class ContactSerializer(PlausibleDatesMixin, serializers.ModelSerializer):
    stage_label = LabelField("stage")
    form_label = LabelField("form")
    proposal_id = serializers.IntegerField(source="assignment.proposal_id", read_only=True, label=_("提案 ID"))
    agency = AgencyBriefSerializer(source="assignment.agency", read_only=True, label=_("承办单位"))

    class Meta:
        model = ContactLog
        fields = ["id", "assignment", "proposal_id", "agency", "stage", "stage_label", "form", "form_label", "date",
                  "note", "created_at"]
        read_only_fields = ["id", "proposal_id", "agency", "created_at"]

    def get_fields(self):
        from proposals.selectors import visible_assignments

        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # An assignment the user cannot see is "not found", exactly like one that does not exist.
            fields["assignment"].queryset = visible_assignments(request.user)
        return fields


# --- issue 8: the committee's changes of who handles what, and extension requests ------------------

class ReassignReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("调整理由"), help_text=_("提案委员会和相关承办单位可见"))


class AddCoSerializer(ReassignReasonSerializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), label=_("会办单位"))
    allow_other_region = serializers.BooleanField(required=False, default=False, label=_("允许交办外地区单位"),
                                                  help_text=_("会办单位不属于本政协所在地区时须为 true"))


class RequestExtensionSerializer(serializers.Serializer):
    wanted_due_on = PlausibleDateField(label=_("申请延期至"))
    reason = serializers.CharField(label=_("申请理由"), help_text=_("提案委员会和本单位可见"))


class ApproveExtensionSerializer(serializers.Serializer):
    new_due_on = PlausibleDateField(required=False, allow_null=True, default=None, label=_("批准延期至"),
                                       help_text=_("留空为申请的日期"))
    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("审批意见"))


class RefuseExtensionSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("不同意的理由"), help_text=_("承办单位将看到此说明"))


class ExtensionRequestSerializer(serializers.ModelSerializer):
    """A request as staff and the requesting agency read it (proposals.visibility)."""

    proposal_id = serializers.IntegerField(source="assignment.proposal_id", read_only=True, label=_("提案 ID"))
    agency = AgencyBriefSerializer(source="assignment.agency", read_only=True, label=_("承办单位"))
    due_on = serializers.DateField(source="assignment.due_on", read_only=True, label=_("现办理期限"))
    status_label = LabelField("status")

    class Meta:
        model = ExtensionRequest
        fields = ["id", "assignment", "proposal_id", "agency", "due_on", "wanted_due_on", "reason", "status",
                  "status_label", "requested_on", "decided_on", "decision_note"]
        read_only_fields = fields


# --- issue 11: 催办 -------------------------------------------------------------------------------

URGE_MESSAGE_HELP = _("提案委员会和被催办单位可见;提案人只看到催办记录和当时的办理期限")


class UrgeSerializer(serializers.Serializer):
    message = serializers.CharField(label=_("催办内容"), help_text=URGE_MESSAGE_HELP)


class UrgeManySerializer(UrgeSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=MAX_BATCH,
                                label=_("交办 ID"),
                                # The number as the key keeps the text lazy (in the language of the request).
                                help_text=ngettext_lazy("至多 %(limit)s 个", "至多 %(limit)s 个", "limit") % {
                                    "limit": MAX_BATCH})


class UrgeSkippedSerializer(serializers.Serializer):
    id = serializers.IntegerField(label=_("交办 ID"))
    reason = serializers.CharField(label=_("未催办的原因"))


class UrgeManyResultSerializer(serializers.Serializer):
    urged = serializers.ListField(child=serializers.IntegerField(), label=_("已催办的交办 ID"))
    skipped = UrgeSkippedSerializer(many=True, label=_("未催办的交办"))
