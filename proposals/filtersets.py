"""One FilterSet per model, shared by the API and any HTML list.

Every foreign key filters by id (``agency_id=3``) and by a readable key (``agency=市教委``:
full name or alias; ``session=曲靖市政协/6/3``: committee/term/session; ``committee`` and
``proposer`` by name). Multi-valued filters take repeated parameters or commas
(``status=assigned,replied``). A value that names nothing is a 400 with the field and the
reason, never an empty list that hides a typo.
"""
from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from proposals.models import (
    Agency,
    Assignment,
    CalendarDay,
    Committee,
    ContactLog,
    Event,
    ExtensionRequest,
    Proposal,
    Proposer,
    Session,
)
from proposals.search import search_condition
from proposals.selectors import today


def session_key_q(value: str) -> Q:
    """``曲靖市政协/6/3`` (committee/term/session) as a filter on Session."""
    parts = [p.strip() for p in value.split("/")]
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        raise ValidationError(_("会议应写作“政协/届/次”,如 曲靖市政协/6/3:%(value)s"), params={"value": value},
                              code="invalid_key")
    return Q(committee__name=parts[0], term=int(parts[1]), number=int(parts[2]))


def agency_key_q(value: str) -> Q:
    """Full name or alias. A short name shared by several places (市教委) matches each of them."""
    return Q(name=value) | Q(aliases__name=value)


def name_q(value: str) -> Q:
    return Q(name=value)


class KeyMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Objects named by readable keys; each key must name at least one object."""

    def __init__(self, *args, key_q, **kwargs):
        self.key_q = key_q
        super().__init__(*args, **kwargs)

    def _check_values(self, value):
        found = []
        for key in dict.fromkeys(str(v).strip() for v in value if str(v).strip()):
            self.validate_no_null_characters(key)
            matches = list(self.queryset.filter(self.key_q(key)).distinct())
            if not matches:
                raise ValidationError(_("未找到“%(value)s”"), params={"value": key}, code="invalid_choice")
            found.extend(matches)
        return found


class KeyFilter(django_filters.ModelMultipleChoiceFilter):
    """Filter ``field_name`` by objects named by readable keys (see the module docstring)."""

    field_class = KeyMultipleChoiceField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": [obj.pk for obj in value]})


# Bounds of what a filter may ask, so that nothing reaches the database that it cannot compare (an
# id beyond a bigint, a year 0 or 99999 in a date lookup, a moment before year 1 in UTC): a 400
# naming the filter instead of a 500 (issue 9).
LARGEST_ID = 2 ** 63 - 1
LARGEST_SMALL_NUMBER = 32767  # a PositiveSmallIntegerField (届, 轮次)
FILTER_YEARS = (1900, 2100)


class IdChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if not (text.isascii() and text.isdigit() and 0 < int(text) <= LARGEST_ID):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number between ``min_value`` and ``max_value`` (by default an id's range)."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value=1, max_value=LARGEST_ID, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)

    def get_max_validator(self):
        return None  # max_value is the bound


def year_filter(**kwargs) -> WholeNumberFilter:
    return WholeNumberFilter(min_value=FILTER_YEARS[0], max_value=FILTER_YEARS[1], **kwargs)


class WindowedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None and not FILTER_YEARS[0] <= moment.year <= FILTER_YEARS[1]:
            raise ValidationError(_("时间应在 %(first)s 年至 %(last)s 年之间"), code="out_of_range",
                                  params={"first": FILTER_YEARS[0], "last": FILTER_YEARS[1]})
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = WindowedIsoDateTimeField


class IdFilter(django_filters.ModelMultipleChoiceFilter):
    """Filter ``field_name`` by ids (repeated or comma-separated); an unknown id is a 400."""

    field_class = IdChoiceField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": [obj.pk for obj in value]})


class NaturalOrderingFilter(django_filters.OrderingFilter):
    """Ordering with ``id`` as the last key, so that pages never repeat or skip a row."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "pk")
        return qs


class TrackerFilterSet(django_filters.FilterSet):
    """Splits comma-separated values of multi-valued filters (``status=a,b`` = ``status=a&status=b``).

    ``requested_only=True`` builds only the filters that the data names: a filter without a
    value filters nothing, and copying every filter and building its form field costs more
    than the page's SQL (every filter here reads one parameter of its own name)."""

    def __init__(self, data=None, *args, requested_only=False, **kwargs):
        if data is not None and hasattr(data, "getlist"):
            data = data.copy()
            for name, flt in self.base_filters.items():
                if isinstance(flt, django_filters.MultipleChoiceFilter) and name in data:
                    data.setlist(name, [part.strip() for raw in data.getlist(name) for part in raw.split(",")
                                        if part.strip()])
        if requested_only and data is not None:
            # An instance attribute: BaseFilterSet.__init__ deep-copies self.base_filters.
            self.base_filters = {name: flt for name, flt in self.base_filters.items() if name in data}
        super().__init__(data, *args, **kwargs)
        for flt in self.filters.values():
            # django-filter adds DISTINCT for multiple values; these filters never join a to-many
            # relation (agencies and proposers are filtered with EXISTS), and DISTINCT over
            # every column costs a sort.
            if isinstance(flt, django_filters.MultipleChoiceFilter):
                flt.distinct = False


def committee_filters(path: str):
    return (
        IdFilter(field_name=path, queryset=Committee.objects.all(), label=_("政协 id")),
        KeyFilter(field_name=path, queryset=Committee.objects.all(), key_q=name_q, label=_("政协名称")),
    )


def session_filters(path: str):
    return (
        IdFilter(field_name=path, queryset=Session.objects.all(), label=_("会议 id")),
        KeyFilter(field_name=path, queryset=Session.objects.all(), key_q=session_key_q,
                  label=_("会议(政协/届/次)")),
    )


def agency_filters(path: str):
    return (
        IdFilter(field_name=path, queryset=Agency.objects.all(), label=_("承办单位 id")),
        KeyFilter(field_name=path, queryset=Agency.objects.all(), key_q=agency_key_q, label=_("承办单位(全称或简称)")),
    )


def visible_proposer_queryset(request):
    from proposals.selectors import visible_proposers

    return visible_proposers(getattr(request, "user", None))


def proposer_filters(path: str):
    return (
        IdFilter(field_name=path, queryset=visible_proposer_queryset, label=_("提案人 id")),
        KeyFilter(field_name=path, queryset=visible_proposer_queryset, key_q=name_q, label=_("提案人姓名")),
    )


class CommitteeFilterSet(TrackerFilterSet):
    level = django_filters.MultipleChoiceFilter(choices=Committee.Level.choices, label=_("级别"))
    name = django_filters.CharFilter(lookup_expr="contains", label=_("名称包含"))

    class Meta:
        model = Committee
        fields = ["level", "name"]


class SessionFilterSet(TrackerFilterSet):
    committee_id, committee = committee_filters("committee")
    year = year_filter(label=_("年度"))
    term = WholeNumberFilter(max_value=LARGEST_SMALL_NUMBER, label=_("届"))

    class Meta:
        model = Session
        fields = ["committee_id", "committee", "year", "term"]


class ProposerFilterSet(TrackerFilterSet):
    committee_id, committee = committee_filters("committee")
    kind = django_filters.MultipleChoiceFilter(choices=Proposer.Kind.choices, label=_("类型"))
    name = django_filters.CharFilter(lookup_expr="contains", label=_("名称包含"))

    class Meta:
        model = Proposer
        fields = ["committee_id", "committee", "kind", "name"]


class AgencyFilterSet(TrackerFilterSet):
    parent_id, parent = agency_filters("parent")
    level = django_filters.MultipleChoiceFilter(choices=Agency.Level.choices, label=_("级别"))
    region = django_filters.CharFilter(label=_("地区"))
    q = django_filters.CharFilter(method="filter_q", label=_("全称或简称包含"))

    class Meta:
        model = Agency
        fields = ["parent_id", "parent", "level", "region", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        from proposals.models import AgencyAlias

        aliased = AgencyAlias.objects.filter(agency=OuterRef("pk"), name__contains=value)
        return queryset.filter(Q(name__contains=value) | Q(Exists(aliased)))


OVERDUE_HELP = _("有未办结的主办/分办交办已过期限")


class ProposalFilterSet(TrackerFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("检索"),
                                  help_text=_("提案号、案由、正文、提案人、承办单位;繁简通用,多个词以空格分隔"))
    status = django_filters.MultipleChoiceFilter(choices=Proposal.Status.choices, label=_("状态"))
    committee_id, committee = committee_filters("session__committee")
    session_id, session = session_filters("session")
    agency_id, agency = agency_filters("assignments__agency")
    role = django_filters.MultipleChoiceFilter(
        choices=Assignment.Role.choices, method="filter_nothing", label=_("办理方式"),
        help_text=_("与 agency / agency_id 同用时,只算该单位以此方式承办的提案"))
    proposer_id, proposer = proposer_filters("signatures__proposer")
    is_key = django_filters.BooleanFilter(label=_("重点提案"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已超期"), help_text=OVERDUE_HELP)
    due_before = django_filters.DateFilter(field_name="next_due_on", lookup_expr="lte", label=_("期限不晚于"))
    due_after = django_filters.DateFilter(field_name="next_due_on", lookup_expr="gte", label=_("期限不早于"))
    submitted_after = django_filters.DateFilter(field_name="submitted_on", lookup_expr="gte",
                                                label=_("提交日期不早于"))
    submitted_before = django_filters.DateFilter(field_name="submitted_on", lookup_expr="lte",
                                                 label=_("提交日期不晚于"))
    topic = django_filters.CharFilter(label=_("类别"))
    ordering = NaturalOrderingFilter(
        fields=(("number_sort", "number"), ("submitted_on", "submitted_on"), ("next_due_on", "next_due_on"),
                ("updated_at", "updated_at")),
        field_labels={"number_sort": _("提案号"), "submitted_on": _("提交日期"), "next_due_on": _("最近期限"),
                      "updated_at": _("最后变更")},
        label=_("排序"),
    )

    class Meta:
        model = Proposal
        fields = ["q", "status", "committee_id", "committee", "session_id", "session", "agency_id", "agency",
                  "role", "proposer_id", "proposer", "is_key", "overdue", "due_before", "due_after",
                  "submitted_after", "submitted_before", "topic"]

    def filter_queryset(self, queryset):
        # Agency and role describe one assignment together, so they become one EXISTS;
        # proposer likewise, so that a proposal never repeats in the list.
        data = dict(self.form.cleaned_data)
        agencies = list(data.pop("agency_id", None) or []) + list(data.pop("agency", None) or [])
        roles = data.get("role") or []
        proposers = list(data.pop("proposer_id", None) or []) + list(data.pop("proposer", None) or [])
        for name, value in data.items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        if agencies or roles:
            assignments = Assignment.objects.current().filter(proposal=OuterRef("pk"))
            if agencies:
                assignments = assignments.filter(agency_id__in=[a.pk for a in agencies])
            if roles:
                assignments = assignments.filter(role__in=roles)
            queryset = queryset.filter(Exists(assignments))
        if proposers:
            from proposals.models import ProposalProposer

            queryset = queryset.filter(Exists(ProposalProposer.objects.filter(
                proposal=OuterRef("pk"), proposer_id__in=[p.pk for p in proposers])))
        return queryset

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        condition = search_condition(value)
        return queryset if condition is None else queryset.filter(condition)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(next_due_on__lt=today(), status=Proposal.Status.ASSIGNED)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


def add_proposal_filter(name: str, flt) -> None:
    """A filter another app adds to the one ProposalFilterSet (the replies' classification):
    added to the class, so that the API, the figures and the schema all have it."""
    ProposalFilterSet.base_filters[name] = flt


class AssignmentFilterSet(TrackerFilterSet):
    proposal_id = WholeNumberFilter(field_name="proposal_id", label=_("提案 id"))
    committee_id, committee = committee_filters("proposal__session__committee")
    session_id, session = session_filters("proposal__session")
    agency_id, agency = agency_filters("agency")
    role = django_filters.MultipleChoiceFilter(choices=Assignment.Role.choices, label=_("办理方式"))
    status = django_filters.MultipleChoiceFilter(choices=Assignment.Status.choices, label=_("状态"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已超期"))
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("期限不晚于"))
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label=_("期限不早于"))
    ordering = NaturalOrderingFilter(
        fields=(("due_on", "due_on"), ("assigned_on", "assigned_on"), ("updated_at", "updated_at")),
        label=_("排序"))

    class Meta:
        model = Assignment
        fields = ["proposal_id", "committee_id", "committee", "session_id", "session", "agency_id", "agency", "role",
                  "status", "overdue", "due_before", "due_after"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__in=Assignment.OPEN_STATUSES, due_on__lt=today())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ExtensionRequestFilterSet(TrackerFilterSet):
    assignment_id = WholeNumberFilter(field_name="assignment_id", label=_("交办 id"))
    proposal_id = WholeNumberFilter(field_name="assignment__proposal_id", label=_("提案 id"))
    agency_id, agency = agency_filters("assignment__agency")
    status = django_filters.MultipleChoiceFilter(choices=ExtensionRequest.Status.choices, label=_("状态"))

    class Meta:
        model = ExtensionRequest
        fields = ["assignment_id", "proposal_id", "agency_id", "agency", "status"]


class ContactLogFilterSet(TrackerFilterSet):
    assignment_id = WholeNumberFilter(field_name="assignment_id", label=_("交办 id"))
    proposal_id = WholeNumberFilter(field_name="assignment__proposal_id", label=_("提案 id"))
    agency_id, agency = agency_filters("assignment__agency")
    stage = django_filters.MultipleChoiceFilter(choices=ContactLog.Stage.choices, label=_("阶段"))
    form = django_filters.MultipleChoiceFilter(choices=ContactLog.Form.choices, label=_("方式"))
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("日期不早于"))
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("日期不晚于"))

    class Meta:
        model = ContactLog
        fields = ["assignment_id", "proposal_id", "agency_id", "agency", "stage", "form", "date_after", "date_before"]


class EventFilterSet(TrackerFilterSet):
    proposal_id = WholeNumberFilter(field_name="proposal_id", label=_("提案 id"))
    assignment_id = WholeNumberFilter(field_name="assignment_id", label=_("交办 id"))
    reply_id = WholeNumberFilter(field_name="reply_id", label=_("答复 id"))
    action = django_filters.CharFilter(label=_("操作"))
    at_after = MomentFilter(field_name="at", lookup_expr="gte", label=_("时间不早于"))
    at_before = MomentFilter(field_name="at", lookup_expr="lte", label=_("时间不晚于"))

    class Meta:
        model = Event
        fields = ["proposal_id", "assignment_id", "reply_id", "action", "at_after", "at_before"]


class CalendarDayFilterSet(TrackerFilterSet):
    kind = django_filters.ChoiceFilter(choices=CalendarDay.Kind.choices, label=_("类型"))
    year = year_filter(field_name="date", lookup_expr="year", label=_("年份"))
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("日期不早于"))
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("日期不晚于"))

    class Meta:
        model = CalendarDay
        fields = ["kind", "year", "date_after", "date_before"]
