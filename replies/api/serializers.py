"""Serializers of replies, co-handling opinions, feedback and reference documents.
The internal note is for the proposal committee's staff only; statuses are read-only.
The reply serializers write their output in ``represent`` (proposals/api/represent.py)."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from proposals.api.serializers import (
    AgencyBriefSerializer,
    LabelField,
    ProposalBriefSerializer,
    ProposerBriefSerializer,
    drop_unreadable,
    viewer_of,
)
from proposals.api.fields import PlausibleDateField, PlausibleDatesMixin
from proposals.api.represent import (
    GENERIC,
    DeadlineExplanationField,
    FastRepresentation,
    agency_brief,
    date,
    datetime,
    explain_deadline,
    label,
    proposal_brief,
)
from proposals.visibility import may_read_field
from replies.models import Feedback, ReferenceDocument, Reply
from replies.selectors import co_opinions

EDITABLE = ["doc_number", "title", "body", "signer", "signed_on", "contact_unit", "contact_person", "contact_phone",
            "cc", "classification", "disclosure", "disclosure_reason", "internal_note"]


class ReplyListSerializer(FastRepresentation, serializers.ModelSerializer):
    proposal = ProposalBriefSerializer(source="assignment.proposal", read_only=True, label=_("提案"))
    agency = AgencyBriefSerializer(source="assignment.agency", read_only=True, label=_("承办单位"))
    kind_label = LabelField("kind")
    status_label = LabelField("status")
    classification_label = LabelField("classification")
    disclosure_label = LabelField("disclosure")

    class Meta:
        model = Reply
        fields = ["id", "assignment", "proposal", "agency", "kind", "kind_label", "round", "status", "status_label",
                  "doc_number", "title", "signed_on", "published_on", "classification", "classification_label",
                  "disclosure", "disclosure_label", "updated_at"]
        read_only_fields = fields

    def represent(self, obj) -> dict:
        assignment = obj.assignment
        return {
            "id": obj.pk, "assignment": obj.assignment_id,
            "proposal": self.brief("proposal", assignment.proposal, proposal_brief),
            "agency": agency_brief(assignment.agency), "kind": obj.kind, "kind_label": label(Reply, "kind", obj.kind),
            "round": obj.round, "status": obj.status, "status_label": label(Reply, "status", obj.status),
            "doc_number": obj.doc_number, "title": obj.title, "signed_on": date(obj.signed_on),
            "published_on": date(obj.published_on), "classification": obj.classification,
            "classification_label": label(Reply, "classification", obj.classification),
            "disclosure": obj.disclosure, "disclosure_label": label(Reply, "disclosure", obj.disclosure),
            "updated_at": datetime(obj.updated_at),
        }


CO_OPINIONS = inline_serializer("CoOpinion", many=True, fields={
    "assignment": serializers.IntegerField(), "agency": serializers.CharField(),
    "received": serializers.BooleanField(), "received_on": serializers.DateField(allow_null=True),
    "due_on": serializers.DateField(allow_null=True), "late": serializers.BooleanField()})


class ReplyDetailSerializer(ReplyListSerializer):
    feedback_due_explanation = DeadlineExplanationField(
        many=False, label=_("征询期限说明"), help_text=_("征询意见期限如何计算(text 按请求的语言生成)"))
    co_opinions = serializers.SerializerMethodField(
        label=_("会办意见"), help_text=_("主办单位的答复:各会办单位的意见是否已到、何时到、是否逾期"))

    class Meta(ReplyListSerializer.Meta):
        fields = ReplyListSerializer.Meta.fields + [
            "body", "signer", "submitted_at", "delivered_on", "feedback_due_on", "feedback_due_explanation",
            "contact_unit", "contact_person", "contact_phone", "cc", "disclosure_reason", "internal_note",
            "co_opinions", "created_at"]
        read_only_fields = fields
        extra_kwargs = {"internal_note": {"help_text": _("仅工作人员可见")}}

    def get_fields(self):
        return drop_unreadable(super().get_fields(), self.context, "replies.reply")

    def represent(self, obj) -> dict:
        data = super().represent(obj)
        data.update({
            "body": obj.body, "signer": obj.signer, "submitted_at": datetime(obj.submitted_at),
            "delivered_on": date(obj.delivered_on), "feedback_due_on": date(obj.feedback_due_on),
            "feedback_due_explanation": explain_deadline(obj.feedback_due_explanation),
            "contact_unit": obj.contact_unit, "contact_person": obj.contact_person,
            "contact_phone": obj.contact_phone, "cc": obj.cc, "disclosure_reason": obj.disclosure_reason,
        })
        if may_read_field(viewer_of(self.context), "replies.reply", "internal_note"):
            data["internal_note"] = obj.internal_note
        data["co_opinions"] = self.get_co_opinions(obj)
        data["created_at"] = datetime(obj.created_at)
        return data

    @extend_schema_field(CO_OPINIONS)
    def get_co_opinions(self, obj):
        if obj.kind != Reply.Kind.REPLY or obj.assignment.role != "lead":
            return []
        return [{**row, "received_on": date(row["received_on"]), "due_on": date(row["due_on"])}
                for row in co_opinions(obj.assignment.proposal)]


class ReplyCorrectionSerializer(serializers.Serializer):
    """Any of the three, with the reason (replies.corrections)."""

    signed_on = PlausibleDateField(required=False, label=_("成文日期"))
    delivered_on = PlausibleDateField(required=False, label=_("送达日期"), help_text=_("征询意见期随之重新计算"))
    doc_number = serializers.CharField(required=False, allow_blank=True, max_length=60, label=_("文号"))
    reason = serializers.CharField(label=_("更正理由"))


class ReplyWriteSerializer(PlausibleDatesMixin, serializers.ModelSerializer):
    """A draft's fields. ``assignment`` is given on creation only; the kind (reply or
    opinion) and round follow from the assignment."""

    class Meta:
        model = Reply
        fields = ["assignment", *EDITABLE]
        extra_kwargs = {"internal_note": {"help_text": _("仅工作人员可见")}}

    def get_fields(self):
        from proposals.selectors import visible_assignments

        fields = super().get_fields()
        request = self.context.get("request")
        if self.instance is not None:
            fields["assignment"].read_only = True
        elif request is not None:
            fields["assignment"].queryset = visible_assignments(request.user)
        return drop_unreadable(fields, self.context, "replies.reply")

    def validate(self, attrs):
        # The model's rule (不予公开须说明理由) checked here, so the client learns the field at once.
        disclosure = attrs.get("disclosure", getattr(self.instance, "disclosure", Reply.Disclosure.PUBLIC))
        reason = attrs.get("disclosure_reason", getattr(self.instance, "disclosure_reason", ""))
        if disclosure == Reply.Disclosure.NOT_PUBLIC and not (reason or "").strip():
            raise serializers.ValidationError({"disclosure_reason": [_("不予公开须说明理由")]})
        return attrs


class FeedbackSerializer(serializers.ModelSerializer):
    proposer = ProposerBriefSerializer(read_only=True, label=_("提案人"))
    proposal = ProposalBriefSerializer(source="reply.assignment.proposal", read_only=True, label=_("提案"))
    agency = AgencyBriefSerializer(source="reply.assignment.agency", read_only=True, label=_("承办单位"))
    rating_label = LabelField("rating")

    class Meta:
        model = Feedback
        fields = ["id", "reply", "proposal", "agency", "proposer", "rating", "rating_label", "comments", "given_on"]
        read_only_fields = fields


class FeedbackCreateSerializer(serializers.Serializer):
    reply = serializers.PrimaryKeyRelatedField(queryset=Reply.objects.all(), label=_("答复"))
    rating = serializers.ChoiceField(choices=Feedback.Rating.choices, label=_("评价"))
    comments = serializers.CharField(required=False, allow_blank=True, default="", label=_("意见"))
    proposer = serializers.PrimaryKeyRelatedField(
        queryset=Feedback._meta.get_field("proposer").related_model.objects.all(), required=False,
        allow_null=True, default=None, label=_("提案人"), help_text=_("工作人员代为录入时填写;提案人本人评价时留空"))

    def get_fields(self):
        from replies.selectors import visible_replies

        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["reply"].queryset = visible_replies(request.user)
        return fields


class ReferenceDocumentListSerializer(serializers.ModelSerializer):
    file_name = serializers.CharField(source="source.file_name", read_only=True, label=_("文件名"))

    class Meta:
        model = ReferenceDocument
        fields = ["id", "title", "issuing_body", "doc_number", "document_date", "file_name"]
        read_only_fields = fields


class ReferenceDocumentSerializer(ReferenceDocumentListSerializer):
    class Meta(ReferenceDocumentListSerializer.Meta):
        fields = ReferenceDocumentListSerializer.Meta.fields + ["body"]
        read_only_fields = fields


# What ReplyListSerializer shows of a reply itself (the letter's text is for its detail).
REPLY_LIST_COLUMNS = ("id", "assignment", "kind", "round", "status", "doc_number", "title", "signed_on",
                      "published_on", "classification", "disclosure", "updated_at")


def proposal_replies(proposal, context) -> list:
    """The replies to ``proposal`` the reader may see, each with its assignment taken from the
    proposal's prefetched assignments (the proposal and agencies are already loaded)."""
    from replies.selectors import reply_list

    request = context.get("request")
    replies = list(reply_list(user=request.user if request else None).filter(assignment__proposal=proposal)
                   .select_related(None).only(*REPLY_LIST_COLUMNS)
                   .order_by("assignment__role", "assignment_id", "round", "kind", "id"))
    assignments = {a.pk: a for a in proposal.assignments.all()}
    for reply in replies:
        assignment = assignments.get(reply.assignment_id)
        if assignment is not None:
            assignment.proposal = proposal
            reply.assignment = assignment
    return replies


def represent_proposal_replies(proposal, context) -> list[dict]:
    replies = proposal_replies(proposal, context)
    if context.get(GENERIC):
        return ReplyListSerializer(replies, many=True, context=context).data
    serializer = ReplyListSerializer(context=context)
    return [serializer.represent(r) for r in replies]


@extend_schema_field(ReplyListSerializer(many=True))
class ProposalRepliesField(serializers.Field):
    """The ``replies`` of a proposal's detail (added through proposals.extensions)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, label=_("答复"), help_text=_("当前用户可见的答复与会办意见"),
                         **kwargs)

    def to_representation(self, value):
        return represent_proposal_replies(value, self.context)
