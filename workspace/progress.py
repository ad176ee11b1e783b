"""Where a proposal stands, in one plain sentence for its proposer ("已交由示范市教育局主办,答复
期限 2027-02-28"), and the date that matters next. Built at read time from what the services
stored (status, dates, assignments, invitations, the reply awaiting the reader's rating), in the
reader's language; the full story is the timeline (proposals.event_text)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from proposals.models import Assignment, Proposal
from proposals.selectors import proposal_days_overdue, today
from proposals.services.cosigning import is_open

S = Proposal.Status


@dataclass(frozen=True)
class Progress:
    text: str
    due_label: str = ""
    due_on: datetime.date | None = None
    days_overdue: int = 0


def _names(assignments) -> str:
    return pgettext("list separator", "、").join(a.agency.name for a in assignments)


def _current(proposal: Proposal) -> list[Assignment]:
    """The assignments still standing, from the caller's prefetched rows."""
    return [a for a in proposal.assignments.all() if a.is_current]


def progress(proposal: Proposal, *, awaiting_reply=None, on: datetime.date | None = None) -> Progress:
    """The sentence and the next date of ``proposal`` (its assignments with their agencies
    prefetched; ``pending_invitations`` for a draft, when the caller prefetched them);
    ``awaiting_reply``: the reply waiting for this reader's rating, if any
    (replies.selectors.replies_awaiting_feedback)."""
    on = on or today()
    status = proposal.status
    if status == S.DRAFT:
        return _draft(proposal, on)
    if status == S.SUBMITTED:
        return Progress(_("已于 %(date)s 提交,等待提案委员会审查") % {"date": _iso(proposal.submitted_on)})
    if status == S.FILED:
        return Progress(_("已于 %(date)s 立案,等待交办") % {"date": _iso(proposal.filed_on)})
    if status == S.NOT_FILED:
        return Progress(_reasoned(_("不予立案:%(reason)s"), proposal))
    if status == S.CONVERTED:
        return Progress(_reasoned(_("已转为意见建议:%(reason)s"), proposal))
    if status == S.MERGED and proposal.merged_into_id:
        return Progress(_("已并入第%(number)s号提案办理") % {"number": proposal.merged_into.number})
    if status == S.ASSIGNED:
        return _assigned(proposal, on)
    if status == S.REPLIED:
        return _replied(proposal, awaiting_reply)
    if status == S.CLOSED and proposal.closed_on:
        return Progress(_("已于 %(date)s 办结") % {"date": proposal.closed_on.isoformat()})
    return Progress(proposal.get_status_display())


def _iso(day) -> str:
    return day.isoformat() if day else "—"


def _reasoned(template: str, proposal: Proposal) -> str:
    # The review reason is what the proposer is told (domain.md, Review).
    reason = (proposal.review_reason or "").strip()
    return template % {"reason": reason} if reason else proposal.get_status_display()


def _draft(proposal: Proposal, on: datetime.date) -> Progress:
    pending = getattr(proposal, "pending_invitations", None)
    waiting = [i for i in (pending if pending is not None else proposal.invitations.all()) if is_open(i, on)]
    if not waiting:
        return Progress(_("草稿,尚未提交"))
    last = max(i.due_on for i in waiting)
    text = ngettext("草稿,等待 %(n)s 位委员确认联名,最迟 %(due)s", "草稿,等待 %(n)s 位委员确认联名,最迟 %(due)s",
                    len(waiting)) % {"n": len(waiting), "due": last.isoformat()}
    return Progress(text, _("确认截止日期"), last)


def _assigned(proposal: Proposal, on: datetime.date) -> Progress:
    current = _current(proposal)
    rehandling = [a for a in current if a.is_answering and a.status == Assignment.Status.REHANDLING]
    lead = [a for a in current if a.role == Assignment.Role.LEAD]
    co = [a for a in current if a.role == Assignment.Role.CO]
    separate = [a for a in current if a.role == Assignment.Role.SEPARATE]
    if rehandling:
        text = _("%(agencies)s正在重新办理") % {"agencies": _names(rehandling)}
        label = pgettext("deadline rule", "重新办理期限")
    elif lead and co:
        text = _("已交由%(lead)s主办,%(co)s会办") % {"lead": _names(lead), "co": _names(co)}
        label = pgettext("deadline rule", "答复期限")
    elif lead:
        text = _("已交由%(lead)s主办") % {"lead": _names(lead)}
        label = pgettext("deadline rule", "答复期限")
    elif separate:
        text = _("已分别交由%(agencies)s办理") % {"agencies": _names(separate)}
        label = pgettext("deadline rule", "答复期限")
    else:
        return Progress(proposal.get_status_display())
    due = proposal.next_due_on
    if due:
        text += _(",%(rule)s %(due)s") % {"rule": label, "due": due.isoformat()}
    late = proposal_days_overdue(proposal, on)
    if late:
        text += ngettext(",已逾期 %(n)s 天", ",已逾期 %(n)s 天", late) % {"n": late}
    return Progress(text, label, due, late)


def _replied(proposal: Proposal, awaiting_reply) -> Progress:
    answered = [a for a in _current(proposal) if a.is_answering and a.replied_on]
    if answered:
        text = _("%(agencies)s已于 %(date)s 答复") % {
            "agencies": _names(answered), "date": max(a.replied_on for a in answered).isoformat()}
    else:
        text = proposal.get_status_display()
    if awaiting_reply is not None and awaiting_reply.feedback_due_on:
        due = awaiting_reply.feedback_due_on
        return Progress(text + _(",请于 %(due)s 前评价") % {"due": due.isoformat()}, _("征询意见截止日期"), due)
    if awaiting_reply is not None:
        return Progress(text + _(",请评价答复"))
    return Progress(text)
