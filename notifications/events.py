"""From workflow events to notices: who must act after each step (issue 11, "What happens, and
who is told"). ``on_event`` is registered as a listener of proposals.services.base.record_event
(proposals.extensions), so the notices are written in the step's own transaction.

    action                     kind                  to
    invite                     cosign_invited        the member invited to co-sign
    submit                     submitted             the proposal committee's staff
    file / reject / convert /  proposal_filed / _rejected / _converted / _merged
    merge                                            each proposer (with the reason)
    assign                     assignment_new        the assigned agency's liaisons
    object                     objection_filed       staff
    decide_objection           objection_decided     the objecting agency's liaisons
    extension_request          extension_requested   staff
    extend / extension_refuse  extension_decided     the agency's liaisons
    reply_submit (opinion)     co_opinion_arrived    the lead agency's liaisons
    reply_submit (reply)       reply_submitted       staff; and reply_published to each proposer
                                                     when the reply will not be published
    publish                    reply_published       each proposer (merged proposals' too)
    rehandle                   rehandle              the agency's liaisons
                               dissatisfied          staff
                               rehandle_started      each proposer (merged proposals' too)
    urge                       urge                  the urged agency's liaisons
    mark_key, assigned, extend, reply_submit (reply), publish, rehandle, urge, close (proposal)
                               key_progress          the supervising leader of a key proposal

Whoever took the step is not told of it. Texts carry only what their reader may read
(proposals.visibility): a rating's comments reach staff and the rated agency, never the other
proposers; an extension's reason, the agency and staff.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.recipients import (
    agency_liaisons,
    committee_staff,
    proposer_target,
    proposers,
    supervising_leader,
)
from notifications.services import notify
from proposals.deadlines import deadline_from_dict
from proposals.models import Assignment, Event, Proposal, Proposer
from proposals.visibility import withhold_explanation
from replies.models import Feedback, Reply

K = Notification.Kind


@dataclass
class Step:
    """An event with the records its notices speak of, read fresh inside the step's transaction."""

    event: Event
    proposal: Proposal
    assignment: Assignment | None

    @classmethod
    def of(cls, event: Event) -> Step:
        proposal = Proposal.objects.select_related("session__committee", "merged_into").get(pk=event.proposal_id)
        assignment = None
        if event.assignment_id:
            assignment = Assignment.objects.select_related("agency").get(pk=event.assignment_id)
        return cls(event=event, proposal=proposal, assignment=assignment)

    @property
    def data(self) -> dict:
        return self.event.data if isinstance(self.event.data, dict) else {}

    @property
    def committee(self):
        return self.proposal.session.committee

    def reply(self) -> Reply | None:
        if not self.event.reply_id:
            return None
        return Reply.objects.filter(pk=self.event.reply_id).first()

    def send(self, kind: str, targets, context=None, *, link: str = "") -> None:
        """Notices of ``kind`` to ``targets``: the proposal's line and ``context(target)`` in each
        reader's language; the actor is left out."""
        step = self

        def values(target) -> dict:
            return {"proposal": proposal_text(step.proposal), **(context(target) if context else {})}

        notify(kind=kind, targets=targets, context=values, proposal=self.proposal, assignment=self.assignment,
               event=self.event, committee=self.committee,
               link=link or admin_path("proposals_proposal", self.proposal.pk),
               exclude_user_ids=[self.event.actor_id] if self.event.actor_id else [])


def admin_path(name: str, pk) -> str:
    try:
        return reverse(f"admin:{name}_change", args=[pk])
    except NoReverseMatch:
        return ""


def proposal_text(proposal: Proposal) -> str:
    return _("%(session)s第%(number)s号提案“%(title)s”") % {
        "session": str(proposal.session), "number": proposal.number, "title": proposal.title}


def explain(part, *, with_reason: bool = True) -> str:
    """A stored deadline (Deadline.as_dict) explained in the active language; without the
    extension's reason for a reader who may not read it (proposals.visibility)."""
    if not isinstance(part, dict):
        return ""
    if not with_reason:
        part = withhold_explanation({"due": part})["due"]
    try:
        return deadline_from_dict(part).explain()
    except (KeyError, TypeError, ValueError):
        return part.get("text", "")


def due_values(assignment: Assignment | None, *, with_reason: bool = True) -> dict:
    if assignment is None:
        return {}
    return {"due_on": assignment.due_on.isoformat() if assignment.due_on else "",
            "due_explanation": explain((assignment.due_explanation or {}).get("due"), with_reason=with_reason)}


def role_label(role: str) -> str:
    return str(dict(Assignment.Role.choices).get(role, role))


# --- the steps -----------------------------------------------------------------------------------

def submitted(step: Step) -> None:
    names = "、".join(step.proposal.signatures.order_by("position").values_list("proposer__name", flat=True))
    step.send(K.SUBMITTED, [committee_staff(step.committee)], lambda t: {"proposers": names})


def invited(step: Step) -> None:
    invitee = Proposer.objects.select_related("user").filter(pk=step.data.get("proposer_id")).first()
    if invitee is None:
        return
    inviter = step.proposal.signatures.order_by("position").values_list("proposer__name", flat=True).first() or ""
    step.send(K.COSIGN_INVITED, [proposer_target(invitee)],
              lambda t: {"inviter": inviter, "due_on": step.data.get("due_on", ""), "rule": step.data.get("rule", "")})


def reviewed(kind):
    def handler(step: Step) -> None:
        def context(target):
            values = {"reason": step.event.note}
            if step.proposal.merged_into is not None:
                values["merged_into"] = proposal_text(step.proposal.merged_into)
            return values

        step.send(kind, proposers(step.proposal), context)
    return handler


def assigned_agency(step: Step) -> None:
    a = step.assignment
    if a is None:
        return
    explanation = a.due_explanation or {}

    def context(target):
        return {"agency": a.agency.name, "role": role_label(a.role),
                "task": _("向主办单位提交会办意见") if a.role == Assignment.Role.CO else _("答复提案人"),
                **due_values(a),
                "objection_due_on": a.objection_due_on.isoformat() if a.objection_due_on else "",
                "objection_explanation": explain(explanation.get("objection"))}

    step.send(K.ASSIGNMENT_NEW, [agency_liaisons(a.agency)], context)


def objection_filed(step: Step) -> None:
    a = step.assignment
    step.send(K.OBJECTION_FILED, [committee_staff(step.committee)],
              lambda t: {"agency": a.agency.name, "reason": step.event.note})


def objection_decided(step: Step) -> None:
    a = step.assignment

    def context(target):
        return {"agency": a.agency.name, "decision": a.get_objection_decision_display(), "reason": step.event.note,
                "new_agency": step.data.get("new_agency", ""), **due_values(a)}

    step.send(K.OBJECTION_DECIDED, [agency_liaisons(a.agency)], context)


def extension_requested(step: Step) -> None:
    a = step.assignment
    request_id = step.data.get("extension_request")
    link = admin_path("proposals_extensionrequest", request_id) if request_id else ""
    step.send(K.EXTENSION_REQUESTED, [committee_staff(step.committee)],
              lambda t: {"agency": a.agency.name, "due_on": step.data.get("due_on") or "",
                         "wanted_due_on": step.data.get("wanted_due_on", ""), "reason": step.event.note},
              link=link)


def extension_decided(step: Step) -> None:
    a = step.assignment
    granted = step.event.action == Event.Action.EXTEND

    def context(target):
        return {"agency": a.agency.name, "granted": granted, "old_due_on": step.data.get("from") or "",
                "wanted_due_on": step.data.get("wanted_due_on", ""),
                "reason": "" if granted else step.event.note, **due_values(a)}

    step.send(K.EXTENSION_DECIDED, [agency_liaisons(a.agency)], context)
    if granted:
        key_progress(step, lambda: _("%(agency)s的办理期限延至 %(due)s") % {
            "agency": a.agency.name, "due": step.data.get("to", "")})


def reply_submitted(step: Step) -> None:
    reply, a = step.reply(), step.assignment
    if reply is None or a is None:
        return
    link = admin_path("replies_reply", reply.pk)
    if reply.kind == Reply.Kind.OPINION:
        lead = step.proposal.assignments.current().filter(role=Assignment.Role.LEAD).select_related("agency").first()
        if lead is not None:
            step.send(K.CO_OPINION_ARRIVED, [agency_liaisons(lead.agency)],
                      lambda t: {"agency": lead.agency.name, "co_agency": a.agency.name,
                                 "late": bool(step.data.get("late")), **due_values(lead)}, link=link)
        return
    public = reply.disclosure == Reply.Disclosure.PUBLIC
    step.send(K.REPLY_SUBMITTED, [committee_staff(step.committee)],
              lambda t: {"agency": a.agency.name, "reply_title": reply.title, "to_publish": public,
                         "disclosure": reply.get_disclosure_display()}, link=link)
    if not public:
        # Never published (依申请公开, 不予公开): the proposers hear of it now, on delivery.
        reply_reached_proposers(step, reply)
    key_progress(step, lambda: _("%(agency)s已提交答复") % {"agency": a.agency.name})


def reply_reached_proposers(step: Step, reply: Reply) -> None:
    agency = step.assignment.agency.name

    def context(target):
        return {"agency": agency, "reply_title": reply.title,
                "feedback_due_on": reply.feedback_due_on.isoformat() if reply.feedback_due_on else "",
                "feedback_explanation": explain(reply.feedback_due_explanation)}

    step.send(K.REPLY_PUBLISHED, proposers(step.proposal, with_merged=True), context)


def published(step: Step) -> None:
    reply = step.reply()
    if reply is None or step.assignment is None:
        return
    reply_reached_proposers(step, reply)
    key_progress(step, lambda: _("%(agency)s的答复已公开") % {"agency": step.assignment.agency.name})


def rehandled(step: Step) -> None:
    a = step.assignment
    if a is None:
        return
    rating = (Feedback.objects.filter(reply__assignment=a, rating=Feedback.Rating.DISSATISFIED)
              .select_related("proposer").order_by("-id").first())
    comments = rating.comments if rating is not None else ""
    rater = rating.proposer.name if rating is not None else ""
    # The rating and its comments: staff and the rated agency only (proposals.visibility, RATING).
    step.send(K.REHANDLE, [agency_liaisons(a.agency)],
              lambda t: {"agency": a.agency.name, "comments": comments, **due_values(a)})
    step.send(K.DISSATISFIED, [committee_staff(step.committee)],
              lambda t: {"agency": a.agency.name, "rater": rater, "comments": comments, **due_values(a)})
    step.send(K.REHANDLE_STARTED, proposers(step.proposal, with_merged=True),
              lambda t: {"agency": a.agency.name, **due_values(a, with_reason=False)})
    key_progress(step, lambda: _("提案人不满意,%(agency)s重新办理,期限 %(due)s") % {
        "agency": a.agency.name, "due": a.due_on.isoformat() if a.due_on else ""})


def urged(step: Step) -> None:
    a = step.assignment
    if a is None:
        return
    message = step.data.get("message") or step.event.note

    def context(target):
        return {"agency": a.agency.name, "message": message, **due_values(a),
                "days_overdue": step.data.get("days_overdue") or 0}

    step.send(K.URGE, [agency_liaisons(a.agency)], context)
    key_progress(step, lambda: _("提案委员会已向%(agency)s催办") % {"agency": a.agency.name})


def key_progress(step: Step, progress) -> None:
    """Progress of a key proposal to its supervising leader; ``progress()`` says what happened, in
    the reader's language."""
    if not step.proposal.is_key:
        return
    step.send(K.KEY_PROGRESS, supervising_leader(step.proposal), lambda t: {"progress": progress()})


def marked_key(step: Step) -> None:
    key_progress(step, lambda: _("列为重点提案,由您督办"))


def assigned_proposal(step: Step) -> None:
    if not step.proposal.is_key:
        return
    rows = list(step.proposal.assignments.current().select_related("agency").order_by("role", "id"))
    key_progress(step, lambda: _("已交办:%(agencies)s") % {
        "agencies": "、".join(f"{a.agency.name}({role_label(a.role)})" for a in rows)})


def closed(step: Step) -> None:
    if step.assignment is None:  # the proposal's own close, not each assignment's
        key_progress(step, lambda: _("已办结"))


HANDLERS = {
    "invite": invited,
    "submit": submitted,
    "file": reviewed(K.PROPOSAL_FILED),
    "reject": reviewed(K.PROPOSAL_REJECTED),
    "convert": reviewed(K.PROPOSAL_CONVERTED),
    "merge": reviewed(K.PROPOSAL_MERGED),
    "assign": assigned_agency,
    "assigned": assigned_proposal,
    "object": objection_filed,
    "decide_objection": objection_decided,
    "extension_request": extension_requested,
    "extend": extension_decided,
    "extension_refuse": extension_decided,
    "reply_submit": reply_submitted,
    "publish": published,
    "rehandle": rehandled,
    "mark_key": marked_key,
    "close": closed,
}
# 催办 is recorded by proposals.services.urging where that step exists.
if getattr(Event.Action, "URGE", None) is not None:
    HANDLERS[Event.Action.URGE.value] = urged


def on_event(event: Event) -> None:
    """The listener: the notices of one recorded event (see the table above)."""
    handler = HANDLERS.get(event.action)
    if handler is not None:
        handler(Step.of(event))
