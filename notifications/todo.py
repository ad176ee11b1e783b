"""The to-do counts of the admin home (issue 11: "a to-do count per role on the home page"):
what waits for the signed-in user, each count a link to the admin list that shows exactly the
rows counted.

    role       counts (each only for the roles it applies to)
    liaison    待签收, 待答复, 即将到期, 已逾期 — its own agencies' assignments
    staff      待公开 (replies submitted, 主动公开, not yet published), 待审议的异议, 已逾期 (all),
               延期申请待审批
    member     待测评 (proposals with a reply awaiting its rating, within the feedback window),
               待确认的联名邀请 (drafts it is invited to co-sign, within the window)

Why here and not in proposals: the counts read proposals and replies alike, and this app is the
one that builds on both (.importlinter); counting them together is one query, whatever the role
(``count_all``). Each count starts from the visibility policy's queryset for the user
(proposals.selectors, proposals.visibility, replies.selectors) and applies the conditions of the
list filter its link names: the admin's own list filters and field lookups where they say it
(AssignmentDueFilter's ``overdue=yes|soon``, ``status__exact``, ``agency__id__in``), and
``TodoFilter`` below on the proposal list, for what no filter there says (registered through
proposals.extensions by notifications.extensions).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import admin
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from proposals.admin.base import DUE_SOON_DAYS
from proposals.models import Assignment, CoSignInvitation, ExtensionRequest, Proposal
from proposals.roles import is_committee_staff, liaison_agency_ids, proposer_id
from proposals.selectors import today, visible_assignments, visible_proposals
from proposals.visibility import visible_extension_requests
from replies.models import Reply
from replies.selectors import replies_awaiting_feedback, replies_awaiting_publication, reply_visibility_q

A = Assignment.Status
TONE_COLORS = {"danger": "#c62828", "warning": "#b26a00", "": "#1976d2"}
NOTHING_COLOR = "#9e9e9e"  # a count of zero: shown, quietly


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    count: int
    url: str
    tone: str = ""
    hint: str = ""

    @property
    def color(self) -> str:
        return TONE_COLORS.get(self.tone, TONE_COLORS[""]) if self.count else NOTHING_COLOR


@dataclass(frozen=True)
class _Item:
    key: str
    label: str
    rows: QuerySet  # what is counted: exactly the rows the link's list shows
    url: str
    tone: str = ""
    hint: str = ""


def _list_url(name: str, **params) -> str:
    return f"{reverse(f'admin:{name}_changelist')}?{urlencode(params)}"


# --- the rows of each count ----------------------------------------------------------------

def open_q() -> Q:
    return Q(status__in=Assignment.OPEN_STATUSES)


def overdue_q(on: datetime.date) -> Q:
    """AssignmentDueFilter's ``overdue=yes``."""
    return open_q() & Q(due_on__lt=on)


def due_soon_q(on: datetime.date) -> Q:
    """AssignmentDueFilter's ``overdue=soon``: due within DUE_SOON_DAYS days, today included."""
    return open_q() & Q(due_on__gte=on, due_on__lte=on + datetime.timedelta(days=DUE_SOON_DAYS))


TO_REPLY = (A.ACKNOWLEDGED, A.REHANDLING)  # acknowledged (or sent back by a 不满意), reply not yet sent


def to_rate_q(user, on: datetime.date) -> Q:
    """Proposals of the user with a reply awaiting its rating (replies.selectors)."""
    return Q(pk__in=replies_awaiting_feedback(user, on).values("assignment__proposal_id"))


def invited_q(user, on: datetime.date) -> Q:
    """Drafts the user is invited to co-sign, the invitation unanswered and its window open
    (services.cosigning.is_open)."""
    own = proposer_id(user)
    if own is None:
        return Q(pk__in=[])
    return Q(status=Proposal.Status.DRAFT) & Q(Exists(CoSignInvitation.objects.filter(
        proposal=OuterRef("pk"), proposer_id=own, status=CoSignInvitation.Status.INVITED, due_on__gte=on)))


MEMBER_CONDITIONS = {"to_rate": to_rate_q, "invited": invited_q}


# --- per role ------------------------------------------------------------------------------

def liaison_items(user, on: datetime.date) -> list[_Item]:
    agencies = sorted(liaison_agency_ids(user))
    own = visible_assignments(user).filter(agency_id__in=agencies)
    mine = {"agency__id__in": ",".join(str(pk) for pk in agencies)}
    url = "proposals_assignment"
    return [
        _Item("to_acknowledge", _("待签收"), own.filter(status=A.ASSIGNED),
              _list_url(url, status__exact=A.ASSIGNED, **mine), "warning"),
        _Item("to_reply", _("待答复"), own.filter(status__in=TO_REPLY),
              _list_url(url, status__in=",".join(TO_REPLY), **mine)),
        _Item("due_soon", _("即将到期"), own.filter(due_soon_q(on)), _list_url(url, overdue="soon", **mine),
              "warning", _("%(n)s天内到期") % {"n": DUE_SOON_DAYS}),
        _Item("overdue", _("已逾期"), own.filter(overdue_q(on)), _list_url(url, overdue="yes", **mine), "danger"),
    ]


def staff_items(user, on: datetime.date) -> list[_Item]:
    assignments = visible_assignments(user)
    return [
        _Item("to_publish", _("待公开"), replies_awaiting_publication().filter(reply_visibility_q(user)),
              _list_url("replies_reply", status__exact=Reply.Status.SUBMITTED,
                        disclosure__exact=Reply.Disclosure.PUBLIC, kind__exact=Reply.Kind.REPLY), "warning",
              _("已提交、主动公开、尚未公开的答复")),
        _Item("objections", _("待审议的异议"), assignments.filter(status=A.OBJECTED),
              _list_url("proposals_assignment", status__exact=A.OBJECTED), "warning"),
        _Item("overdue", _("已逾期"), assignments.filter(overdue_q(on)),
              _list_url("proposals_assignment", overdue="yes"), "danger"),
        _Item("extension_requests", _("延期申请待审批"),
              visible_extension_requests(user).filter(status=ExtensionRequest.Status.PENDING),
              _list_url("proposals_extensionrequest", status__exact=ExtensionRequest.Status.PENDING), "warning"),
    ]


def member_items(user, on: datetime.date) -> list[_Item]:
    proposals = visible_proposals(user)
    return [
        _Item("to_rate", _("待测评"), proposals.filter(to_rate_q(user, on)),
              _list_url("proposals_proposal", todo="to_rate"), "warning", _("答复已送达、等待您评价的提案")),
        _Item("invitations", _("待确认的联名邀请"), proposals.filter(invited_q(user, on)),
              _list_url("proposals_proposal", todo="invited"), "warning"),
    ]


def items_for(user, on: datetime.date) -> list[_Item]:
    """Staff see the committee's counts; a liaison (not staff) its agencies'; a member its own,
    beside whatever else it is."""
    if not (user and user.is_authenticated):
        return []
    items = []
    if is_committee_staff(user):
        items += staff_items(user, on)
    elif liaison_agency_ids(user):
        items += liaison_items(user, on)
    if proposer_id(user) is not None:
        items += member_items(user, on)
    return items


def count_all(querysets: dict[str, QuerySet]) -> dict[str, int]:
    """The row count of each queryset, all in one query (a UNION ALL of one COUNT each)."""
    parts = [qs.order_by().annotate(todo_key=Value(key, output_field=CharField())).values("todo_key")
             .annotate(todo_count=Count("pk")).values_list("todo_key", "todo_count")
             for key, qs in querysets.items()]
    if not parts:
        return {}
    counts = dict(parts[0].union(*parts[1:], all=True))
    return {key: counts.get(key, 0) for key in querysets}


def todo_counts(user, on: datetime.date | None = None) -> list[Todo]:
    """The to-do counts of the user's roles (the module docstring), in one query after the
    user's roles (proposals.roles reads them once per request)."""
    items = items_for(user, on or today())
    counts = count_all({item.key: item.rows for item in items})
    return [Todo(item.key, str(item.label), counts[item.key], item.url, item.tone, str(item.hint)) for item in items]


class TodoFilter(admin.SimpleListFilter):
    """The member's to-do on the proposal list: ``?todo=to_rate`` (待测评), ``?todo=invited``
    (待确认的联名邀请). Offered to members only; the same conditions as their counts."""

    title = _("待办")
    parameter_name = "todo"

    def lookups(self, request, model_admin):
        if proposer_id(request.user) is None:
            return []
        return [("to_rate", _("待测评")), ("invited", _("待确认的联名邀请"))]

    def queryset(self, request, queryset):
        condition = MEMBER_CONDITIONS.get(self.value())
        if condition is None:
            return queryset
        return queryset.filter(condition(request.user, today()))
