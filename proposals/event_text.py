"""What an event says, in the reader's language and as the reader may read it.

The structured part of an event — the agency and role of an assignment, a contact's stage and
form, a rating, why a proposal closed — is written at read time from the event's data, so
that a reader gets it in their own language whoever acted (issue 8: notes were frozen in the
actor's language); the note holds only what a person typed. Whether the reader may read it at
all is proposals.visibility's (a withheld note reads as a line saying so). Other apps add their
actions' renderers through proposals.extensions (the replies' ratings)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from proposals.extensions import registry
from proposals.models import Assignment, ContactLog
from proposals.services.calendar import deadline_review_text
from proposals.visibility import Viewer, event_note, may_read_note


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value or ""))


def _assign(data: dict) -> str:
    if "agency" not in data:
        return ""
    return f"{data['agency']}({_label(Assignment.Role.choices, data.get('role'))})"


def _contact(data: dict) -> str:
    if "stage" not in data:
        return ""
    return f"{_label(ContactLog.Stage.choices, data['stage'])}({_label(ContactLog.Form.choices, data.get('form'))})"


def _close(data: dict) -> str:
    return _("提案人均已评价满意或基本满意,或征询意见期已过") if data.get("why") == "ready" else ""


def _change_role(data: dict) -> str:
    if "from_role" not in data:
        return ""
    return f"{_label(Assignment.Role.choices, data['from_role'])} → {_label(Assignment.Role.choices, data['to_role'])}"


def _agency(data: dict) -> str:
    return data.get("agency", "")


def _urge(data: dict) -> str:
    """The deadline as it stood on the day of the urge (the agency is the event's own)."""
    if not data.get("due_on"):
        return ""
    days = data.get("days_overdue") or 0
    if days > 0:
        return ngettext("办理期限 %(due)s,已逾期 %(n)s 天", "办理期限 %(due)s,已逾期 %(n)s 天", days) % {
            "due": data["due_on"], "n": days}
    return _("办理期限 %(due)s") % {"due": data["due_on"]}


RENDERERS = {"assign": _assign, "contact": _contact, "close": _close, "deadline_review": deadline_review_text,
             "change_role": _change_role, "add_co": _agency, "drop_co": _agency, "urge": _urge}


def event_text(viewer: Viewer, event) -> str:
    """The event's words for this reader: the structured part (what was done, shown to whoever
    sees the event), then the note (withheld from who may not read it)."""
    data = event.data if isinstance(event.data, dict) else {}
    render = RENDERERS.get(event.action) or registry.event_renderers.get(event.action)
    structured = render(data) if render else ""
    if not may_read_note(viewer, event):
        withheld = event_note(viewer, event)
        # A rating's structured part is the rating itself: it is withheld with the note.
        return withheld if event.note_audience == "rating" or not structured else f"{structured} {withheld}"
    note = event.note or ""
    if structured and note:
        return f"{structured} {note}" if event.action != "contact" else f"{structured}{note}"
    return structured or note
