"""联名 (co-signing): ../shared/domain.md, "Rules decided": co-signing is an invitation.

The member who drafts a proposal signs it and is its lead proposer (第一提案人); anyone else
signs only by accepting an invitation. Staff entering a paper proposal list its proposers
directly (services.proposals.proposal_create): the paper carries their signatures.

- Who invites: the drafter (the lead proposer of the draft) or staff, while the proposal is a
  draft. Whom: proposers of the session's committee who have a login (they answer themselves),
  who do not sign yet and have no open invitation. A declined invitation is final for that
  draft; an expired one may be sent again (the same row is reopened, the events keep the story).
- Window: ``Session.rule("cosign_working_days")`` working days after the day of the invitation
  (default 3, set per committee or session), counted on the working-day calendar (weekends and
  statutory holidays skipped, make-up working days counted); ``due_on`` is the last day to answer.
- Answer: by the invited member only, while the proposal is a draft and within the window.
  Accepting makes them a proposer, after those who already sign (in the order they accept);
  declining changes nothing else.
- Expiry: an invitation not answered by ``due_on`` counts as expired from the next day on (it no
  longer opens the draft to the member, proposals.visibility, nor holds up submission). It is
  recorded (status "expired" and a ``cosign_expire`` event, without an actor: the deadline ended
  it, not a person) when someone looks: when the draft is submitted, when the late answer comes
  (which is then refused), or when the member is invited again.
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from proposals import deadlines
from proposals.models import CoSignInvitation, Proposal, ProposalProposer, Proposer, Session
from proposals.roles import is_committee_staff, proposer_id
from proposals.search import refresh_search_text
from proposals.selectors import today, work_calendar
from proposals.services.base import lock, record_event, require
from proposals.services.errors import InvalidInput, TransitionNotAllowed

Invitation = CoSignInvitation.Status


def invitation_deadline(session: Session, invited_on: datetime.date) -> deadlines.Deadline:
    """The last day to answer an invitation sent on ``invited_on``."""
    days = session.rule("cosign_working_days")
    calendar = work_calendar(invited_on, invited_on + datetime.timedelta(days=days * 3 + 30))
    return deadlines.working_days_deadline("cosign_working_days", "invited", invited_on, days, calendar)


def is_open(invitation: CoSignInvitation, on: datetime.date | None = None) -> bool:
    """Invited and still within its window."""
    return invitation.status == Invitation.INVITED and invitation.due_on >= (on or today())


def effective_status(invitation: CoSignInvitation, on: datetime.date | None = None) -> str:
    """The status as the rule reads it: an unanswered invitation past its window is expired,
    whether or not anyone has recorded it yet."""
    if invitation.status == Invitation.INVITED and not is_open(invitation, on):
        return Invitation.EXPIRED
    return invitation.status


def open_invitations(proposal: Proposal, on: datetime.date | None = None):
    return proposal.invitations.filter(status=Invitation.INVITED, due_on__gte=on or today())


def _touch(proposal: Proposal) -> None:
    """Who signs or is invited is part of the proposal's version (its ETag)."""
    proposal.updated_at = timezone.now()
    Proposal.objects.filter(pk=proposal.pk).update(updated_at=proposal.updated_at)


def _expire(invitation: CoSignInvitation) -> None:
    changed = CoSignInvitation.objects.filter(pk=invitation.pk, status=Invitation.INVITED).update(
        status=Invitation.EXPIRED)
    if changed:
        invitation.status = Invitation.EXPIRED
        record_event(proposal=invitation.proposal, action="cosign_expire", note=invitation.proposer.name,
                     data={"proposer_id": invitation.proposer_id, "proposer": invitation.proposer.name,
                           "due_on": invitation.due_on.isoformat()})


def close_open_invitations(proposal: Proposal) -> list[CoSignInvitation]:
    """A withdrawn draft asks nobody to co-sign any more: its open invitations end (expired)."""
    pending = list(proposal.invitations.select_for_update().filter(status=Invitation.INVITED).select_related("proposer"))
    for invitation in pending:
        invitation.proposal = proposal
        _expire(invitation)
    return pending


def expire_overdue_invitations(proposal: Proposal, on: datetime.date | None = None) -> list[CoSignInvitation]:
    """Record, on the caller's locked proposal, the invitations whose window has passed."""
    overdue = list(proposal.invitations.select_for_update().filter(status=Invitation.INVITED, due_on__lt=on or today())
                   .select_related("proposer"))
    for invitation in overdue:
        invitation.proposal = proposal
        _expire(invitation)
    return overdue


# --- what each step asks before it writes (services.base.allowed for the buttons) ------------

def _is_drafter(actor, proposal: Proposal) -> bool:
    own = proposer_id(actor)
    return bool(own) and any(s.proposer_id == own and s.position == 0 for s in proposal.signatures.all())


def _require_draft(proposal: Proposal, message) -> None:
    if proposal.status != Proposal.Status.DRAFT:
        raise TransitionNotAllowed(message)


def check_cosign_invite(actor, proposal: Proposal) -> None:
    require(is_committee_staff(actor) or _is_drafter(actor, proposal), _("只有提案起草人可以邀请联名"))
    _require_draft(proposal, _("提案已提交,不能再邀请联名"))


def _check_answer(actor, proposal: Proposal, on: datetime.date | None) -> CoSignInvitation:
    # The state first: the buttons of every page ask this, and a draft is the only case that
    # needs the invitation read.
    own = proposer_id(actor)
    require(bool(own), _("您没有收到此提案的联名邀请"))
    _require_draft(proposal, _("提案已不是草稿,联名邀请已失效"))
    invitation = proposal.invitations.filter(proposer_id=own).first()
    require(invitation is not None, _("您没有收到此提案的联名邀请"))
    if invitation.status != Invitation.INVITED:
        raise TransitionNotAllowed(_("联名邀请已处理(%(status)s)") % {"status": invitation.get_status_display()})
    if not is_open(invitation, on):
        raise TransitionNotAllowed(_("联名邀请已于 %(due)s 截止,不能再答复") % {"due": invitation.due_on.isoformat()})
    return invitation


def check_cosign_accept(actor, proposal: Proposal, on: datetime.date | None = None) -> None:
    _check_answer(actor, proposal, on)


def check_cosign_decline(actor, proposal: Proposal, on: datetime.date | None = None) -> None:
    _check_answer(actor, proposal, on)


# --- writes ----------------------------------------------------------------------------------

def _validate_invitees(proposal: Proposal, invitees: list[Proposer]) -> None:
    if len({p.pk for p in invitees}) != len(invitees):
        raise InvalidInput(_("受邀提案人重复"), field="invite")
    signing = set(proposal.signatures.values_list("proposer_id", flat=True))
    for invitee in invitees:
        if invitee.committee_id != proposal.session.committee_id:
            raise InvalidInput(_("受邀提案人须属于本届政协:%(name)s") % {"name": invitee.name}, field="invite")
        if invitee.pk in signing:
            raise InvalidInput(_("%(name)s 已是本提案的提案人") % {"name": invitee.name}, field="invite")
        if invitee.user_id is None:
            raise InvalidInput(_("%(name)s 没有登录账号,无法确认联名;纸质提案请由工作人员直接录入提案人")
                               % {"name": invitee.name}, field="invite")


def send_invitations(*, actor, proposal: Proposal, invitees: list[Proposer], on: datetime.date | None = None):
    """Send the invitations, inside the caller's transaction on its locked (or new) proposal:
    proposal_create calls this for a member's draft, cosign_invite afterwards."""
    invitees = list(invitees)
    _validate_invitees(proposal, invitees)
    on = on or today()
    due = invitation_deadline(proposal.session, on)
    with override(None):  # stored in the source language, as the other deadlines' texts are
        rule = _("联名确认期限:自邀请日 %(start)s 起 %(days)s 个工作日,至 %(due)s") % {
            "start": on.isoformat(), "days": due.amount, "due": due.due_on.isoformat()}
    earlier = {i.proposer_id: i for i in proposal.invitations.select_for_update().filter(
        proposer__in=invitees).select_related("proposer")}
    sent = []
    for invitee in invitees:
        invitation = earlier.get(invitee.pk)
        if invitation is not None:
            invitation.proposal = proposal
            if is_open(invitation, on):
                raise InvalidInput(_("%(name)s 已受邀,尚未答复") % {"name": invitee.name}, field="invite")
            if invitation.status == Invitation.INVITED:
                _expire(invitation)
            if invitation.status == Invitation.DECLINED:
                raise InvalidInput(_("%(name)s 已拒绝联名,不能再次邀请") % {"name": invitee.name}, field="invite")
            if invitation.status != Invitation.EXPIRED:
                raise InvalidInput(_("%(name)s 的联名邀请已处理") % {"name": invitee.name}, field="invite")
            CoSignInvitation.objects.filter(pk=invitation.pk, status=Invitation.EXPIRED).update(
                status=Invitation.INVITED, invited_on=on, due_on=due.due_on, responded_on=None, invited_by=actor)
        else:
            invitation = CoSignInvitation.objects.create(proposal=proposal, proposer=invitee, invited_on=on,
                                                         due_on=due.due_on, invited_by=actor)
        record_event(proposal=proposal, action="invite", actor=actor, note=invitee.name,
                     data={"proposer_id": invitee.pk, "proposer": invitee.name, "due_on": due.due_on.isoformat(),
                           "rule": rule})
        sent.append(invitation)
    return sent


def cosign_invite(*, actor, proposal: Proposal, invitees: list[Proposer],
                  on: datetime.date | None = None) -> list[CoSignInvitation]:
    """邀请联名: the drafter (or staff) invites members to co-sign a draft; each answers within the
    window (module docstring)."""
    if not invitees:
        raise InvalidInput(_("请选择要邀请联名的提案人"), field="invite")
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        check_cosign_invite(actor, proposal)
        sent = send_invitations(actor=actor, proposal=proposal, invitees=invitees, on=on)
        _touch(proposal)
    return [CoSignInvitation.objects.get(pk=i.pk) for i in sent]


def _answer(*, actor, proposal: Proposal, accept: bool, on: datetime.date | None) -> CoSignInvitation:
    on = on or today()
    own = proposer_id(actor)
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        invitation = (proposal.invitations.select_for_update().filter(proposer_id=own).select_related("proposer")
                      .first() if own else None)
        late = (invitation is not None and invitation.status == Invitation.INVITED and not is_open(invitation, on))
        if late:
            invitation.proposal = proposal
            _expire(invitation)
        else:
            _check_answer(actor, proposal, on)
            to = Invitation.ACCEPTED if accept else Invitation.DECLINED
            changed = CoSignInvitation.objects.filter(pk=invitation.pk, status=Invitation.INVITED).update(
                status=to, responded_on=on)
            if changed != 1:  # the row is locked: only a programming error could get here
                raise TransitionNotAllowed(_("联名邀请已处理"))
            if accept:
                last = proposal.signatures.aggregate(last=Max("position"))["last"]
                ProposalProposer.objects.create(proposal=proposal, proposer_id=own,
                                                position=0 if last is None else last + 1)
                refresh_search_text([proposal.pk])
            _touch(proposal)
            record_event(proposal=proposal, action="cosign_accept" if accept else "cosign_decline", actor=actor,
                         note=invitation.proposer.name, data={"proposer_id": own, "proposer": invitation.proposer.name})
    if late:
        # Raised once the expiry is committed: a late answer leaves the record of its lateness.
        raise TransitionNotAllowed(_("联名邀请已于 %(due)s 截止,不能再答复") % {"due": invitation.due_on.isoformat()})
    return CoSignInvitation.objects.get(pk=invitation.pk)


def cosign_accept(*, actor, proposal: Proposal, on: datetime.date | None = None) -> CoSignInvitation:
    """同意联名: the invited member signs the draft, after those who already sign. Refused past the
    window, and the invitation recorded as expired (module docstring)."""
    return _answer(actor=actor, proposal=proposal, accept=True, on=on)


def cosign_decline(*, actor, proposal: Proposal, on: datetime.date | None = None) -> CoSignInvitation:
    """拒绝联名: the invited member will not sign; the draft is no longer shown to them."""
    return _answer(actor=actor, proposal=proposal, accept=False, on=on)
