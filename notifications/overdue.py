"""The overdue digest (逾期汇总) of a reminder run (notifications.reminders): on every working day,
one notice per agency to its liaisons and one per committee to the proposal committee's staff,
listing the open replies and co-handling opinions past their due date, the longest overdue first
(at most DIGEST_ITEMS lines, then the count of the rest). Written once a day: the key names the
day, ``overdue:{date}:agency:{id}`` / ``overdue:{date}:committee:{id}``.
"""
from __future__ import annotations

import datetime
import heapq
import itertools
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import NamedTuple

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from notifications.bulk import IN_CHUNK, Notice, Outbox, People
from notifications.events import proposal_text
from notifications.models import Notification
from notifications.workdays import WorkdayIndex

K = Notification.Kind
DIGEST_ITEMS = 100


class Line(NamedTuple):
    proposal: SimpleNamespace  # what proposal_text reads: session, number, title
    agency: str
    due_on: datetime.date
    label: object  # the deadline's name, lazy


@dataclass
class Group:
    target: object  # People -> Target
    committee_id: int
    agency_id: int | None
    count: int = 0
    longest: list = field(default_factory=list)  # a heap of (working days overdue, order, Line)


class OverdueDigest:
    def __init__(self, *, today: datetime.date, index: WorkdayIndex, people: People, outbox: Outbox):
        self.today, self.index, self.people, self.outbox = today, index, people, outbox
        self.groups: dict[tuple[str, int], Group] = {}
        self.order = itertools.count()

    def add(self, assignment, label, committee) -> None:
        """An overdue deadline of ``assignment`` (its due_on), ``label`` naming it (lazy). Only what
        a line says is kept, not the assignment: the digest may list tens of thousands."""
        agency, proposal = assignment.agency, assignment.proposal
        line = Line(SimpleNamespace(session=proposal.session, number=proposal.number, title=proposal.title),
                    agency.name, assignment.due_on, label)
        entry = (self.index.between(assignment.due_on, self.today), next(self.order), line)
        for key, target in ((("agency", agency.pk), lambda people: people.agency(agency)),
                            (("committee", committee.pk), lambda people: people.committee_staff(committee))):
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = Group(target=target, committee_id=committee.pk,
                                                 agency_id=agency.pk if key[0] == "agency" else None)
            group.count += 1
            if len(group.longest) < DIGEST_ITEMS:
                heapq.heappush(group.longest, entry)
            else:
                heapq.heappushpop(group.longest, entry)

    def write(self) -> None:
        if not self.groups:
            return
        self.people.load_liaisons({g.agency_id for g in self.groups.values() if g.agency_id is not None})
        link = reverse("admin:proposals_assignment_changelist") + "?overdue=yes"
        notices = [Notice(kind=K.OVERDUE_DIGEST, key=f"overdue:{self.today}:{scope}:{pk}",
                          targets=[group.target(self.people)], values=self._values(group),
                          committee_id=group.committee_id, link=link)
                   for (scope, pk), group in sorted(self.groups.items())]
        # Today's digests, if any, were written within the last day or two; a run --on an older
        # date finds none here and is held back by the unique key alone.
        since = timezone.now() - datetime.timedelta(days=2)
        for start in range(0, len(notices), IN_CHUNK):
            self.outbox.write(notices[start:start + IN_CHUNK], existing=lambda: Notification.objects.filter(
                kind=K.OVERDUE_DIGEST, created_at__gte=since).order_by().values_list("dedupe_key", flat=True))

    def _values(self, group: Group):
        def values(target) -> dict:
            lines = []
            entries = sorted(group.longest, key=lambda e: (-e[0], e[1]))
            for number, (days, _order, line) in enumerate(entries, 1):
                lines.append(f"{number}. " + ngettext(
                    "%(proposal)s,%(agency)s%(deadline)s %(due_on)s,已逾期 %(days)s 个工作日",
                    "%(proposal)s,%(agency)s%(deadline)s %(due_on)s,已逾期 %(days)s 个工作日", days) % {
                    "proposal": proposal_text(line.proposal), "agency": line.agency, "deadline": str(line.label),
                    "due_on": line.due_on.isoformat(), "days": days})
            rest = group.count - len(lines)
            if rest > 0:
                lines.append(ngettext("……另有 %(count)s 项未列出", "……另有 %(count)s 项未列出", rest) % {"count": rest})
            return {"count": group.count, "today": self.today.isoformat(), "items": "\n".join(lines)}
        return values
