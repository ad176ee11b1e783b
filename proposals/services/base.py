"""What every service shares: locking, guarded status moves and the event record."""
from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import Event
from proposals.services.errors import ActionForbidden, ConcurrentChange, TransitionNotAllowed


def lock(model: type[models.Model], pk) -> models.Model:
    """Re-read a row inside the caller's transaction, locked where the backend can lock rows
    (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers on its own)."""
    try:
        return model.objects.select_for_update().get(pk=pk)
    except model.DoesNotExist as exc:
        raise ConcurrentChange(_("记录已被删除")) from exc


def require(condition: bool, message) -> None:
    if not condition:
        raise ActionForbidden(message)


def move(obj: models.Model, transitions: dict, to: str, **updates) -> str:
    """Move ``obj.status`` to ``to`` if ``transitions`` allows it, with a conditional UPDATE
    (… WHERE status = current) so that a concurrent move makes this one fail instead of
    silently overwriting it. Returns the previous status."""
    current = obj.status
    if to not in transitions.get(current, ()):
        raise TransitionNotAllowed(
            _("当前状态“%(current)s”不能变更为“%(to)s”")
            % {"current": obj.get_status_display(), "to": dict(type(obj).Status.choices).get(to, to)}
        )
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
                 note="", data=None) -> Event:
    if action not in Event.Action.values:
        # A programming error, not bad input: every action the timeline shows has a label.
        raise ValueError(f"unknown event action {action!r}")
    return Event.objects.create(
        proposal=proposal,
        assignment=assignment,
        reply=reply,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=timezone.now(),
        action=action,
        from_status=from_status or "",
        to_status=to_status or "",
        note=note or "",
        data=data or {},
    )
