"""Reminders, escalation and the overdue digest (issue 11), written from the stored deadlines and
the working-day calendar by ``manage.py remind`` (and by ``send_notifications`` once a day).

    deadline                 stored in                          reminded on (default)   told
    reply (主办/分办)         Assignment.due_on                  10 and 3 working days   the agency's liaisons
      re-handling            the same, while 重新办理             before, and on the day
    co-handling opinion      Assignment.due_on (会办)             10 and 3                the co-handler's liaisons
    objection window         Assignment.objection_due_on         2                       the agency's liaisons
                             (待签收/办理中, no objection yet)
    feedback window          Reply.feedback_due_on (current      3                       each proposer who has
                             round of a replied proposal)                                not rated yet

The working days are each session's rules (Session.rule: session, committee, then
TRACKER_DEFAULT_RULES: remind_reply_working_days, _opinion_, _objection_, _feedback_; [] for the
day itself only). Only open assignments (Assignment.OPEN_STATUSES) are read.

Escalation (督促): a reply or opinion past due by ``escalate_after_working_days`` (5; 0: never)
working days is told to the agency's liaisons (an agency has no head contact of its own), the
committee's staff and, for a key proposal, its supervising leader (without the extension's
reason, the handlers' alone). On working days, the overdue digest (notifications.overdue).

Once. Every notice has a dedupe key — ``remind:{assignment}:{deadline}:{due_on}:{days}`` (days 0:
the due day), ``escalate:{assignment}:{deadline}:{due_on}``, ``overdue:{date}:agency:{id}`` — and
Notification.dedupe_key is unique: a second run, the same day or at the same moment, writes
nothing. An extension or a re-handling moves due_on: the new date gets its reminders, the old one
none. A day the run missed is caught up by the next run within CATCH_UP_WORKING_DAYS working days
(not past the next reminder's day nor the deadline); a reminder whose day came before its period
began (assigned 2 working days before a fixed date) is not sent: the assignment's notice said it.

Scale. The calendar is read once and working days are counted by subtraction
(notifications.workdays); the candidates' ids are read in one query, then the rows in batches of
``batch`` by primary key with their proposal and agency; each batch costs the same few queries
(stored deadlines of what fires, the liaisons, leaders and preferences not known yet, the keys
already written, the rows' INSERT) whatever its size.
"""
from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from notifications.bulk import Notice, Outbox, People, Texts, leader_pair
from notifications.events import admin_path, explain, proposal_text
from notifications.models import Notification
from notifications.overdue import OverdueDigest
from notifications.workdays import WorkdayIndex
from proposals.calendar import load_work_calendar
from proposals.deadlines import RULE_LABELS, deadline_from_dict
from proposals.models import Assignment, Proposal, ProposalProposer, Session
from proposals.selectors import today as local_today
from replies.models import Feedback, Reply

logger = logging.getLogger(__name__)
K = Notification.Kind
A = Assignment.Status
KINDS = (K.REMINDER_BEFORE, K.REMINDER_DUE, K.ESCALATION, K.OVERDUE_DIGEST)
BATCH = 500
CATCH_UP_WORKING_DAYS = 3
REMIND_RULES = {"reply": "remind_reply_working_days", "opinion": "remind_opinion_working_days",
                "objection": "remind_objection_working_days", "feedback": "remind_feedback_working_days"}
ESCALATE_RULE = "escalate_after_working_days"
# An objection window matters while the agency may still object (proposals.services.calendar).
OBJECTING_STATUSES = (A.ASSIGNED, A.ACKNOWLEDGED)
LABELS = {"reply": RULE_LABELS["reply_months"], "rehandle": RULE_LABELS["rehandle_months"],
          "opinion": RULE_LABELS["co_opinion_months"], "objection": RULE_LABELS["objection_working_days"],
          "feedback": RULE_LABELS["feedback_working_days"]}
# What the reader is asked to do: (before the day, on the day).
ACTIONS = {
    "reply": (gettext_lazy("请在期限前答复提案人。"), gettext_lazy("请于今日内答复提案人。")),
    "opinion": (gettext_lazy("请在期限前向主办单位提交会办意见。"), gettext_lazy("请于今日内向主办单位提交会办意见。")),
    "objection": (gettext_lazy("如认为不属于本单位职责,请在期限前提出调整申请,逾期不再受理。"),
                  gettext_lazy("如认为不属于本单位职责,请于今日内提出调整申请,逾期不再受理。")),
    "feedback": (gettext_lazy("请在期限前对答复作出评价(满意、基本满意或不满意),逾期未评价的记为未表态。"),
                 gettext_lazy("请于今日内对答复作出评价(满意、基本满意或不满意),逾期未评价的记为未表态。")),
}
ACTIONS["rehandle"] = ACTIONS["reply"]


# --- The rules and the days -----------------------------------------------------------------------

def thresholds(value) -> tuple[int, ...]:
    """A reminder rule as working days, largest first: [10, 3] -> (10, 3); a bare number is one."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(sorted({n for n in value if isinstance(n, int) and not isinstance(n, bool) and n > 0},
                        reverse=True))


@dataclass(frozen=True)
class Rules:
    remind: dict[str, tuple[int, ...]]
    escalate_after: int  # 0: never

    @classmethod
    def of(cls, session: Session) -> Rules:
        value = session.rule(ESCALATE_RULE)
        return cls(remind={kind: thresholds(session.rule(name)) for kind, name in REMIND_RULES.items()},
                   escalate_after=value if isinstance(value, int) and value > 0 else 0)


def reminder_for(index: WorkdayIndex, today: datetime.date, due_on: datetime.date, days: tuple[int, ...],
                 known_since: datetime.date | None = None) -> int | None:
    """The reminder a deadline has ``today``: 0 on the day itself, N when it is N working days
    ahead (``days``, largest first) or a run missed that day less than CATCH_UP_WORKING_DAYS
    working days ago and the next reminder's day has not come; None otherwise, and when the
    deadline was set (``known_since``) on or after the reminder's day."""
    if today == due_on:
        return 0
    if today > due_on:
        return None
    left = index.between(today, due_on)
    for position, n in enumerate(days):
        lower = days[position + 1] if position + 1 < len(days) else 0
        if lower < left <= n:
            if n - left >= CATCH_UP_WORKING_DAYS:
                return None
            if known_since is not None and index.between(known_since, due_on) <= n:
                return None
            return n
    return None


def escalation_for(index: WorkdayIndex, today: datetime.date, due_on: datetime.date, after: int) -> int | None:
    """Working days overdue when the deadline is to be escalated today (``after`` of them, or a
    missed run caught up within CATCH_UP_WORKING_DAYS), else None."""
    if not after or today <= due_on:
        return None
    overdue = index.between(due_on, today)
    return overdue if after <= overdue < after + CATCH_UP_WORKING_DAYS else None


def _stored(part) -> tuple[datetime.date | None, dict | None]:
    """(start of the period, the stored deadline) of Assignment.due_explanation's part."""
    if not isinstance(part, dict):
        return None, None
    try:
        return deadline_from_dict(part).start_on, part
    except (KeyError, TypeError, ValueError):
        return None, part


# --- The run --------------------------------------------------------------------------------------

@dataclass
class RemindSummary:
    on: datetime.date
    working_day: bool = True
    assignments: int = 0  # open assignments read
    replies: int = 0  # replies in their feedback window read
    batches: int = 0
    notices: dict[str, int] = field(default_factory=dict)  # kind -> notices that wrote rows
    rows: dict[str, int] = field(default_factory=dict)  # kind -> Notification rows written

    def count(self, kind: str) -> int:
        return self.notices.get(kind, 0)


class Run:
    # What the texts and the rules read of each row, with the rows it needs.
    related = {Assignment: ("proposal", "agency"), Reply: ("assignment__agency", "assignment__proposal")}
    fields = {
        Assignment: ("id", "role", "status", "assigned_on", "due_on", "objection_due_on", "objection_decision",
                     "rehandle_count", "proposal__id", "proposal__session_id", "proposal__number",
                     "proposal__title", "proposal__is_key", "proposal__supervising_leader", "agency__id",
                     "agency__name"),
        Reply: ("id", "kind", "status", "round", "assignment_id", "feedback_due_on", "feedback_due_explanation",
                "assignment__id", "assignment__status", "assignment__rehandle_count", "assignment__agency__id",
                "assignment__agency__name", "assignment__proposal__id", "assignment__proposal__status",
                "assignment__proposal__session_id", "assignment__proposal__number", "assignment__proposal__title"),
    }

    def __init__(self, *, on: datetime.date, batch: int = BATCH, now: datetime.datetime | None = None):
        self.today = on
        self.batch = max(1, batch)
        self.sessions = {s.pk: s for s in Session.objects.select_related("committee")}
        self.rules = {pk: Rules.of(s) for pk, s in self.sessions.items()}
        longest = max((n for r in self.rules.values() for days in r.remind.values() for n in days), default=0)
        self.escalate_max = max((r.escalate_after for r in self.rules.values()), default=0)
        earliest = Assignment.objects.filter(status__in=Assignment.OPEN_STATUSES).aggregate(
            first=Min("due_on"))["first"] or on
        back = datetime.timedelta(days=2 * (self.escalate_max + CATCH_UP_WORKING_DAYS) + 30)
        first = min(earliest, on - back)
        ahead = on + datetime.timedelta(days=2 * longest + 40)  # working days, with a Spring Festival
        self.index = WorkdayIndex(load_work_calendar(first, ahead), first, ahead)
        self.horizon = self.index.add(on, longest)
        self.summary = RemindSummary(on=on, working_day=self.index.is_working_day(on))
        self.people = People()
        self.outbox = Outbox(self.people, Texts(KINDS), now=now)
        self.digest = OverdueDigest(today=on, index=self.index, people=self.people, outbox=self.outbox)

    def run(self) -> RemindSummary:
        for chunk in self._chunks(self._assignments()):
            self._assignment_batch(chunk)
        for chunk in self._chunks(self._replies()):
            self._reply_batch(chunk)
        if self.summary.working_day:
            self.digest.write()
        self.summary.notices, self.summary.rows = dict(self.outbox.notices), dict(self.outbox.written)
        return self.summary

    def _chunks(self, queryset):
        """The rows of ``queryset`` in batches: their ids first, in one query, then one query a
        batch by primary key alone (the caller checks again what may have changed meanwhile).
        Paging with ``pk > last … ORDER BY pk LIMIT n``, or repeating the conditions, would let the
        database read each page through the status and due-date index, finding and sorting every
        matching row again."""
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        rows = queryset.model._base_manager.select_related(*self.related[queryset.model]).only(
            *self.fields[queryset.model])
        for start in range(0, len(ids), self.batch):
            self.summary.batches += 1
            yield list(rows.filter(pk__in=ids[start:start + self.batch]).order_by("pk"))

    def _assignments(self):
        objection = Q(status__in=OBJECTING_STATUSES, objection_decision="", objection_due_on__gte=self.today,
                      objection_due_on__lte=self.horizon)
        if self.summary.working_day:  # the digest: everything overdue
            due = Q(due_on__lte=self.horizon)
        else:  # reminders and escalations only
            floor = self.index.add(self.today, -(self.escalate_max + CATCH_UP_WORKING_DAYS))
            due = Q(due_on__gte=floor, due_on__lte=self.horizon)
        return Assignment.objects.filter(Q(status__in=Assignment.OPEN_STATUSES) & (due | objection))

    def _replies(self):
        longest = max((n for r in self.rules.values() for n in r.remind["feedback"]), default=0)
        return (Reply.objects.filter(kind=Reply.Kind.REPLY, feedback_due_on__gte=self.today,
                                     feedback_due_on__lte=self.index.add(self.today, longest),
                                     assignment__status=A.REPLIED,
                                     assignment__proposal__status=Proposal.Status.REPLIED)
                .sent().current_round())

    # --- assignments ---

    def _assignment_batch(self, chunk: list[Assignment]) -> None:
        self.summary.assignments += len(chunk)
        found = []  # (kind, assignment, tag, days)
        for a in chunk:
            if a.status not in Assignment.OPEN_STATUSES:  # closed since the ids were read
                continue
            session = self.sessions[a.proposal.session_id]
            a.proposal.session = session
            rules = self.rules[session.pk]
            if a.due_on is not None:
                tag = "opinion" if a.role == Assignment.Role.CO else (
                    "rehandle" if a.status == A.REHANDLING else "reply")
                days = reminder_for(self.index, self.today, a.due_on, rules.remind["opinion" if tag == "opinion"
                                                                                   else "reply"])
                if days is not None:
                    found.append((K.REMINDER_DUE if days == 0 else K.REMINDER_BEFORE, a, tag, days))
                overdue = escalation_for(self.index, self.today, a.due_on, rules.escalate_after)
                if overdue is not None:
                    found.append((K.ESCALATION, a, tag, overdue))
                if self.summary.working_day and a.due_on < self.today:
                    self.digest.add(a, LABELS[tag], session.committee)
            if a.objection_due_on is not None and a.status in OBJECTING_STATUSES and not a.objection_decision:
                days = reminder_for(self.index, self.today, a.objection_due_on, rules.remind["objection"])
                if days is not None:
                    found.append((K.REMINDER_DUE if days == 0 else K.REMINDER_BEFORE, a, "objection", days))
        if not found:
            return
        # The stored deadlines (their explanation, and when each period started) of these only.
        explanations = dict(Assignment.objects.filter(pk__in={a.pk for _k, a, _t, _d in found})
                            .values_list("pk", "due_explanation"))
        kept = []
        for kind, a, tag, days in found:
            explanation = explanations.get(a.pk)
            start, part = _stored(explanation.get("objection" if tag == "objection" else "due")
                                  if isinstance(explanation, dict) else None)
            due_on = a.objection_due_on if tag == "objection" else a.due_on
            if kind == K.REMINDER_BEFORE and self.index.between(start or a.assigned_on, due_on) <= days:
                continue  # the period began on or after the reminder's day: its own notice said the date
            kept.append((kind, a, tag, part, days))
        if not kept:
            return
        self.people.load_liaisons({a.agency_id for _k, a, *_rest in kept})
        self.people.load_leaders(filter(None, (leader_pair(a.proposal, a.proposal.session.committee_id)
                                               for kind, a, *_rest in kept if kind == K.ESCALATION)))
        notices = [self._notice(*item) for item in kept]
        ids = sorted({n.assignment_id for n in notices})
        self.outbox.write(notices, existing=lambda: written_keys(ids))

    def _notice(self, kind: str, a: Assignment, tag: str, part, days: int) -> Notice:
        committee = a.proposal.session.committee
        due_on = a.objection_due_on if tag == "objection" else a.due_on
        label = LABELS[tag]
        targets = [self.people.agency(a.agency)]
        leaders = []
        if kind == K.ESCALATION:
            leaders = self.people.leader(a.proposal, committee.pk)
            targets += [self.people.committee_staff(committee), *leaders]
            key = f"escalate:{a.pk}:{tag}{a.rehandle_count or ''}:{due_on}"
        else:
            key = f"remind:{a.pk}:{tag}{a.rehandle_count or ''}:{due_on}:{days}"
        withheld = {id(t) for t in leaders}

        def values(target) -> dict:
            result = {"proposal": proposal_text(a.proposal), "agency": a.agency.name, "deadline_label": str(label),
                      "due_on": due_on.isoformat(),
                      "due_explanation": explain(part, with_reason=id(target) not in withheld) if part else ""}
            if kind == K.ESCALATION:
                result["working_days_overdue"] = days
            else:
                result["action"] = str(ACTIONS[tag][days == 0])
                result["working_days_left"] = self.index.between(self.today, due_on)
            return result

        return Notice(kind=kind, key=key, targets=targets, values=values, committee_id=committee.pk,
                      proposal_id=a.proposal.pk, assignment_id=a.pk, link=admin_path("proposals_proposal", a.proposal.pk))

    # --- feedback windows ---

    def _reply_batch(self, chunk: list[Reply]) -> None:
        self.summary.replies += len(chunk)
        found = []
        for reply in chunk:
            proposal = reply.assignment.proposal
            if not (reply.status != Reply.Status.DRAFT and reply.assignment.status == A.REPLIED
                    and proposal.status == Proposal.Status.REPLIED
                    and reply.round == reply.assignment.rehandle_count + 1):
                continue  # rated, re-handled or closed since the ids were read
            proposal.session = self.sessions[proposal.session_id]
            start, part = _stored(reply.feedback_due_explanation)
            days = reminder_for(self.index, self.today, reply.feedback_due_on,
                                self.rules[proposal.session_id].remind["feedback"], known_since=start)
            if days is not None:
                found.append((reply, part, days))
        if not found:
            return
        proposal_ids = {reply.assignment.proposal.pk for reply, _p, _d in found}
        signers: dict[int, list] = {}
        for signature in (ProposalProposer.objects.filter(proposal_id__in=proposal_ids)
                          .select_related("proposer__user").order_by("proposal_id", "position")):
            signers.setdefault(signature.proposal_id, []).append(signature.proposer)
        rated = set(Feedback.objects.filter(reply_id__in=[r.pk for r, _p, _d in found])
                    .values_list("reply_id", "proposer_id"))
        notices = []
        for reply, part, days in found:
            targets = [self.people.proposer(p) for p in signers.get(reply.assignment.proposal.pk, [])
                       if (reply.pk, p.pk) not in rated]
            if targets:
                notices.append(self._feedback_notice(reply, part, days, targets))
        ids = sorted({n.assignment_id for n in notices})
        self.outbox.write(notices, existing=lambda: written_keys(ids))

    def _feedback_notice(self, reply: Reply, part, days: int, targets) -> Notice:
        proposal, due_on = reply.assignment.proposal, reply.feedback_due_on

        def values(target) -> dict:
            return {"proposal": proposal_text(proposal), "agency": reply.assignment.agency.name,
                    "deadline_label": str(LABELS["feedback"]), "due_on": due_on.isoformat(),
                    "due_explanation": explain(part) if part else "", "action": str(ACTIONS["feedback"][days == 0]),
                    "working_days_left": self.index.between(self.today, due_on)}

        return Notice(kind=K.REMINDER_DUE if days == 0 else K.REMINDER_BEFORE,
                      key=f"remind:reply{reply.pk}:feedback:{due_on}:{days}", targets=targets, values=values,
                      committee_id=proposal.session.committee_id, proposal_id=proposal.pk,
                      assignment_id=reply.assignment_id, link=admin_path("proposals_proposal", proposal.pk))


def written_keys(assignment_ids):
    """The dedupe keys already written about these assignments: one query on their index (a
    condition on the kind would let SQLite read every reminder of that kind instead)."""
    return (Notification.objects.filter(assignment_id__in=assignment_ids, dedupe_key__isnull=False)
            .order_by().values_list("dedupe_key", flat=True))


def remind(*, on: datetime.date | None = None, batch: int = BATCH,
           now: datetime.datetime | None = None) -> RemindSummary:
    """Write the day's reminders, escalations and overdue digests (as of ``on``, default today),
    each at most once whatever how often it runs."""
    return Run(on=on or local_today(), batch=batch, now=now).run()


def remind_if_due(now: datetime.datetime | None = None) -> RemindSummary | None:
    """send_notifications' share: the day's run, once, from NOTIFICATION_REMIND_TIME (local time,
    default 07:30, before the 08:00 digest mails) on; None when it is not due. The cache remembers
    the day's finished run; a cache that forgets (or a run that failed) only means the next pass
    runs it again, which writes nothing twice."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    hour, minute = (int(x) for x in getattr(settings, "NOTIFICATION_REMIND_TIME", "07:30").split(":"))
    if local.time() < datetime.time(hour, minute):
        return None
    marker = f"notifications:remind:{local.date().isoformat()}"
    try:
        if cache.get(marker):
            return None
    except Exception:  # noqa: BLE001 - a cache that cannot be read costs a second run, no more
        logger.warning("Cache unavailable: the reminder run cannot tell whether it ran today", exc_info=True)
    summary = remind(on=local.date(), now=now)
    try:
        cache.set(marker, True, timeout=2 * 24 * 3600)
    except Exception:  # noqa: BLE001
        logger.warning("Cache unavailable: the reminder run will run again at the next pass", exc_info=True)
    return summary
