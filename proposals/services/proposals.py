"""Proposal workflow (../shared/domain.md, "Life of a proposal"): submission, review,
assignment, closing, key proposals. Every write goes through here."""
from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import deadlines
from proposals.calendar import rest_day_calendar
from proposals.models import Agency, Assignment, Proposal, ProposalProposer, Proposer, Session, SupervisionLog
from proposals.roles import is_committee_staff, proposer_id
from proposals.search import refresh_search_text
from proposals.selectors import today, work_calendar
from proposals.services import cosigning, numbering
from proposals.services.base import (
    lock,
    move,
    proposal_floor,
    record_event,
    require,
    require_move,
    require_plausible_date,
    require_text_length,
)
from proposals.services.errors import InvalidInput, TransitionNotAllowed

S = Proposal.Status

TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.FILED, S.NOT_FILED, S.CONVERTED, S.MERGED, S.WITHDRAWN},
    S.FILED: {S.ASSIGNED, S.MERGED, S.WITHDRAWN},
    S.ASSIGNED: {S.REPLIED, S.WITHDRAWN},
    S.REPLIED: {S.CLOSED, S.ASSIGNED},
    S.WITHDRAWN: set(),
    S.NOT_FILED: set(),
    S.CONVERTED: set(),
    S.MERGED: set(),
    S.CLOSED: set(),
}


def _is_own(actor, proposal: Proposal) -> bool:
    own = proposer_id(actor)
    return bool(own) and any(s.proposer_id == own for s in proposal.signatures.all())


def _require_staff(actor):
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以执行此操作"))


# --- what each step asks before it writes: the services call these on the locked row, the
# admin's buttons and the API's available actions ask them through base.allowed ------------

def check_update(actor, proposal: Proposal) -> None:
    require(is_committee_staff(actor) or _is_own(actor, proposal), _("只能修改本人的提案"))
    if proposal.status != S.DRAFT:
        raise TransitionNotAllowed(_("提案已提交,不能修改"))


def check_submit(actor, proposal: Proposal) -> None:
    """Submission waits for the co-signers (services.cosigning): not while an invitation is open
    within its window; one past its window no longer holds the draft up."""
    require(is_committee_staff(actor) or _is_own(actor, proposal), _("只能提交本人的提案"))
    require_move(proposal, TRANSITIONS, S.SUBMITTED)
    waiting = list(cosigning.open_invitations(proposal).select_related("proposer").order_by("due_on", "id"))
    if waiting:
        raise TransitionNotAllowed(_("联名邀请尚待答复(%(names)s,最迟 %(due)s),答复或期满后方可提交") % {
            "names": "、".join(i.proposer.name for i in waiting), "due": waiting[-1].due_on.isoformat()})


def check_withdraw(actor, proposal: Proposal) -> None:
    """Until the proposal is handled: before any reply or co-handling opinion was sent (an
    assignment with a reply date); and not while other proposals are merged into it (their
    proposers are answered through it)."""
    require(is_committee_staff(actor) or _is_own(actor, proposal), _("只能撤回本人的提案"))
    if proposal.assignments.filter(replied_on__isnull=False).exists():
        raise TransitionNotAllowed(_("提案已有答复,不能撤案"))
    _require_no_merged(proposal, S.WITHDRAWN)
    require_move(proposal, TRANSITIONS, S.WITHDRAWN)


# A proposal with proposals merged into it answers their proposers too: it must stay on the
# road to an answer (domain.md, Review: "each proposer still gets an answer").
_LEAVES_THE_ROAD = (S.NOT_FILED, S.CONVERTED, S.MERGED, S.WITHDRAWN)
# A merge target must be one that is handled: filed or further along.
MERGE_TARGET_STATUSES = (S.FILED, S.ASSIGNED, S.REPLIED, S.CLOSED)
# Only a proposal on its way to being handled can be a key proposal (重点提案).
KEY_STATUSES = (S.FILED, S.ASSIGNED, S.REPLIED, S.CLOSED)


def _require_no_merged(proposal: Proposal, to: str) -> None:
    if to in _LEAVES_THE_ROAD and Proposal.objects.filter(merged_into=proposal).exists():
        raise TransitionNotAllowed(_("已有提案并入本案,本案须继续办理,不能%(step)s") % {
            "step": dict(Proposal.Status.choices)[to]})


def check_review(actor, proposal: Proposal, to: str) -> None:
    """立案, 不予立案, 转为意见建议, 并案: the proposal committee's review of a submitted proposal."""
    _require_staff(actor)
    _require_no_merged(proposal, to)
    require_move(proposal, TRANSITIONS, to)


def check_assign(actor, proposal: Proposal) -> None:
    _require_staff(actor)
    # REPLIED -> ASSIGNED is re-handling after 不满意 (replies.services), not a second
    # assignment: only a filed proposal is assigned.
    if proposal.status != S.FILED:
        raise TransitionNotAllowed(
            _("提案当前状态为“%(status)s”,只有已立案的提案可以交办") % {"status": proposal.get_status_display()})


def check_mark_key(actor, proposal: Proposal, is_key: bool = True) -> None:
    """重点提案 are chosen among the proposals that are handled (filed or further); the mark
    can be taken off at any time."""
    _require_staff(actor)
    if is_key and proposal.status not in KEY_STATUSES:
        raise TransitionNotAllowed(_("提案状态为“%(status)s”,不能列为重点提案") % {
            "status": proposal.get_status_display()})


def check_supervise(actor, proposal: Proposal) -> None:
    _require_staff(actor)
    if not proposal.is_key:
        raise TransitionNotAllowed(_("只有重点提案可以记录督办"))


def proposal_create(*, actor, session: Session, title: str, proposers: list[Proposer] = (),
                    invite: list[Proposer] = (), body: str = "", topic: str = "", number: str = "",
                    proposers_more: bool = False) -> Proposal:
    """Create a draft (domain.md, Submission; "Rules decided": co-signing is an invitation).

    - A member drafts in their own name: they sign alone and are the lead proposer (第一提案人);
      ``proposers`` may name only them (or be left out). The members in ``invite`` are invited
      to co-sign (services.cosigning) and sign only once they accept.
    - Staff entering a paper proposal list ``proposers`` in signing order, the first being the
      lead proposer: the paper carries their signatures, so they all sign at once.
    - The number is kept as printed, unique per session; left blank, it is numbered
      automatically (services.numbering)."""
    if not title.strip():
        raise InvalidInput(_("案由不能为空"), field="title")
    require_text_length(body, field="body", label=_("提案内容"))
    proposers, invite = list(proposers), list(invite)
    if not is_committee_staff(actor):
        own = proposer_id(actor)
        require(bool(own) and all(p.pk == own for p in proposers), _("只能以本人名义起草提案,其他提案人请邀请联名"))
        proposers = proposers[:1] or [Proposer.objects.get(pk=own)]
    if not proposers:
        raise InvalidInput(_("至少需要一名提案人"), field="proposers")
    if len({p.pk for p in proposers}) != len(proposers):
        raise InvalidInput(_("提案人重复"), field="proposers")
    if any(p.committee_id != session.committee_id for p in proposers):
        raise InvalidInput(_("提案人须属于本届政协"), field="proposers")
    with transaction.atomic():
        proposal = numbering.insert_numbered_draft(session, (number or "").strip(), title=title.strip(), body=body,
                                                   topic=topic, proposers_more=proposers_more)
        ProposalProposer.objects.bulk_create(
            [ProposalProposer(proposal=proposal, proposer=p, position=i) for i, p in enumerate(proposers)]
        )
        refresh_search_text([proposal.pk])
        record_event(proposal=proposal, action="create", actor=actor, to_status=S.DRAFT)
        if invite:
            cosigning.send_invitations(actor=actor, proposal=proposal, invitees=invite)
    return proposal


def proposal_submit(*, actor, proposal: Proposal) -> Proposal:
    """提交 (domain.md, Submission): a draft goes to the proposal committee, by one of its
    proposers or by staff entering a paper proposal. It waits while a co-signing invitation is
    open within its window (check_submit); those past their window are recorded as expired now,
    so that no invitation outlives the draft (services.cosigning)."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        check_submit(actor, proposal)
        cosigning.expire_overdue_invitations(proposal)
        before = move(proposal, TRANSITIONS, S.SUBMITTED, submitted_on=today())
        record_event(proposal=proposal, action="submit", actor=actor, from_status=before, to_status=S.SUBMITTED)
    return proposal


def proposal_withdraw(*, actor, proposal: Proposal, reason: str = "") -> Proposal:
    """撤案 (domain.md, Submission): possible until the proposal is handled, i.e. before any
    reply or co-handling opinion has been submitted. Open assignments are cancelled, each with
    its own event, so that the agencies see why the proposal left their lists."""
    from proposals.services.assignments import TRANSITIONS as ASSIGNMENT_TRANSITIONS

    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        check_withdraw(actor, proposal)
        before = move(proposal, TRANSITIONS, S.WITHDRAWN, next_due_on=None)
        cosigning.close_open_invitations(proposal)
        open_assignments = proposal.assignments.select_for_update().filter(status__in=Assignment.OPEN_STATUSES)
        for assignment in open_assignments:
            was = move(assignment, ASSIGNMENT_TRANSITIONS, Assignment.Status.CANCELLED)
            record_event(proposal=proposal, assignment=assignment, action="cancel", actor=actor, from_status=was,
                         to_status=Assignment.Status.CANCELLED, note=reason)
        record_event(proposal=proposal, action="withdraw", actor=actor, from_status=before, to_status=S.WITHDRAWN,
                     note=reason)
    return proposal


def _review(*, actor, proposal, to, action, reason="", require_reason=False, **updates):
    _require_staff(actor)
    if require_reason and not reason.strip():
        raise InvalidInput(_("请填写理由,提案人将收到此说明"), field="reason")
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        check_review(actor, proposal, to)
        before = move(proposal, TRANSITIONS, to, review_reason=reason, reviewed_at=timezone.now(), **updates)
        record_event(proposal=proposal, action=action, actor=actor, from_status=before, to_status=to, note=reason)
    return proposal


def proposal_file(*, actor, proposal: Proposal, note: str = "") -> Proposal:
    """立案 (domain.md, Review): the proposal committee accepts a submitted proposal for handling."""
    return _review(actor=actor, proposal=proposal, to=S.FILED, action="file", reason=note, filed_on=today())


def proposal_reject(*, actor, proposal: Proposal, reason: str) -> Proposal:
    """不予立案 (domain.md, Review), with the reason the proposer is told (required)."""
    return _review(actor=actor, proposal=proposal, to=S.NOT_FILED, action="reject", reason=reason,
                   require_reason=True)


def proposal_convert(*, actor, proposal: Proposal, reason: str) -> Proposal:
    """转为意见建议 / 社情民意 (domain.md, Review), with the reason the proposer is told (required)."""
    return _review(actor=actor, proposal=proposal, to=S.CONVERTED, action="convert", reason=reason,
                   require_reason=True)


def proposal_merge(*, actor, proposal: Proposal, into: Proposal, reason: str = "") -> Proposal:
    """并案 (domain.md, Review): the merged proposal stays visible and points to the one that
    is handled; its proposers see that one too (proposals.selectors)."""
    _require_staff(actor)
    if into.pk == proposal.pk:
        raise InvalidInput(_("不能并入提案本身"), field="into")
    with transaction.atomic():
        # Both rows are locked, in a fixed order, so that the target cannot itself be merged
        # away at the same moment (a chain a -> b -> c would point to an unhandled proposal).
        rows = {pk: lock(Proposal, pk) for pk in sorted((proposal.pk, into.pk))}
        into = rows[into.pk]
        if into.session_id != rows[proposal.pk].session_id:
            raise InvalidInput(_("只能并入同一次会议的提案"), field="into")
        if into.status not in MERGE_TARGET_STATUSES:
            raise InvalidInput(_("只能并入已立案的提案(目标提案状态为“%(status)s”)") % {
                "status": into.get_status_display()}, field="into")
        return _review(actor=actor, proposal=proposal, to=S.MERGED, action="merge", reason=reason,
                       merged_into=into)


def assignment_deadlines(session: Session, role: str, assigned_on: datetime.date):
    """(due deadline, objection deadline) for a new assignment, from the session's rules; a
    period in months that ends on a rest day moves to the next working day unless the session's
    rule ``rest_day_shift`` is off (proposals.deadlines)."""
    if role == Assignment.Role.CO:
        months = session.rule("co_opinion_months")
        due = deadlines.months_deadline("co_opinion_months", "assigned", assigned_on, months,
                                        rest_days=rest_day_calendar(session, assigned_on, months))
    else:
        months = session.rule("reply_months")
        due = deadlines.reply_deadline(assigned_on, months, session.reply_fixed_date,
                                       rest_days=rest_day_calendar(session, assigned_on, months))
    window = session.rule("objection_working_days")
    calendar = work_calendar(assigned_on, assigned_on + datetime.timedelta(days=window * 3 + 30))
    objection = deadlines.working_days_deadline("objection_working_days", "assigned", assigned_on, window, calendar)
    return due, objection


def create_assignment(*, actor, proposal: Proposal, agency: Agency, role: str, assigned_on: datetime.date,
                      allow_other_region: bool = False, field: str = "agency"):
    """One agency given the proposal in one role, with its deadlines. An agency stands once on a
    proposal; one relieved earlier (已改办, 已撤销) may be given it again, in a new row, the old one
    staying as history. An agency of another region than the committee's (Agency.region vs
    Committee.region, compared as written; a blank one on either side is unknown, not foreign) is
    refused unless staff allow it explicitly, which the event records. ``field`` names the input
    a refusal concerns."""
    if proposal.assignments.current().filter(agency=agency).exists():
        raise InvalidInput(_("%(agency)s 已承办此提案") % {"agency": agency}, field=field)
    committee_region = (proposal.session.committee.region or "").strip()
    agency_region = (agency.region or "").strip()
    other_region = bool(committee_region and agency_region and committee_region != agency_region)
    if other_region and not allow_other_region:
        raise InvalidInput(_("%(agency)s 属于%(region)s,不在本政协所在地区(%(committee_region)s);"
                             "确需交办的,请明确选择“允许交办外地区单位”") % {
            "agency": agency, "region": agency_region, "committee_region": committee_region}, field=field)
    due, objection = assignment_deadlines(proposal.session, role, assigned_on)
    assignment = Assignment.objects.create(
        proposal=proposal, agency=agency, role=role, assigned_on=assigned_on, due_on=due.due_on,
        original_due_on=due.due_on, objection_due_on=objection.due_on,
        due_explanation={"due": due.as_dict(), "objection": objection.as_dict()},
    )
    refresh_search_text([proposal.pk])
    # The deadline as data, which a reader explains in its own language; "rule" keeps the text.
    deadline = due.as_dict()
    record_event(proposal=proposal, action="assign", actor=actor, assignment=assignment,
                 to_status=assignment.status,
                 data={"agency": agency.name, "role": role, "due_on": due.due_on.isoformat(), "objection_due_on": objection.due_on.isoformat(),
                       "rule": deadline["text"], "deadline": deadline,
                       **({"allow_other_region": True, "agency_region": agency_region} if other_region else {})})
    return assignment


def proposal_assign(*, actor, proposal: Proposal, lead: Agency | None = None, co: list[Agency] = (),
                    separate: list[Agency] = (), assigned_on: datetime.date | None = None,
                    allow_other_region: bool = False) -> Proposal:
    """交办: to one lead agency with any co-handlers, or to several agencies separately (分办).
    Deadlines come from the session's rules (default: reply 3 months, co-opinion 1 month,
    objection 5 working days). Agencies outside the committee's region are refused unless
    ``allow_other_region`` (create_assignment)."""
    _require_staff(actor)
    co, separate = list(co), list(separate)
    if lead is None and not separate:
        raise InvalidInput(_("请指定主办单位或分办单位"), field="lead")
    if lead is not None and separate:
        raise InvalidInput(_("主办与分办不能同时使用"), field="separate")
    if co and lead is None:
        raise InvalidInput(_("会办单位须配合主办单位"), field="co")
    agencies = ([lead] if lead else []) + co + separate
    if len({a.pk for a in agencies}) != len(agencies):
        raise InvalidInput(_("同一单位不能重复交办"), field="separate" if separate else "co")
    assigned_on = assigned_on or today()
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        check_assign(actor, proposal)
        require_plausible_date(assigned_on, field="assigned_on", label=_("交办日期"),
                               not_before=proposal_floor(proposal), not_after=today())
        before = move(proposal, TRANSITIONS, S.ASSIGNED)
        plan = ([(lead, Assignment.Role.LEAD)] if lead else []) + [(a, Assignment.Role.CO) for a in co] + [
            (a, Assignment.Role.SEPARATE) for a in separate]
        for agency, role in plan:
            # A refusal names the input the agency came from (lead, co or separate).
            create_assignment(actor=actor, proposal=proposal, agency=agency, role=role, assigned_on=assigned_on,
                              allow_other_region=allow_other_region, field=str(role))
        refresh_next_due(proposal)
        record_event(proposal=proposal, action="assigned", actor=actor, from_status=before, to_status=S.ASSIGNED)
    return proposal


def refresh_next_due(proposal: Proposal) -> None:
    """Keep Proposal.next_due_on equal to the earliest due date of its open assignments."""
    due = (
        proposal.assignments.answering().filter(status__in=Assignment.OPEN_STATUSES)
        .aggregate(due=Min("due_on"))["due"]
    )
    Proposal.objects.filter(pk=proposal.pk).update(next_due_on=due)
    proposal.next_due_on = due


def proposal_mark_key(*, actor, proposal: Proposal, is_key: bool = True, leader: str = "") -> Proposal:
    """重点提案 with its supervising leader."""
    _require_staff(actor)
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        check_mark_key(actor, proposal, is_key)
        Proposal.objects.filter(pk=proposal.pk).update(is_key=is_key, supervising_leader=leader if is_key else "")
        proposal.is_key, proposal.supervising_leader = is_key, (leader if is_key else "")
        record_event(proposal=proposal, action="mark_key" if is_key else "unmark_key", actor=actor, note=leader)
    return proposal


def supervision_record(*, actor, proposal: Proposal, note: str, date: datetime.date | None = None,
                       leader: str = "") -> SupervisionLog:
    """督办 (domain.md, Key proposals): only key proposals carry a supervision log."""
    _require_staff(actor)
    if not (note or "").strip():
        raise InvalidInput(_("请填写督办情况"), field="note")
    with transaction.atomic():
        # Read again under the lock: the caller's copy may predate a change of the key mark.
        proposal = lock(Proposal, proposal.pk)
        check_supervise(actor, proposal)
        entry = SupervisionLog.objects.create(proposal=proposal, date=date or today(), note=note,
                                              leader=leader or proposal.supervising_leader, recorded_by=actor)
        record_event(proposal=proposal, action="supervise", actor=actor, note=note)
    return entry


def proposal_update(*, actor, proposal: Proposal, title: str, body: str = "", topic: str = "") -> Proposal:
    """A draft's own text (title, body, topic) is edited by its proposers and by staff; once
    submitted, a proposal is a record that changes only through the workflow steps."""
    if not (title or "").strip():
        raise InvalidInput(_("案由不能为空"), field="title")
    require_text_length(body, field="body", label=_("提案内容"))
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        check_update(actor, proposal)
        changes = {"title": title.strip(), "body": body or "", "topic": (topic or "").strip()}
        changed = Proposal.objects.filter(pk=proposal.pk, status=S.DRAFT).update(**changes, updated_at=timezone.now())
        if changed != 1:
            raise TransitionNotAllowed(_("提案已提交,不能修改"))
        for name, value in changes.items():
            setattr(proposal, name, value)
        refresh_search_text([proposal.pk])
        record_event(proposal=proposal, action="edit", actor=actor)
    return proposal
