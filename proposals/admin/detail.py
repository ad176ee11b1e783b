"""What a proposal's page shows below its fields: assignments with their deadlines and how
each was computed, replies, feedback, contacts, the supervision log and the event timeline,
each read through its selector, and the step buttons each row offers."""
from __future__ import annotations

from django.db.models import Prefetch

from proposals.admin.base import due_badge, status_badge
from proposals.deadlines import deadline_from_dict
from proposals.models import Assignment, Event, Proposal
from proposals.selectors import (
    visible_assignments,
    visible_contacts,
    visible_events,
    visible_proposals,
    visible_supervision_logs,
)

EVENT_LABELS = dict(Event.Action.choices)
_REPLY_STATUS_ACTIONS = {"reply_draft", "publish"}


def event_label(event) -> str:
    return str(EVENT_LABELS.get(event.action, event.action))


def event_status_label(event, code: str) -> str:
    """A status code in the words of the model it belongs to (proposal, assignment or reply)."""
    if not code:
        return ""
    if event.action in _REPLY_STATUS_ACTIONS:
        from replies.models import Reply

        choices = Reply.Status
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
    events = list(
        visible_events(user).filter(proposal=proposal).select_related("actor", "assignment__agency")
        .order_by("at", "id")
    )
    for event in events:
        event.label = event_label(event)
        event.from_label = event_status_label(event, event.from_status)
        event.to_label = event_status_label(event, event.to_status)
        data = event.data if isinstance(event.data, dict) else {}
        event.rule_text = explain_stored_deadline(data["deadline"]) if "deadline" in data else data.get("rule", "")
    return events


def proposal_sections(request, proposal, *, assignment_admin, reply_admin) -> dict:
    """The change page's sections, in a fixed number of queries whatever the proposal holds."""
    from replies.selectors import visible_feedback, visible_replies

    user = request.user
    replies = list(
        visible_replies(user).filter(assignment__proposal=proposal)
        .select_related("assignment__agency")
        .prefetch_related(Prefetch("feedback", queryset=visible_feedback(user).select_related("proposer")))
        .order_by("assignment_id", "round", "kind")
    )
    assignments = list(
        visible_assignments(user).filter(proposal=proposal).select_related("agency", "extension_approved_by")
        .order_by("role", "id")
    )
    by_assignment = {a.pk: a for a in assignments}
    for assignment in assignments:
        assignment.proposal = proposal
        assignment.admin_replies = [r for r in replies if r.assignment_id == assignment.pk]
        assignment.badge = status_badge(assignment)
        assignment.due = due_badge(assignment.due_on, is_open=assignment.is_open)
        assignment.due_text = deadline_text(assignment, "due")
        assignment.objection_text = deadline_text(assignment, "objection")
        assignment.buttons = assignment_admin.step_buttons(request, assignment) if assignment_admin else []
    feedback = []
    for reply in replies:
        if reply.assignment_id in by_assignment:
            reply.assignment = by_assignment[reply.assignment_id]
        else:
            reply.assignment.proposal = proposal
        reply.badge = status_badge(reply)
        reply.feedback_due_text = explain_stored_deadline(reply.feedback_due_explanation)
        reply.buttons = reply_admin.step_buttons(request, reply) if reply_admin else []
        feedback.extend(reply.feedback.all())
    contacts = list(
        visible_contacts(user).filter(assignment__proposal=proposal)
        .select_related("assignment__agency", "recorded_by").order_by("date", "id")
    )
    merged = list(visible_proposals(user).filter(merged_into=proposal).order_by("number_sort"))
    return {
        "assignments": assignments,
        "replies": replies,
        "feedback": feedback,
        "contacts": contacts,
        "supervision": list(visible_supervision_logs(user).filter(proposal=proposal).select_related("recorded_by")
                            .order_by("date", "id")),
        "timeline": timeline(user, proposal),
        "merged_proposals": merged,
    }
