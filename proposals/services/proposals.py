"""Proposal workflow (../shared/domain.md, "Life of a proposal"): submission, review,
assignment, closing, key proposals. Every write goes through here."""
from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import deadlines
from proposals.models import Agency, Assignment, Proposal, ProposalProposer, Proposer, Session, SupervisionLog
from proposals.naturalsort import natural_sort_key
from proposals.roles import is_committee_staff, proposer_id
from proposals.search import refresh_search_text
from proposals.selectors import today, work_calendar
from proposals.services.base import lock, move, record_event, require, require_move
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
    require(is_committee_staff(actor) or _is_own(actor, proposal), _("只能提交本人的提案"))
    require_move(proposal, TRANSITIONS, S.SUBMITTED)


def check_withdraw(actor, proposal: Proposal) -> None:
    """Until the proposal is handled: before any reply or co-handling opinion was sent (an
    assignment with a reply date)."""
    require(is_committee_staff(actor) or _is_own(actor, proposal), _("只能撤回本人的提案"))
    if proposal.assignments.filter(replied_on__isnull=False).exists():
        raise TransitionNotAllowed(_("提案已有答复,不能撤案"))
    require_move(proposal, TRANSITIONS, S.WITHDRAWN)


def check_review(actor, proposal: Proposal, to: str) -> None:
    """立案, 不予立案, 转为意见建议, 并案: the proposal committee's review of a submitted proposal."""
    _require_staff(actor)
    require_move(proposal, TRANSITIONS, to)


def check_assign(actor, proposal: Proposal) -> None:
    _require_staff(actor)
    # REPLIED -> ASSIGNED is re-handling after 不满意 (replies.services), not a second
    # assignment: only a filed proposal is assigned.
    if proposal.status != S.FILED:
        raise TransitionNotAllowed(
            _("提案当前状态为“%(status)s”,只有已立案的提案可以交办") % {"status": proposal.get_status_display()})


def check_mark_key(actor, proposal: Proposal) -> None:
    _require_staff(actor)


def check_supervise(actor, proposal: Proposal) -> None:
    _require_staff(actor)
    if not proposal.is_key:
        raise TransitionNotAllowed(_("只有重点提案可以记录督办"))


def _next_number(session: Session) -> str:
    numbers = Proposal.objects.filter(session=session).values_list("number", flat=True)
    numeric = [int(n) for n in numbers if n.isdigit()]
    return str(max(numeric, default=0) + 1)


def proposal_create(*, actor, session: Session, title: str, proposers: list[Proposer], body: str = "",
                    topic: str = "", number: str = "", proposers_more: bool = False) -> Proposal:
    """Create a draft. The first proposer is the lead proposer (第一提案人); a member may only
    draft a proposal that they sign. Numbers are kept as printed, unique per session."""
    if not title.strip():
        raise InvalidInput(_("案由不能为空"), field="title")
    if not proposers:
        raise InvalidInput(_("至少需要一名提案人"), field="proposers")
    if len({p.pk for p in proposers}) != len(proposers):
        raise InvalidInput(_("提案人重复"), field="proposers")
    own = proposer_id(actor)
    require(is_committee_staff(actor) or (own and own in {p.pk for p in proposers}),
            _("只能以本人名义起草提案"))
    if any(p.committee_id != session.committee_id for p in proposers):
        raise InvalidInput(_("提案人须属于本届政协"), field="proposers")
    with transaction.atomic():
        number = (number or "").strip() or _next_number(session)
        if Proposal.objects.filter(session=session, number=number).exists():
            raise InvalidInput(_("本次会议已有第%(number)s号提案") % {"number": number}, field="number")
        try:
            proposal = Proposal.objects.create(
                session=session, number=number, number_sort=natural_sort_key(number), title=title.strip(), body=body,
                topic=topic, proposers_more=proposers_more, status=S.DRAFT,
            )
        except IntegrityError as exc:
            # Two drafts numbered at the same moment: the unique constraint decides, the other is told.
            raise InvalidInput(_("本次会议已有第%(number)s号提案") % {"number": number}, field="number") from exc
        ProposalProposer.objects.bulk_create(
            [ProposalProposer(proposal=proposal, proposer=p, position=i) for i, p in enumerate(proposers)]
        )
        refresh_search_text([proposal.pk])
        record_event(proposal=proposal, action="create", actor=actor, to_status=S.DRAFT)
    return proposal


def proposal_submit(*, actor, proposal: Proposal) -> Proposal:
    """提交 (domain.md, Submission): a draft goes to the proposal committee, by one of its
    proposers or by staff entering a paper proposal."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        check_submit(actor, proposal)
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
        if into.status in (S.MERGED, S.WITHDRAWN, S.NOT_FILED, S.CONVERTED, S.DRAFT):
            raise InvalidInput(_("目标提案的状态不能接受并案"), field="into")
        return _review(actor=actor, proposal=proposal, to=S.MERGED, action="merge", reason=reason,
                       merged_into=into)


def assignment_deadlines(session: Session, role: str, assigned_on: datetime.date):
    """(due deadline, objection deadline) for a new assignment, from the session's rules."""
    if role == Assignment.Role.CO:
        due = deadlines.months_deadline("co_opinion_months", "assigned", assigned_on,
                                        session.rule("co_opinion_months"))
    else:
        due = deadlines.reply_deadline(assigned_on, session.rule("reply_months"), session.reply_fixed_date)
    window = session.rule("objection_working_days")
    calendar = work_calendar(assigned_on, assigned_on + datetime.timedelta(days=window * 3 + 30))
    objection = deadlines.working_days_deadline("objection_working_days", "assigned", assigned_on, window, calendar)
    return due, objection


def create_assignment(*, actor, proposal: Proposal, agency: Agency, role: str, assigned_on: datetime.date):
    due, objection = assignment_deadlines(proposal.session, role, assigned_on)
    if proposal.assignments.filter(agency=agency).exists():
        raise InvalidInput(_("%(agency)s 已承办此提案") % {"agency": agency}, field="agency")
    assignment = Assignment.objects.create(
        proposal=proposal, agency=agency, role=role, assigned_on=assigned_on, due_on=due.due_on,
        original_due_on=due.due_on, objection_due_on=objection.due_on,
        due_explanation={"due": due.as_dict(), "objection": objection.as_dict()},
    )
    refresh_search_text([proposal.pk])
    # The deadline as data, which a reader explains in its own language; "rule" keeps the text.
    deadline = due.as_dict()
    record_event(proposal=proposal, action="assign", actor=actor, assignment=assignment,
                 to_status=assignment.status, note=f"{agency}({assignment.get_role_display()})",
                 data={"due_on": due.due_on.isoformat(), "objection_due_on": objection.due_on.isoformat(),
                       "rule": deadline["text"], "deadline": deadline})
    return assignment


def proposal_assign(*, actor, proposal: Proposal, lead: Agency | None = None, co: list[Agency] = (),
                    separate: list[Agency] = (), assigned_on: datetime.date | None = None) -> Proposal:
    """交办: to one lead agency with any co-handlers, or to several agencies separately (分办).
    Deadlines come from the session's rules (default: reply 3 months, co-opinion 1 month,
    objection 5 working days)."""
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
        before = move(proposal, TRANSITIONS, S.ASSIGNED)
        plan = ([(lead, Assignment.Role.LEAD)] if lead else []) + [(a, Assignment.Role.CO) for a in co] + [
            (a, Assignment.Role.SEPARATE) for a in separate]
        for agency, role in plan:
            create_assignment(actor=actor, proposal=proposal, agency=agency, role=role, assigned_on=assigned_on)
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
        check_mark_key(actor, proposal)
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
        record_event(proposal=proposal, action="edit", actor=actor, note=_("修改草稿"))
    return proposal
