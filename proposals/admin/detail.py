"""What a proposal's page shows below its fields: assignments with their deadlines and how
each was computed, contacts, the supervision log and the event timeline, each read through its
selector, with the step buttons each row offers; other apps add their sections (replies and
feedback) through proposals.extensions. Fields and event notes are shown as
proposals.visibility allows."""
from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist

from proposals.admin.base import due_badge, status_badge
from proposals.deadlines import deadline_from_dict
from proposals.extensions import registry
from proposals.models import Assignment, Event, Proposal
from proposals.selectors import (
    visible_assignments,
    visible_contacts,
    visible_events,
    visible_proposals,
    visible_supervision_logs,
)
from proposals.event_text import event_text
from proposals.visibility import Viewer, hidden_fields, withhold_explanation

EVENT_LABELS = dict(Event.Action.choices)


def event_label(event) -> str:
    return str(EVENT_LABELS.get(event.action, event.action))


def event_status_label(event, code: str) -> str:
    """A status code in the words of the model it belongs to (proposal, assignment or reply)."""
    if not code:
        return ""
    if event.action in registry.event_status_choices:
        choices = registry.event_status_choices[event.action]
    elif event.assignment_id:
        choices = Assignment.Status
    else:
        choices = Proposal.Status
    return str(dict(choices.choices).get(code, code))


def explain_stored_deadline(data) -> str:
    """A stored deadline (Deadline.as_dict) explained now, in the reader's language; its stored
    text when the data is not a deadline (an imported assignment's note) or cannot be read."""
    if not isinstance(data, dict):
        return ""
    try:
        return deadline_from_dict(data).explain()
    except (KeyError, TypeError, ValueError):
        return data.get("text", "")


def deadline_text(assignment, key: str) -> str:
    return explain_stored_deadline((assignment.due_explanation or {}).get(key))


def timeline(user, proposal):
    viewer = Viewer.of(user)
    events = list(
        visible_events(user).filter(proposal=proposal).select_related("actor", "assignment__agency")
        .order_by("at", "id")
    )
    for event in events:
        event.note = event_text(viewer, event)
        event.label = event_label(event)
        event.from_label = event_status_label(event, event.from_status)
        event.to_label = event_status_label(event, event.to_status)
        data = event.data if isinstance(event.data, dict) else {}
        event.rule_text = explain_stored_deadline(data["deadline"]) if "deadline" in data else data.get("rule", "")
        event.changes_text = changes_text(data.get("changes"))
    return events


def changes_text(changes) -> str:
    """A correction's values before and after, each field named in the reader's language."""
    if not isinstance(changes, dict):
        return ""
    models = (Assignment, Proposal, *registry.corrected_models)

    def label(name):
        for model in models:
            try:
                return str(model._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:
                continue
        return name

    return ";".join(f"{label(name)}:{before or '—'} → {after or '—'}" for name, (before, after) in changes.items())


def withhold_fields(viewer: Viewer, assignment) -> None:
    """Blank, on this in-memory row (never saved), the handler-only fields the viewer may not
    read, and the extension reason in the deadline explanation that repeats it."""
    hidden = hidden_fields(viewer, "proposals.assignment", agency_id=assignment.agency_id)
    for name in hidden:
        setattr(assignment, name, None if name == "objected_on" else "")
    if "extension_reason" in hidden:
        assignment.due_explanation = withhold_explanation(assignment.due_explanation)


def proposal_sections(request, proposal, *, assignment_admin) -> dict:
    """The change page's sections, in a fixed number of queries whatever the proposal holds."""
    user = request.user
    viewer = Viewer.of(user)
    assignments = list(
        visible_assignments(user).filter(proposal=proposal).select_related("agency", "extension_approved_by")
        .order_by("role", "id")
    )
    sections = {"assignments": assignments, "extra_sections": []}
    for contribute in registry.proposal_page_sections:
        contribute(request, proposal, sections)
    for assignment in assignments:
        assignment.proposal = proposal
        assignment.badge = status_badge(assignment)
        assignment.due = due_badge(assignment.due_on, is_open=assignment.is_open)
        assignment.buttons = assignment_admin.step_buttons(request, assignment) if assignment_admin else []
        withhold_fields(viewer, assignment)
        assignment.due_text = deadline_text(assignment, "due")
        assignment.objection_text = deadline_text(assignment, "objection")
    contacts = list(
        visible_contacts(user).filter(assignment__proposal=proposal)
        .select_related("assignment__agency", "recorded_by").order_by("date", "id")
    )
    merged = list(visible_proposals(user).filter(merged_into=proposal).order_by("number_sort"))
    return {
        **sections,
        "contacts": contacts,
        "supervision": list(visible_supervision_logs(user).filter(proposal=proposal).select_related("recorded_by")
                            .order_by("date", "id")),
        "timeline": timeline(user, proposal),
        "merged_proposals": merged,
    }
