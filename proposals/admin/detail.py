"""What a proposal's page shows below its fields: assignments with their deadlines and how
each was computed, replies, feedback, contacts, the supervision log and the event timeline,
each read through its selector, and the step buttons each row offers."""
from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from proposals.admin.base import due_badge, status_badge
from proposals.models import Assignment, Proposal
from proposals.selectors import (
    visible_assignments,
    visible_contacts,
    visible_events,
    visible_proposals,
    visible_supervision_logs,
)

EVENT_LABELS = {
    "create": _("起草"),
    "edit": _("修改草稿"),
    "submit": _("提交"),
    "withdraw": _("撤案"),
    "cancel": _("撤销交办"),
    "file": _("立案"),
    "reject": _("不予立案"),
    "convert": _("转为意见建议"),
    "merge": _("并案"),
    "assign": _("交办单位"),
    "assigned": _("交办"),
    "mark_key": _("列为重点提案"),
    "unmark_key": _("取消重点提案"),
    "supervise": _("督办"),
    "acknowledge": _("签收"),
    "object": _("申请调整"),
    "decide_objection": _("处理交办异议"),
    "extend": _("延期"),
    "contact": _("沟通"),
    "reply_draft": _("起草答复"),
    "reply_submit": _("提交答复"),
    "replied": _("全部答复"),
    "publish": _("公开答复"),
    "feedback": _("征询意见"),
    "rehandle": _("重新办理"),
    "reopen": _("重新进入办理"),
    "close": _("办结"),
    "import": _("导入"),
    "import_correct": _("更正导入记录"),
    "import_review": _("核对导入记录"),
}
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


def deadline_text(assignment, key: str) -> str:
    return ((assignment.due_explanation or {}).get(key) or {}).get("text", "")


def timeline(user, proposal):
    events = list(
        visible_events(user).filter(proposal=proposal).select_related("actor", "assignment__agency")
        .order_by("at", "id")
    )
    for event in events:
        event.label = event_label(event)
        event.from_label = event_status_label(event, event.from_status)
        event.to_label = event_status_label(event, event.to_status)
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
