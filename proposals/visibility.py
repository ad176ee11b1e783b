"""Who sees what: the one policy for rows and fields, which every channel asks (the API's
serializers and exports, the event trail, the admin's pages, inlines and filters, search and
the figures). Roles come from proposals.roles; the rules from ../shared/domain.md.

Rows
- proposals: staff see all; a liaison sees those its agency is *currently* assigned to (an
  agency relieved by an upheld objection or a cancelled assignment no longer follows the
  proposal); a proposer sees its own and those they were merged into; anyone sees a proposal
  answered by a published, public reply (``Proposal.answered_publicly``, kept by the reply
  services).
- assignments: those of the proposals one sees, and always the agency's own (a relieved agency
  keeps what it did itself: its assignment, drafts, opinion and contacts).
- events: for the people involved only: staff, the proposers (own and merged-into proposals),
  the agencies currently assigned, and a relieved agency for the events of its own assignment.
- contacts: staff, the agency that recorded them, the proposers of the proposal.
- extension requests: staff and the requesting agency (``visible_extension_requests``).
- replies and feedback: replies.selectors, composed from the same building blocks
  (``handled_proposal_ids``, ``followed_q``).

Fields (``FIELDS``): who may read a field, whatever the channel and wherever its text was
copied (an event's note carries its own ``note_audience``):
- HANDLERS: staff and the liaisons of the agency whose record it is (objection reason and
  decision, extension reason);
- RATING: staff, the rated agency and the proposer who rated (a rating and its comments);
- STAFF: the proposal committee's staff only (internal notes, members' contact details).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Assignment, CoSignInvitation, ExtensionRequest, Proposal
from proposals.models.proposal import followed_q
from proposals.roles import is_committee_staff, liaison_agency_ids, proposer_id


class Audience(models.TextChoices):
    EVERYONE = "", _("看得到该记录的人")
    HANDLERS = "handlers", _("提案委员会和该承办单位")
    RATING = "rating", _("提案委员会、被评价的承办单位和评价人")
    STAFF = "staff", _("仅提案委员会")


# model label -> field -> audience. Labels are strings: the replies app's fields are named here
# without proposals importing it.
FIELDS: dict[str, dict[str, str]] = {
    "proposals.assignment": {
        "objection_reason": Audience.HANDLERS,
        "objected_on": Audience.HANDLERS,
        "objection_decision": Audience.HANDLERS,
        "objection_decision_note": Audience.HANDLERS,
        "extension_reason": Audience.HANDLERS,
    },
    "proposals.proposer": {"phone": Audience.STAFF, "email": Audience.STAFF},
    "replies.reply": {"internal_note": Audience.STAFF},
    "replies.feedback": {"rating": Audience.RATING, "comments": Audience.RATING},
}

# What a reader outside the audience sees in place of a note: the event stays, its text does not.
WITHHELD = {
    Audience.HANDLERS: _("(理由仅提案委员会和该承办单位可见)"),
    Audience.RATING: _("(评价仅提案委员会、被评价单位和评价人可见)"),
    Audience.STAFF: _("(仅提案委员会可见)"),
}


@dataclass(frozen=True)
class Viewer:
    staff: bool
    agencies: frozenset[int]
    proposer: int | None

    @classmethod
    def of(cls, user) -> Viewer:
        """The user's roles, read once per request (proposals.roles keeps them on the user)."""
        if isinstance(user, Viewer):
            return user
        return cls(staff=is_committee_staff(user), agencies=liaison_agency_ids(user), proposer=proposer_id(user))

    @property
    def involved(self) -> bool:
        """Staff, a liaison or a proposer: someone who may follow a proposal's timeline."""
        return self.staff or bool(self.agencies) or self.proposer is not None


def may_read(viewer: Viewer, audience: str, *, agency_id: int | None = None, rater_id: int | None = None) -> bool:
    """Whether the viewer is in the audience, for a record of ``agency_id`` rated by ``rater_id``."""
    if viewer.staff or not audience:
        return True
    if audience == Audience.HANDLERS:
        return agency_id is not None and agency_id in viewer.agencies
    if audience == Audience.RATING:
        return (agency_id is not None and agency_id in viewer.agencies) or (
            rater_id is not None and rater_id == viewer.proposer)
    return False


def field_audience(model_label: str, field: str) -> str:
    return FIELDS.get(model_label, {}).get(field, Audience.EVERYONE)


def may_read_field(viewer: Viewer, model_label: str, field: str, **record) -> bool:
    return may_read(viewer, field_audience(model_label, field), **record)


def hidden_fields(viewer: Viewer, model_label: str, **record) -> set[str]:
    """The fields of one record (of ``agency_id`` / ``rater_id``) the viewer may not read."""
    return {name for name, audience in FIELDS.get(model_label, {}).items()
            if not may_read(viewer, audience, **record)}


def never_readable(viewer: Viewer, model_label: str) -> set[str]:
    """The fields the viewer can read on no record at all (a public caller: every restricted
    field; a liaison: the staff-only ones): they are left out of its schema and exports."""
    if viewer.staff:
        return set()
    ever = {Audience.HANDLERS, Audience.RATING} if viewer.agencies else (
        {Audience.RATING} if viewer.proposer is not None else set())
    return {name for name, audience in FIELDS.get(model_label, {}).items() if audience not in ever}


def may_read_note(viewer: Viewer, event) -> bool:
    """Whether the viewer is in the audience of the event's note (and of what its data says)."""
    audience = event.note_audience or Audience.EVERYONE
    if audience == Audience.EVERYONE:
        return True
    agency_id = event.assignment.agency_id if event.assignment_id else None
    data = event.data if isinstance(event.data, dict) else {}
    return may_read(viewer, audience, agency_id=agency_id, rater_id=data.get("proposer_id"))


def event_note(viewer: Viewer, event) -> str:
    """The event's note as this viewer may read it: whole, or a line saying it is withheld
    (proposals.event_text adds the structured part in the reader's language)."""
    if may_read_note(viewer, event):
        return event.note
    return str(WITHHELD.get(event.note_audience, WITHHELD[Audience.STAFF]))


def withhold_explanation(explanation):
    """Assignment.due_explanation without the extension reason it copies: what a reader who may
    not read ``extension_reason`` gets (the stored text, which repeats it, is dropped too)."""
    if not isinstance(explanation, dict):
        return explanation
    result = {}
    for key, part in explanation.items():
        if isinstance(part, dict) and part.get("extension"):
            part = {**part, "extension": {k: v for k, v in part["extension"].items() if k != "reason"}, "text": ""}
        result[key] = part
    return result


# --- rows ----------------------------------------------------------------------------------

def handled_proposal_ids(viewer: Viewer):
    """The proposals the viewer's agencies are currently assigned to, as a subquery of ids."""
    return Assignment.objects.current().filter(agency_id__in=viewer.agencies).values("proposal_id")


def proposals_q(viewer: Viewer) -> Q:
    """The proposals policy of the module docstring; and a member invited to co-sign a draft sees
    it to decide, while the invitation is open (invited, within its window: services.cosigning),
    and no longer once declined or expired."""
    if viewer.staff:
        return Q()
    condition = Q(answered_publicly=True)
    if viewer.agencies:
        condition |= Q(Exists(Assignment.objects.current().filter(proposal=OuterRef("pk"),
                                                                  agency_id__in=viewer.agencies)))
    if viewer.proposer is not None:
        condition |= followed_q(viewer.proposer)
        condition |= Q(status=Proposal.Status.DRAFT) & Q(Exists(CoSignInvitation.objects.filter(
            proposal=OuterRef("pk"), proposer_id=viewer.proposer, status=CoSignInvitation.Status.INVITED,
            due_on__gte=timezone.localdate())))
    return condition


def visible_proposals(user):
    return Proposal.objects.filter(proposals_q(Viewer.of(user)))


def proposal_visible_q(viewer: Viewer, field: str = "proposal") -> Q:
    """The row's proposal (``field``) is one the viewer sees. Tested on that proposal (a
    correlated EXISTS), not as ``IN (every visible proposal)``: looking up one row by id then
    reads one proposal, where the set would be built whole first (2 s at 100,000 proposals)."""
    if viewer.staff:
        return Q()
    return Q(Exists(Proposal.objects.filter(proposals_q(viewer), pk=OuterRef(field))))


def assignments_q(viewer: Viewer) -> Q:
    if viewer.staff:
        return Q()
    condition = proposal_visible_q(viewer)
    if viewer.agencies:
        condition |= Q(agency_id__in=viewer.agencies)
    return condition


def events_q(viewer: Viewer) -> Q:
    if viewer.staff:
        return Q()
    condition = Q(pk__in=[])
    if viewer.agencies:
        condition |= Q(proposal__in=handled_proposal_ids(viewer)) | Q(assignment__agency_id__in=viewer.agencies)
    if viewer.proposer is not None:
        condition |= followed_q(viewer.proposer, "proposal")
    return condition


def invitation_visible(viewer: Viewer, invitation, signer_ids) -> bool:
    """A co-signing invitation (and whether it was declined) is the business of staff, the
    proposal's proposers and the invitee: nobody else learns who declined."""
    return viewer.staff or viewer.proposer is not None and (
        viewer.proposer in signer_ids or viewer.proposer == invitation.proposer_id)


def contacts_q(viewer: Viewer) -> Q:
    if viewer.staff:
        return Q()
    condition = Q(pk__in=[])
    if viewer.agencies:
        condition |= Q(assignment__agency_id__in=viewer.agencies)
    if viewer.proposer is not None:
        condition |= Q(assignment__proposal__in=Proposal.objects.filter(
            signatures__proposer_id=viewer.proposer).values("pk"))
    return condition


def proposers_q(viewer: Viewer) -> Q:
    """Names are public where they sign a visible proposal; contact details: FIELDS."""
    if viewer.staff:
        return Q()
    return Q(Exists(Proposal.objects.filter(proposals_q(viewer), signatures__proposer=OuterRef("pk"))))


def visible_extension_requests(user):
    """延期申请: staff and the requesting agency's liaisons, whose reason and decision they are
    (handler-only text, domain.md "Rules decided"); an agency relieved since keeps its own."""
    viewer = Viewer.of(user)
    if viewer.staff:
        return ExtensionRequest.objects.all()
    return ExtensionRequest.objects.filter(assignment__agency_id__in=viewer.agencies)
