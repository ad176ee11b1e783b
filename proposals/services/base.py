"""What every service shares: locking, guarded status moves and the event record."""
from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.extensions import registry
from proposals.models import Assignment, Event, Proposal
from proposals.services.errors import (
    ActionForbidden,
    ConcurrentChange,
    InvalidInput,
    ServiceError,
    TransitionNotAllowed,
)


def lock(model: type[models.Model], pk) -> models.Model:
    """Re-read a row inside the caller's transaction, locked where the backend can lock rows
    (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers on its own)."""
    try:
        return model.objects.select_for_update().get(pk=pk)
    except model.DoesNotExist as exc:
        raise ConcurrentChange(_("记录已被删除")) from exc


def lock_assignment(assignment):
    """The assignment locked with its proposal, in the order every service locks them (the
    proposal first): two steps on one proposal never wait on each other crosswise."""
    proposal = lock(Proposal, assignment.proposal_id)
    assignment = lock(Assignment, assignment.pk)
    assignment.proposal = proposal
    return assignment


def require(condition: bool, message) -> None:
    if not condition:
        raise ActionForbidden(message)


def require_reason(reason, message) -> str:
    """A step that must say why: the reason, stripped, or a 400 on ``reason`` with ``message``."""
    if not (reason or "").strip():
        raise InvalidInput(message, field="reason")
    return reason.strip()


# No proposal, assignment or reply of the tracker's kind predates this (the CPPCC's proposal
# work as recorded here starts long after it); a date before it is a slip of the keyboard.
EARLIEST_DATE = datetime.date(1980, 1, 1)


def require_plausible_date(value, *, field: str, label, not_before=None, not_after=None) -> None:
    """A date a person typed must be plausible (issue 8: 1900-01-01 as an assignment date made
    a proposal "46262 days overdue" with nothing to correct it): not before ``not_before`` (or
    EARLIEST_DATE), not after ``not_after`` (or a year from today)."""
    if value is None:
        return
    lower = max(not_before or EARLIEST_DATE, EARLIEST_DATE)
    upper = not_after or timezone.localdate() + datetime.timedelta(days=366)
    if value < lower:
        raise InvalidInput(_("%(label)s %(value)s 不能早于 %(bound)s") % {
            "label": label, "value": value.isoformat(), "bound": lower.isoformat()}, field=field)
    if value > upper:
        raise InvalidInput(_("%(label)s %(value)s 不能晚于 %(bound)s") % {
            "label": label, "value": value.isoformat(), "bound": upper.isoformat()}, field=field)


def proposal_floor(proposal) -> datetime.date:
    """The earliest date a step on ``proposal`` can carry: the start of its session's term as
    far as the tracker knows it — a year before the session opened (平时提案 come in between
    sessions), else 1 January of the year before the session's year."""
    session = proposal.session
    if session.opened_on:
        return session.opened_on - datetime.timedelta(days=366)
    return datetime.date(session.year - 1, 1, 1) if session.year else EARLIEST_DATE


# A proposal or a reply is a letter of some pages: tens of thousands of characters at most. A
# text beyond the limit is refused where it is typed (issue 9: a 20 MB body was stored).
MAX_TEXT_CHARS = 50_000


def require_text_length(value, *, field: str, label, limit: int = MAX_TEXT_CHARS) -> None:
    if value and len(value) > limit:
        raise InvalidInput(_("%(label)s过长:%(n)s 字,上限 %(limit)s 字") % {
            "label": label, "n": len(value), "limit": limit}, field=field)


def allowed(check, *args, **kwargs) -> bool:
    """Whether a step's ``check_<step>`` passes: what the admin's buttons and the API's list of
    available actions ask, so that the rule is written once, beside the service that enforces it."""
    try:
        check(*args, **kwargs)
    except ServiceError:
        return False
    return True


def may_become(obj, transitions: dict, to: str) -> bool:
    return to in transitions.get(obj.status, ())


def require_move(obj, transitions: dict, to: str) -> None:
    """The same refusal as ``move`` gives, asked before anything is written."""
    if not may_become(obj, transitions, to):
        raise TransitionNotAllowed(
            _("当前状态“%(current)s”不能变更为“%(to)s”")
            % {"current": obj.get_status_display(), "to": dict(type(obj).Status.choices).get(to, to)}
        )


def move(obj: models.Model, transitions: dict, to: str, **updates) -> str:
    """Move ``obj.status`` to ``to`` if ``transitions`` allows it, with a conditional UPDATE
    (… WHERE status = current) so that a concurrent move makes this one fail instead of
    silently overwriting it. Returns the previous status."""
    current = obj.status
    require_move(obj, transitions, to)
    fields = {"status": to, **updates}
    if any(f.name == "updated_at" for f in obj._meta.fields):
        fields["updated_at"] = timezone.now()
    changed = type(obj).objects.filter(pk=obj.pk, status=current).update(**fields)
    if changed != 1:
        raise ConcurrentChange(_("该记录已被他人修改,请刷新后重试"))
    for name, value in fields.items():
        setattr(obj, name, value)
    return current


def record_event(*, proposal, action: str, actor=None, assignment=None, reply=None, from_status="", to_status="",
                 note="", note_audience="", data=None) -> Event:
    """One row of the audit trail. ``note_audience`` (proposals.visibility.Audience) says who may
    read the note when it carries handler-only text or a rating; ``reply`` is any object with a
    ``pk`` (a replies.Reply), kept as its id.

    Every recorded step is a new version (the ETag that If-Match is checked against,
    proposals.api.base) of the proposal, and of the assignment and the reply when the event names
    them: the proposal's always, since its detail shows its assignments, their replies and the
    timeline. Bumped here because every service step passes through here, including those that
    change neither a status nor ``updated_at`` (mark key, supervision, contacts).

    Each event is then handed to the apps listening (proposals.extensions: the notifications),
    in the same transaction."""
    if action not in Event.Action.values:
        # A programming error, not bad input: every action the timeline shows has a label.
        raise ValueError(f"unknown event action {action!r}")
    for versioned in (proposal, assignment, reply):
        if versioned is None:
            continue
        # type(reply), not replies.Reply: proposals may not import replies.
        type(versioned).objects.filter(pk=versioned.pk).update(version=models.F("version") + 1)
        # Left unloaded on the caller's instance: reading it fetches the new value, and a later
        # save() of a stale copy writes only its loaded fields, never an older version.
        versioned.__dict__.pop("version", None)
    event = Event.objects.create(
        proposal=proposal,
        assignment=assignment,
        reply_id=reply.pk if reply is not None else None,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=timezone.now(),
        action=action,
        from_status=from_status or "",
        to_status=to_status or "",
        note=note or "",
        note_audience=note_audience or "",
        data=data or {},
    )
    # In the caller's transaction: a step that rolls back takes what the listeners wrote with it
    # (the notifications' outbox, proposals.extensions.Extensions.event_listeners).
    for listener in registry.event_listeners:
        listener(event)
    return event
