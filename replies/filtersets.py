"""FilterSets of replies, feedback and reference documents (conventions: proposals/filtersets.py)."""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from proposals.filtersets import (
    LARGEST_SMALL_NUMBER,
    NaturalOrderingFilter,
    TrackerFilterSet,
    WholeNumberFilter,
    agency_filters,
    committee_filters,
    proposer_filters,
    session_filters,
)
from replies.models import Feedback, ReferenceDocument, Reply


class ReplyFilterSet(TrackerFilterSet):
    proposal_id = WholeNumberFilter(field_name="assignment__proposal_id", label=_("提案 id"))
    assignment_id = WholeNumberFilter(field_name="assignment_id", label=_("交办 id"))
    committee_id, committee = committee_filters("assignment__proposal__session__committee")
    session_id, session = session_filters("assignment__proposal__session")
    agency_id, agency = agency_filters("assignment__agency")
    kind = django_filters.ChoiceFilter(choices=Reply.Kind.choices, label=_("类型"))
    status = django_filters.MultipleChoiceFilter(choices=Reply.Status.choices, label=_("状态"))
    classification = django_filters.MultipleChoiceFilter(choices=Reply.Classification.choices,
                                                         label=_("办理结果分类"))
    disclosure = django_filters.MultipleChoiceFilter(choices=Reply.Disclosure.choices, label=_("公开属性"))
    round = WholeNumberFilter(max_value=LARGEST_SMALL_NUMBER, label=_("轮次"))
    doc_number = django_filters.CharFilter(label=_("文号"))
    signed_after = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", label=_("成文日期不早于"))
    signed_before = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte", label=_("成文日期不晚于"))
    q = django_filters.CharFilter(method="filter_q", label=_("标题或正文包含"))
    ordering = NaturalOrderingFilter(
        fields=(("signed_on", "signed_on"), ("published_on", "published_on"), ("updated_at", "updated_at")),
        label=_("排序"))

    class Meta:
        model = Reply
        fields = ["proposal_id", "assignment_id", "committee_id", "committee", "session_id", "session", "agency_id",
                  "agency", "kind", "status", "classification", "disclosure", "round", "doc_number", "signed_after",
                  "signed_before", "q"]

    def filter_q(self, queryset, name, value):
        from proposals.search import normalise

        value = value.strip()
        if not value:
            return queryset
        # Reply texts are stored as printed; the query is tried as typed and in Simplified.
        variants = {value, normalise(value)}
        condition = Q()
        for variant in variants:
            condition |= Q(title__contains=variant) | Q(body__contains=variant)
        return queryset.filter(condition)


class FeedbackFilterSet(TrackerFilterSet):
    reply_id = WholeNumberFilter(field_name="reply_id", label=_("答复 id"))
    proposal_id = WholeNumberFilter(field_name="reply__assignment__proposal_id", label=_("提案 id"))
    proposer_id, proposer = proposer_filters("proposer")
    agency_id, agency = agency_filters("reply__assignment__agency")
    session_id, session = session_filters("reply__assignment__proposal__session")
    rating = django_filters.MultipleChoiceFilter(choices=Feedback.Rating.choices, label=_("评价"))
    given_after = django_filters.DateFilter(field_name="given_on", lookup_expr="gte", label=_("评价日期不早于"))
    given_before = django_filters.DateFilter(field_name="given_on", lookup_expr="lte", label=_("评价日期不晚于"))

    class Meta:
        model = Feedback
        fields = ["reply_id", "proposal_id", "proposer_id", "proposer", "agency_id", "agency", "session_id",
                  "session", "rating", "given_after", "given_before"]


class ReferenceDocumentFilterSet(TrackerFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("标题或发文机关包含"))
    issuing_body = django_filters.CharFilter(lookup_expr="contains", label=_("发文机关包含"))
    date_after = django_filters.DateFilter(field_name="document_date", lookup_expr="gte", label=_("日期不早于"))
    date_before = django_filters.DateFilter(field_name="document_date", lookup_expr="lte", label=_("日期不晚于"))

    class Meta:
        model = ReferenceDocument
        fields = ["q", "issuing_body", "date_after", "date_before"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__contains=value) | Q(issuing_body__contains=value) | Q(body__contains=value))
