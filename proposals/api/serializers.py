"""Serializers of the reference data (committees, sessions, proposers, agencies, the holiday
calendar, events) and the brief nested forms that lists use. Fields are listed explicitly;
contact details are dropped for anyone but the proposal committee's staff."""
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from proposals.api.fields import PlausibleDatesMixin
from proposals.api.represent import label, session_key
from proposals.models import Agency, CalendarDay, Committee, Event, Proposal, Proposer, Session
from proposals.event_text import event_text
from proposals.visibility import Viewer, never_readable

RULE_FIELDS = list(Committee.RULE_FIELDS)


SCHEMA_VIEWER = Viewer(staff=True, agencies=frozenset(), proposer=None)


def viewer_of(context) -> Viewer:
    """Who reads the output (proposals.visibility), computed once per request. Schema
    generation sees every field: the documentation says which are restricted."""
    request = context.get("request")
    view = context.get("view")
    if request is None or getattr(view, "swagger_fake_view", False):
        return SCHEMA_VIEWER
    if not hasattr(request, "_tracker_viewer"):
        request._tracker_viewer = Viewer.of(request.user)
    return request._tracker_viewer


def drop_unreadable(fields: dict, context, model_label: str) -> dict:
    """Leave out the fields this reader can read on no record (proposals.visibility)."""
    for name in never_readable(viewer_of(context), model_label):
        fields.pop(name, None)
    return fields


class LabelField(serializers.CharField):
    """The translated label of a choice field (``status_label`` beside ``status``); its own
    label (a spreadsheet header) is the model field's verbose name + 名称. Labels are looked up
    in a table kept per model field and language (represent.label): Model.get_FOO_display()
    rebuilds its choices on every call."""

    def __init__(self, source, **kwargs):
        self.choice_field = source
        super().__init__(source=source, read_only=True, **kwargs)

    def bind(self, field_name, parent):
        self.model = parent.Meta.model
        if self.label is None:
            self.label = format_lazy("{}{}", self.model._meta.get_field(self.choice_field).verbose_name, _("名称"))
        super().bind(field_name, parent)

    def to_representation(self, value):
        return label(self.model, self.choice_field, value)


class CommitteeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Committee
        fields = ["id", "name"]
        read_only_fields = fields


class SessionBriefSerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField(label=_("会议标识"), help_text=_("政协/届/次,可用于 session= 过滤"))
    label = serializers.SerializerMethodField(label=_("会议名称"))
    committee = CommitteeBriefSerializer(read_only=True, label=_("政协"))

    class Meta:
        model = Session
        fields = ["id", "key", "label", "committee", "term", "number", "year"]
        read_only_fields = fields

    def get_key(self, obj) -> str:
        return session_key(obj)

    def get_label(self, obj) -> str:
        return str(obj)


class ProposerBriefSerializer(serializers.ModelSerializer):
    kind_label = LabelField("kind")

    class Meta:
        model = Proposer
        fields = ["id", "name", "kind", "kind_label"]
        read_only_fields = fields


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name"]
        read_only_fields = fields


class ProposalBriefSerializer(serializers.ModelSerializer):
    session_key = serializers.SerializerMethodField(label=_("会议标识"))
    status_label = LabelField("status")

    class Meta:
        model = Proposal
        fields = ["id", "session_key", "number", "title", "status", "status_label"]
        read_only_fields = fields

    def get_session_key(self, obj) -> str:
        return session_key(obj.session)


class CommitteeSerializer(serializers.ModelSerializer):
    level_label = LabelField("level")

    class Meta:
        model = Committee
        fields = ["id", "name", "level", "level_label", "region", *RULE_FIELDS]


class SessionSerializer(PlausibleDatesMixin, serializers.ModelSerializer):
    key = serializers.SerializerMethodField(label=_("会议标识"), help_text=_("政协/届/次,可用于 session= 过滤"))
    label = serializers.SerializerMethodField(label=_("会议名称"))
    committee_name = serializers.CharField(source="committee.name", read_only=True, label=_("政协名称"))
    effective_rules = serializers.SerializerMethodField(label=_("适用期限规则"), help_text=_("本次会议实际适用的期限规则(会议、政协或默认值)"))

    class Meta:
        model = Session
        fields = ["id", "committee", "committee_name", "term", "number", "key", "label", "year", "opened_on",
                  "closed_on", "reply_fixed_date", *RULE_FIELDS, "effective_rules"]

    def get_key(self, obj) -> str:
        return session_key(obj)

    def get_label(self, obj) -> str:
        return str(obj)

    def get_effective_rules(self, obj) -> dict[str, int | bool | list[int]]:
        return {name: obj.rule(name) for name in RULE_FIELDS}


class ProposerSerializer(serializers.ModelSerializer):
    kind_label = LabelField("kind")
    committee_name = serializers.CharField(source="committee.name", read_only=True, label=_("政协名称"))

    class Meta:
        model = Proposer
        fields = ["id", "committee", "committee_name", "name", "kind", "kind_label", "sector", "phone", "email"]
        extra_kwargs = {"phone": {"help_text": _("仅工作人员可见")}, "email": {"help_text": _("仅工作人员可见")}}

    def get_fields(self):
        # Members' contact details reach the staff only (domain.md, Disclosure).
        return drop_unreadable(super().get_fields(), self.context, "proposals.proposer")


class AgencySerializer(serializers.ModelSerializer):
    level_label = LabelField("level")
    aliases = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name", label=_("简称"),
                                           help_text=_("简称或曾用名,可用于 agency= 过滤"))

    class Meta:
        model = Agency
        fields = ["id", "name", "aliases", "parent", "region", "level", "level_label"]


class CalendarDaySerializer(PlausibleDatesMixin, serializers.ModelSerializer):
    kind_label = LabelField("kind")

    class Meta:
        model = CalendarDay
        fields = ["id", "date", "kind", "kind_label", "name"]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(label=_("操作人"))
    action_label = LabelField("action")
    reply = serializers.IntegerField(source="reply_id", read_only=True, allow_null=True, label=_("答复 ID"))
    note = serializers.CharField(read_only=True, label=_("说明"), help_text=_(
        "异议、延期理由仅提案委员会和该承办单位可见,满意度评价仅提案委员会、被评价单位和评价人可见;"
        "其他人看到的是一句说明"))

    class Meta:
        model = Event
        fields = ["id", "uid", "proposal", "assignment", "reply", "actor", "at", "action", "action_label",
                  "from_status", "to_status", "note", "data"]
        read_only_fields = fields
        extra_kwargs = {"uid": {"label": _("唯一标识")}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Handler-only text and ratings copied into a note reach only their audience.
        data["note"] = event_text(viewer_of(self.context), instance)
        return data

    def get_actor(self, obj) -> str | None:
        if obj.actor is None:
            return None
        return obj.actor.get_full_name() or obj.actor.get_username()
