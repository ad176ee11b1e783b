"""Life of a proposal (domain.md), steps 4 and 9: handling (contacts with the proposer), key
proposals and their supervision log; and the trail of events a whole life leaves."""
import datetime

import pytest

from proposals import services
from proposals.models import Assignment, ContactLog, Event, Proposal, SupervisionLog
from proposals.services import InvalidInput, TransitionNotAllowed
from tests.factories import assignment_at, proposal_at

P = Proposal.Status
A = Assignment.Status
pytestmark = pytest.mark.django_db



def last_event(obj, action):
    field = "assignment" if isinstance(obj, Assignment) else "proposal"
    return Event.objects.filter(**{field: obj, "action": action}).latest("id")


# --- 4. Handling: contacts with the proposer -------------------------------------------------------------

def test_record_a_contact_with_the_proposer(cast):
    assignment = assignment_at(cast, A.ACKNOWLEDGED)
    contact = services.contact_record(actor=cast.liaison, assignment=assignment, stage="before", form="visit",
                                      date=datetime.date(2024, 3, 6), note="走访提案人,了解诉求")
    assert (contact.stage, contact.form, contact.recorded_by) == ("before", "visit", cast.liaison)
    event = last_event(assignment, "contact")
    assert event.actor == cast.liaison and "走访" in event.note


@pytest.mark.parametrize("kwargs, field", [
    ({"stage": "someday"}, "stage"),
    ({"form": "pigeon"}, "form"),
    ({"date": datetime.date.today() + datetime.timedelta(days=2)}, "date"),
])
def test_contact_refuses_bad_input_with_the_field(cast, kwargs, field):
    assignment = assignment_at(cast, A.ACKNOWLEDGED)
    args = {"stage": "during", "form": "phone", "date": datetime.date(2024, 3, 6), **kwargs}
    with pytest.raises(InvalidInput) as error:
        services.contact_record(actor=cast.liaison, assignment=assignment, **args)
    assert error.value.field == field
    assert not ContactLog.objects.exists()


def test_no_contact_on_a_reassigned_assignment(cast):
    assignment = assignment_at(cast, A.REASSIGNED)
    with pytest.raises(TransitionNotAllowed):
        services.contact_record(actor=cast.liaison, assignment=assignment, stage="after", form="phone",
                                date=datetime.date(2024, 3, 6))


# --- 9. Key proposals and supervision --------------------------------------------------------------------

def test_key_proposal_and_its_supervision_log(cast):
    proposal = proposal_at(cast, P.ASSIGNED)
    with pytest.raises(TransitionNotAllowed):
        services.supervision_record(actor=cast.staff, proposal=proposal, note="督办")

    proposal = services.proposal_mark_key(actor=cast.staff, proposal=proposal, leader="李副主席")
    assert Proposal.objects.filter(pk=proposal.pk, is_key=True, supervising_leader="李副主席").exists()
    assert last_event(proposal, "mark_key").actor == cast.staff

    with pytest.raises(InvalidInput) as error:
        services.supervision_record(actor=cast.staff, proposal=proposal, note="")
    assert error.value.field == "note"
    entry = services.supervision_record(actor=cast.staff, proposal=proposal, note="召开督办座谈会",
                                        date=datetime.date(2024, 4, 2))
    assert (entry.leader, entry.date, entry.recorded_by) == ("李副主席", datetime.date(2024, 4, 2), cast.staff)
    assert last_event(proposal, "supervise").note == "召开督办座谈会"

    services.proposal_mark_key(actor=cast.staff, proposal=proposal, is_key=False)
    assert Proposal.objects.filter(pk=proposal.pk, is_key=False, supervising_leader="").exists()
    assert SupervisionLog.objects.filter(proposal=proposal).count() == 1  # the log stays


# --- Every step leaves a trail ---------------------------------------------------------------------------

def test_a_whole_life_leaves_an_event_for_every_move(cast):
    proposal = proposal_at(cast, P.CLOSED)
    moves = list(Event.objects.filter(proposal=proposal, assignment=None).order_by("id")
                 .values_list("action", "from_status", "to_status"))
    assert moves == [
        ("create", "", P.DRAFT),
        ("submit", P.DRAFT, P.SUBMITTED),
        ("file", P.SUBMITTED, P.FILED),
        ("assigned", P.FILED, P.ASSIGNED),
        ("replied", P.ASSIGNED, P.REPLIED),
        ("close", P.REPLIED, P.CLOSED),
    ]
    lead_moves = list(Event.objects.filter(assignment__proposal=proposal, action__in=[
        "assign", "acknowledge", "reply_submit"]).order_by("id").values_list("action", "from_status", "to_status"))
    assert lead_moves == [("assign", "", A.ASSIGNED), ("acknowledge", A.ASSIGNED, A.ACKNOWLEDGED),
                          ("reply_submit", A.ACKNOWLEDGED, A.REPLIED)]
    assert not Event.objects.filter(proposal=proposal, actor=None).exists()
