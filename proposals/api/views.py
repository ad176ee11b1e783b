"""Reference data: committees, sessions, proposers, agencies, the holiday calendar and the
(read-only) event trail. Anyone reads; the proposal committee's staff write."""
from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from proposals.api.base import FORMAT_PARAMETER, TrackerViewSet
from proposals.api.errors import error_responses
from proposals.api.permissions import StaffWritesReference
from proposals.api.serializers import (
    AgencySerializer,
    CalendarDaySerializer,
    CommitteeSerializer,
    EventSerializer,
    ProposerSerializer,
    SessionSerializer,
)
from proposals.filtersets import (
    AgencyFilterSet,
    CalendarDayFilterSet,
    CommitteeFilterSet,
    EventFilterSet,
    ProposerFilterSet,
    SessionFilterSet,
)
from proposals.models import Agency, AgencyAlias, CalendarDay, Committee, Proposal, Session
from proposals.search import refresh_search_text
from proposals.selectors import visible_events, visible_proposers
from proposals.services.calendar import (
    deadlines_flag_for_calendar_change,
    deadlines_flag_for_rule_change,
    stored_rule_values,
)

WRITE_ERRORS = error_responses(400, 403, 404)


def reference_schema(name, serializer, deletable=False):
    schemas = {
        "list": extend_schema(summary=f"{name}列表", parameters=[FORMAT_PARAMETER]),
        "retrieve": extend_schema(summary=f"{name}详情", responses={200: serializer, **error_responses(404)}),
        "create": extend_schema(summary=f"新建{name}(工作人员)",
                                responses={201: serializer, **error_responses(400, 403)}),
        "update": extend_schema(summary=f"修改{name}(工作人员)", responses={200: serializer, **WRITE_ERRORS}),
        "partial_update": extend_schema(summary=f"修改{name}(工作人员)",
                                        responses={200: serializer, **WRITE_ERRORS}),
    }
    if deletable:
        schemas["destroy"] = extend_schema(summary=f"删除{name}(工作人员)",
                                           responses={204: None, **error_responses(403, 404)})
    return extend_schema_view(**schemas)


class ReferenceViewSet(TrackerViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    permission_classes = [StaffWritesReference]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class DeadlineRulesViewSetMixin:
    """A changed deadline rule (or a session's fixed reply date) flags the stored deadlines it
    had set for review (proposals.services.calendar); the dates themselves are not recomputed."""

    def perform_update(self, serializer):
        before = stored_rule_values(serializer.instance)
        with transaction.atomic():
            owner = serializer.save()
            deadlines_flag_for_rule_change(actor=self.request.user, owner=owner, before=before)


@reference_schema("政协", CommitteeSerializer)
class CommitteeViewSet(DeadlineRulesViewSetMixin, ReferenceViewSet):
    queryset = Committee.objects.order_by("name")
    serializer_class = CommitteeSerializer
    filterset_class = CommitteeFilterSet
    export_filename = "committees"


@reference_schema("会议", SessionSerializer)
class SessionViewSet(DeadlineRulesViewSetMixin, ReferenceViewSet):
    serializer_class = SessionSerializer
    filterset_class = SessionFilterSet
    export_filename = "sessions"

    def get_queryset(self):
        return Session.objects.select_related("committee").order_by("committee__name", "-term", "-number")


@reference_schema("提案人", ProposerSerializer)
class ProposerViewSet(ReferenceViewSet):
    serializer_class = ProposerSerializer
    filterset_class = ProposerFilterSet
    export_filename = "proposers"

    def get_queryset(self):
        return visible_proposers(self.request.user).select_related("committee").order_by("committee__name", "name",
                                                                                           "id")

    def perform_update(self, serializer):
        proposer = serializer.save()
        refresh_search_text(Proposal.objects.filter(signatures__proposer=proposer).values_list("pk", flat=True))


@reference_schema("承办单位", AgencySerializer)
class AgencyViewSet(ReferenceViewSet):
    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet
    export_filename = "agencies"

    def get_queryset(self):
        return Agency.objects.prefetch_related(
            Prefetch("aliases", queryset=AgencyAlias.objects.order_by("name"))).order_by("name")

    def perform_update(self, serializer):
        agency = serializer.save()
        refresh_search_text(Proposal.objects.filter(assignments__agency=agency).values_list("pk", flat=True))


@reference_schema("节假日安排", CalendarDaySerializer, deletable=True)
class CalendarDayViewSet(ReferenceViewSet, mixins.DestroyModelMixin):
    """Statutory holidays and make-up working days (调休上班日): data the staff maintain."""

    queryset = CalendarDay.objects.order_by("date")
    serializer_class = CalendarDaySerializer
    filterset_class = CalendarDayFilterSet
    export_filename = "calendar-days"
    http_method_names = ReferenceViewSet.http_method_names + ["delete"]

    # Each change flags the deadlines that read the days it touched (proposals.services.calendar).
    def perform_create(self, serializer):
        with transaction.atomic():
            day = serializer.save()
            deadlines_flag_for_calendar_change(actor=self.request.user, dates=[day.date])

    def perform_update(self, serializer):
        before = (serializer.instance.date, serializer.instance.kind)
        with transaction.atomic():
            day = serializer.save()
            if (day.date, day.kind) != before:  # a new name alone moves no date
                deadlines_flag_for_calendar_change(actor=self.request.user, dates=[before[0], day.date])

    def perform_destroy(self, instance):
        with transaction.atomic():
            day = instance.date
            instance.delete()
            deadlines_flag_for_calendar_change(actor=self.request.user, dates=[day])


@extend_schema_view(
    list=extend_schema(summary="事件列表(只读)", parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(summary="事件详情", responses={200: EventSerializer, **error_responses(404)}),
)
class EventViewSet(TrackerViewSet):
    """The audit trail of every transition, for the people involved in the proposal."""

    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    export_filename = "events"

    def get_queryset(self):
        return visible_events(self.request.user).select_related("actor", "assignment").order_by("-at", "-id")
