"""A published letter for a proposal that staff entered before it was imported: the letter is
recorded through the same workflow moves as a reply sent in the tracker (the transition
tables, one event per move), and refused with its reason when it does not fit the proposal's
state. Nothing is moved behind the services' back (issue 8):

- the proposal must have been assigned (已交办 or further): a draft, submitted, filed, not
  filed, converted, merged or withdrawn proposal has no agency whose reply this could be;
- the letter's agency must stand as a 主办 or 分办 agency of the proposal; with 分办, only its
  own assignment is replied, and the proposal is replied once every answering agency has;
- an assignment not yet acknowledged is acknowledged first (the letter proves receipt); one
  with an objection pending is refused (the committee decides first);
- an assignment that has already replied keeps its reply: the letter fills what is empty and,
  when published, publishes a reply marked 主动公开;
- co-handling agencies are not created or removed from a letter: a difference is a warning.
"""
from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from proposals.models import Assignment, Proposal
from proposals.services.assignments import TRANSITIONS as ASSIGNMENT_TRANSITIONS
from proposals.services.base import lock, move, record_event
from replies.models import Reply
from replies.services import REPLYING_STATUSES, TRANSITIONS, deliver, refresh_public_flag

LINKABLE = (Proposal.Status.ASSIGNED, Proposal.Status.REPLIED, Proposal.Status.CLOSED)


class ImportConflict(Exception):
    """The letter contradicts records that exist (another lead agency, a proposal not yet
    assigned …): nothing is written, and the report says why."""


def letter_date(parsed, now: datetime.datetime) -> datetime.date:
    """The day the letter reached the proposer, as well as the letter says: its publication
    date, else its signature date, else the import date. The feedback window starts there."""
    return parsed.published_on or parsed.signed_on or now.date()


def link_letter(proposal: Proposal, *, agency, co_agencies, reply_vals: dict, parsed, published: bool,
                warnings: list, now: datetime.datetime, actor=None) -> tuple[Assignment, Reply]:
    """Record the letter of ``agency`` on ``proposal`` (see the module docstring); returns the
    assignment and the reply. Runs in the caller's transaction."""
    proposal = lock(Proposal, proposal.pk)
    if proposal.status not in LINKABLE:
        raise ImportConflict(_("第%(number)s号提案当前状态为“%(status)s”,尚未交办,不能导入其答复函") % {
            "number": proposal.number, "status": proposal.get_status_display()})
    assignment = proposal.assignments.answering().filter(agency=agency).first()
    if assignment is None:
        other = proposal.assignments.answering().exclude(agency=agency).select_related("agency").first()
        if other is not None:
            raise ImportConflict(_("第%(number)s号提案已存在,主办单位为“%(agency)s”,与来函不符") % {
                "number": proposal.number, "agency": other.agency.name})
        raise ImportConflict(_("第%(number)s号提案未交办给“%(agency)s”") % {
            "number": proposal.number, "agency": agency.name})
    assignment = lock(Assignment, assignment.pk)
    assignment.proposal = proposal
    _compare_co_agencies(proposal, co_agencies, warnings)
    on = parsed.signed_on or parsed.published_on or now.date()
    if assignment.status == Assignment.Status.OBJECTED:
        raise ImportConflict(_("“%(agency)s”对第%(number)s号提案的交办异议尚待处理") % {
            "agency": agency.name, "number": proposal.number})
    if assignment.status == Assignment.Status.ASSIGNED:
        was = move(assignment, ASSIGNMENT_TRANSITIONS, Assignment.Status.ACKNOWLEDGED,
                   acknowledged_on=min(on, now.date()))
        record_event(proposal=proposal, assignment=assignment, action="acknowledge", actor=actor, from_status=was,
                     to_status=Assignment.Status.ACKNOWLEDGED, data={"from_letter": True})
    reply = Reply.objects.filter(assignment=assignment, kind=Reply.Kind.REPLY,
                                 round=assignment.rehandle_count + 1).first()
    if assignment.status in REPLYING_STATUSES:
        if reply is None:
            reply = Reply.objects.create(assignment=assignment, kind=Reply.Kind.REPLY,
                                         round=assignment.rehandle_count + 1, status=Reply.Status.DRAFT, **reply_vals)
            record_event(proposal=proposal, assignment=assignment, reply=reply, action="reply_draft", actor=actor,
                         to_status=Reply.Status.DRAFT, data={"from_letter": True})
        else:
            fill_blanks(reply, reply_vals)
        reply.assignment = assignment
        deliver(reply, actor=actor, on=on, feedback_from=letter_date(parsed, now))
    elif reply is None:
        raise ImportConflict(_("“%(agency)s”对第%(number)s号提案的交办状态为“%(status)s”,没有可对应的答复") % {
            "agency": agency.name, "number": proposal.number, "status": assignment.get_status_display()})
    else:
        fill_blanks(reply, reply_vals)
    if published and reply.kind == Reply.Kind.REPLY and reply.status == Reply.Status.SUBMITTED \
            and reply.disclosure == Reply.Disclosure.PUBLIC:
        was = move(reply, TRANSITIONS, Reply.Status.PUBLISHED, published_on=parsed.published_on or on)
        record_event(proposal=proposal, assignment=assignment, reply=reply, action="publish", actor=actor,
                     from_status=was, to_status=Reply.Status.PUBLISHED, data={"from_letter": True})
        refresh_public_flag([proposal.pk])
    return assignment, reply


def fill_blanks(reply: Reply, reply_vals: dict) -> None:
    """What the letter says and the record does not: never replace what is there."""
    changed = [k for k, v in reply_vals.items() if v and not getattr(reply, k) and k != "disclosure"]
    for name in changed:
        setattr(reply, name, reply_vals[name])
    if changed:
        reply.save(update_fields=changed + ["updated_at"])


def _compare_co_agencies(proposal: Proposal, co_agencies, warnings: list) -> None:
    standing = set(proposal.assignments.current().filter(role=Assignment.Role.CO).values_list("agency__name",
                                                                                              flat=True))
    named = {a.name for a in co_agencies}
    if named != standing:
        warnings.append(f"co-handling agencies differ from the letter (recorded: {', '.join(sorted(standing)) or '-'};"
                        f" letter: {', '.join(sorted(named)) or '-'}): left as recorded")
