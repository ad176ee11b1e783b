"""/api/stats/: the handling report's figures per committee, session or agency, over the
proposals the user may see, filtered with the proposal list's filters."""
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from proposals.api.errors import error_responses
from proposals.filtersets import ProposalFilterSet
from proposals.selectors import visible_proposals
from replies import stats as figures_module
from replies.stats import GROUPS, proposal_stats

# Every figure is null when the group is suppressed (an anonymous caller, fewer than
# MIN_PUBLIC_GROUP proposals): see replies/stats.py.
FIGURES = {
    "suppressed": serializers.BooleanField(help_text=_("匿名访问且提案少于5件时不显示数字")),
    "received": serializers.IntegerField(allow_null=True, help_text=_("收到提案数(草稿除外)")),
    "filed": serializers.IntegerField(allow_null=True, help_text=_("立案数")),
    "not_filed": serializers.IntegerField(allow_null=True),
    "merged": serializers.IntegerField(allow_null=True),
    "converted": serializers.IntegerField(allow_null=True),
    "withdrawn": serializers.IntegerField(allow_null=True),
    "assigned": serializers.IntegerField(allow_null=True, help_text=_("主办、分办交办数")),
    "replied": serializers.IntegerField(allow_null=True),
    "replied_on_time": serializers.IntegerField(allow_null=True),
    "overdue_now": serializers.IntegerField(allow_null=True, help_text=_("当前超期未办复的交办数")),
    "urged": serializers.IntegerField(allow_null=True, help_text=_(
        "催办次数(各办理方式的交办;只计调用者可见的办理过程,无权查看办理过程者为 null)")),
    "urged_assignments": serializers.IntegerField(allow_null=True, help_text=_("被催办过的交办数")),
    "reply_rate": serializers.FloatField(allow_null=True, help_text=_("办复率")),
    "on_time_reply_rate": serializers.FloatField(allow_null=True, help_text=_("按期办复率")),
    "mean_working_days_to_reply": serializers.FloatField(allow_null=True, help_text=_("平均办复工作日")),
    "classification": inline_serializer("ClassificationMix", allow_null=True, fields={
        **{c: serializers.IntegerField() for c in ("A", "B", "C", "D")}, "total": serializers.IntegerField(),
        "shares": inline_serializer("ClassificationShares", fields={
            c: serializers.FloatField(allow_null=True) for c in ("A", "B", "C", "D")})}),
    "satisfaction": inline_serializer("Satisfaction", allow_null=True, fields={
        "satisfied": serializers.IntegerField(help_text=_("满意")),
        "basically": serializers.IntegerField(help_text=_("基本满意")),
        "dissatisfied": serializers.IntegerField(help_text=_("不满意")),
        "total": serializers.IntegerField(help_text=_("已评价数(不含未表态)")),
        "not_rated": serializers.IntegerField(help_text=_("未表态:征询期内未评价")),
        "satisfied_rate": serializers.FloatField(allow_null=True),
        "basically_rate": serializers.FloatField(allow_null=True),
        "dissatisfied_rate": serializers.FloatField(allow_null=True),
        "satisfaction_rate": serializers.FloatField(allow_null=True, help_text=_("满意率(满意 + 基本满意)")),
    }),
}
StatsResponse = inline_serializer("Stats", fields={
    "group_by": serializers.ChoiceField(choices=GROUPS),
    "on": serializers.DateField(help_text=_("计算超期所用的日期(今天)")),
    "total": inline_serializer("StatsFigures", fields=FIGURES),
    "groups": inline_serializer("StatsGroup", many=True, fields={
        "group": inline_serializer("StatsGroupKey", fields={
            "id": serializers.IntegerField(), "name": serializers.CharField(),
            "key": serializers.CharField(required=False, help_text=_("会议:政协/届/次"))}),
        **FIGURES}),
})


class StatsView(GenericAPIView):
    """Figures over the visible proposals; every filter of /api/proposals/ applies."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = ProposalFilterSet
    pagination_class = None

    def get_queryset(self):
        return visible_proposals(self.request.user)

    @extend_schema(
        summary="统计:收到、立案、并案、转意见建议、办复率、按期办复率、满意率、A/B/C 分类、平均办复工作日、当前超期、催办",
        description=figures_module.__doc__,
        parameters=[OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(GROUPS), default="committee",
                                     description="按政协、会议或承办单位分组")],
        responses={200: StatsResponse, **error_responses(400)},
        filters=True,
    )
    def get(self, request):
        group_by = request.query_params.get("group_by", "committee")
        if group_by not in GROUPS:
            return Response({"group_by": [_("应为 committee、session 或 agency")]}, status=400)
        proposals, agencies = self.get_queryset().order_by(), []
        if any(name in self.filterset_class.base_filters for name in request.query_params):
            filterset = self.filterset_class(request.query_params, queryset=proposals, request=request,
                                             requested_only=True)
            if not filterset.is_valid():
                return Response(filterset.errors, status=400)
            cleaned = filterset.form.cleaned_data
            agencies = list(cleaned.get("agency_id") or []) + list(cleaned.get("agency") or [])
            proposals = filterset.qs
        figures = proposal_stats(proposals=proposals, user=request.user, group_by=group_by,
                                 agency_ids=[a.pk for a in agencies] or None)
        return Response(figures)
