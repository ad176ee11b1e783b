"""Reads. Visibility is decided here, once per model, and used by the admin and the API alike."""
from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from proposals.calendar import WorkCalendar, load_work_calendar
from proposals.models import Assignment, ContactLog, Event, Proposal, Proposer
from proposals import visibility
from proposals.roles import is_committee_staff, liaison_agency_ids
from proposals.visibility import Viewer


def today() -> datetime.date:
    return timezone.localdate()


def proposal_visibility_q(user) -> Q:
    """Which proposals a user may see: proposals.visibility decides."""
    return visibility.proposals_q(Viewer.of(user))


def visible_proposals(user) -> QuerySet[Proposal]:
    return visibility.visible_proposals(user)


def proposal_list(*, user, queryset: QuerySet[Proposal] | None = None) -> QuerySet[Proposal]:
    """Proposals the user may see, with what a list shows (session, lead proposer, lead agency)."""
    from django.db.models import Prefetch

    from proposals.models import ProposalProposer

    base = queryset if queryset is not None else Proposal.objects.all()
    return (
        base.filter(proposal_visibility_q(user))
        .select_related("session__committee")
        .prefetch_related(
            Prefetch("signatures", queryset=ProposalProposer.objects.select_related("proposer").order_by("position")),
            Prefetch("assignments", queryset=Assignment.objects.select_related("agency").order_by("role", "id")),
        )
    )


def is_proposal_visible(user, proposal: Proposal) -> bool:
    return visible_proposals(user).filter(pk=proposal.pk).exists()


def visible_assignments(user) -> QuerySet[Assignment]:
    """Those of the proposals the user sees, and always its own agency's (proposals.visibility)."""
    return Assignment.objects.filter(visibility.assignments_q(Viewer.of(user)))


def visible_contacts(user) -> QuerySet[ContactLog]:
    return ContactLog.objects.filter(visibility.contacts_q(Viewer.of(user)))


def visible_events(user) -> QuerySet[Event]:
    """The timeline is for the people involved (proposals.visibility); notes are rendered per
    reader with visibility.event_note."""
    return Event.objects.filter(visibility.events_q(Viewer.of(user)))


def visible_proposers(user) -> QuerySet[Proposer]:
    """Proposer names are public where they sign a visible proposal; contact details: visibility.FIELDS."""
    return Proposer.objects.filter(visibility.proposers_q(Viewer.of(user)))


def work_calendar(start: datetime.date, end: datetime.date) -> WorkCalendar:
    """Holidays and make-up working days between two dates, read from CalendarDay, with the
    years whose holidays were loaded (proposals.calendar.load_work_calendar)."""
    return load_work_calendar(start, end)


def overdue_assignments(on: datetime.date | None = None) -> QuerySet[Assignment]:
    return Assignment.objects.filter(status__in=Assignment.OPEN_STATUSES, due_on__lt=on or today())


def assignment_days_overdue(assignment: Assignment, on: datetime.date | None = None) -> int:
    """Calendar days an open assignment is past its due date; 0 when on time or no longer open."""
    from proposals.deadlines import days_overdue

    return days_overdue(assignment.due_on, on or today()) if assignment.is_open else 0


def proposal_days_overdue(proposal: Proposal, on: datetime.date | None = None) -> int:
    """Calendar days the proposal's earliest open lead/separate deadline is past (next_due_on);
    0 unless the proposal is in handling."""
    from proposals.deadlines import days_overdue

    if proposal.status != Proposal.Status.ASSIGNED:
        return 0
    return days_overdue(proposal.next_due_on, on or today())


def assignments_due_within(days: int, on: datetime.date | None = None) -> QuerySet[Assignment]:
    start = on or today()
    return Assignment.objects.filter(
        status__in=Assignment.OPEN_STATUSES, due_on__gte=start, due_on__lte=start + datetime.timedelta(days=days)
    )


def objections_to_decide() -> QuerySet[Assignment]:
    """交办异议 waiting for the proposal committee's decision."""
    return Assignment.objects.filter(status=Assignment.Status.OBJECTED)


def agency_assignments(user) -> QuerySet[Assignment]:
    """The assignments of the user's own agencies: a liaison's work list (not its co-handlers')."""
    return Assignment.objects.filter(agency_id__in=liaison_agency_ids(user))


def visible_supervision_logs(user):
    """Key proposals are reported on separately, so their supervision log follows the proposal's visibility."""
    from proposals.models import SupervisionLog

    if is_committee_staff(user):
        return SupervisionLog.objects.all()
    return SupervisionLog.objects.filter(visibility.proposal_visible_q(Viewer.of(user)))


def proposal_brief_list(*, user, queryset: QuerySet[Proposal] | None = None) -> QuerySet[Proposal]:
    """Proposals the user may see, with only what a list row shows (the API's lists and exports):
    session and committee; ``lead_signatures`` (the lead proposer) and ``lead_assignments`` (the
    current lead agency), each one query for the whole page; the long texts left out."""
    from django.db.models import Prefetch

    from proposals.models import ProposalProposer

    base = queryset if queryset is not None else Proposal.objects.all()
    # Ordered by plain columns: the models' default orderings go through Proposal's and would
    # join it (and its session) into every prefetch.
    leads = ProposalProposer.objects.filter(position=0).select_related("proposer").only(
        "proposal_id", "position", "proposer__id", "proposer__name", "proposer__kind").order_by("proposal_id")
    lead_agencies = (
        Assignment.objects.current().filter(role=Assignment.Role.LEAD)
        .select_related("agency").only("proposal_id", "role", "status", "agency__id", "agency__name")
        .order_by("proposal_id", "id")
    )
    return (
        base.filter(proposal_visibility_q(user))
        .select_related("session__committee")
        .defer("body", "search_text", "review_reason")
        .prefetch_related(
            Prefetch("signatures", queryset=leads, to_attr="lead_signatures"),
            Prefetch("assignments", queryset=lead_agencies, to_attr="lead_assignments"),
        )
    )


def proposal_detail_list(*, user, queryset: QuerySet[Proposal] | None = None) -> QuerySet[Proposal]:
    """Proposals the user may see, with what a detail shows and no more: session and committee;
    the proposers in signing order and the assignments with their agencies (one query each,
    brief columns of the related rows); ``has_merged`` / ``has_supervision`` so that the
    merged proposals and the supervision log are asked for only when there are any. The
    search text (a copy of the body and every name) is left out; ``merged_into`` is loaded on
    access (rare: merged proposals only)."""
    from django.db.models import Prefetch

    from proposals.models import ProposalProposer, SupervisionLog

    base = queryset if queryset is not None else Proposal.objects.all()
    # Ordered by plain columns: the related models' default orderings would join Proposal.
    signatures = ProposalProposer.objects.select_related("proposer").only(
        "proposal_id", "position", "proposer__id", "proposer__name", "proposer__kind").order_by("position")
    assignments = Assignment.objects.select_related("agency").defer(
        "agency__parent", "agency__region", "agency__level").order_by("role", "id")
    return (
        base.filter(proposal_visibility_q(user))
        .select_related("session__committee")
        .defer("search_text")
        .annotate(has_merged=Exists(Proposal.objects.filter(merged_into=OuterRef("pk"))),
                  has_supervision=Exists(SupervisionLog.objects.filter(proposal=OuterRef("pk"))))
        .prefetch_related(Prefetch("signatures", queryset=signatures), Prefetch("assignments", queryset=assignments))
    )
