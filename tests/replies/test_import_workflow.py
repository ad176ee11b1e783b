"""A published letter for a proposal staff entered before goes through the same workflow moves
as everyone else (issue 8): a proposal that was never assigned, or a draft, withdrawn or not
filed one, refuses the letter with its reason; with 分办 only the letter's agency has replied,
and the other can still send its reply; every move is an event."""
import datetime
from pathlib import Path

import pytest
from django.conf import settings

from proposals import services
from proposals.models import Assignment, Event, Proposal
from replies import services as reply_services
from replies.importing import Importer
from replies.importing.service import FAILED, LINKED
from replies.models import Reply
from tests.factories import (
    AgencyFactory,
    CommitteeFactory,
    ProposerFactory,
    SessionFactory,
    quick_staff_user,
    quick_user,
)

CORPUS = Path(settings.BASE_DIR) / "fixtures" / "corpus"
QUJING = "000_0e82f41fc8321ae9.txt"  # 曲靖市人民政府 to 曲靖市政协六届三次会议第55号, published
P = Proposal.Status
A = Assignment.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def entered():
    """Proposal 55 of 曲靖市政协 6/3 entered by staff (a paper proposal), filed."""
    committee = CommitteeFactory(name="曲靖市政协", region="曲靖市")
    session = SessionFactory(committee=committee, term=6, number=3)
    staff = quick_staff_user("importstaff")
    proposer = ProposerFactory(committee=committee, name="许委员")
    proposal = services.proposal_create(actor=staff, session=session, title="关于集中办学的提案",
                                        proposers=[proposer], number="55")
    government = AgencyFactory(name="曲靖市人民政府", region="曲靖市")
    education = AgencyFactory(name="曲靖市教育体育局", region="曲靖市")
    return staff, proposal, government, education


def _import(staff=None):
    return Importer(actor=staff).import_bytes((CORPUS / QUJING).read_bytes(), QUJING)


@pytest.mark.parametrize("status", [P.DRAFT, P.SUBMITTED, P.FILED, P.WITHDRAWN, P.NOT_FILED])
def test_a_letter_for_a_proposal_that_was_never_assigned_is_refused(entered, status):
    staff, proposal, government, education = entered
    if status != P.DRAFT:
        services.proposal_submit(actor=staff, proposal=proposal)
    if status == P.FILED:
        services.proposal_file(actor=staff, proposal=proposal)
    elif status == P.WITHDRAWN:
        services.proposal_withdraw(actor=staff, proposal=proposal, reason="撤回")
    elif status == P.NOT_FILED:
        services.proposal_reject(actor=staff, proposal=proposal, reason="不属于提案范围")
    events = Event.objects.count()
    outcome = _import()
    assert outcome.status == FAILED
    assert "尚未交办" in " ".join(outcome.report["warnings"])
    assert Proposal.objects.get(pk=proposal.pk).status == status
    assert not Reply.objects.exists() and Event.objects.count() == events


def test_with_separate_agencies_only_the_letters_agency_has_replied(entered):
    """Before: the proposal jumped to 已答复 and the second agency could never reply."""
    staff, proposal, government, education = entered
    services.proposal_submit(actor=staff, proposal=proposal)
    services.proposal_file(actor=staff, proposal=proposal)
    services.proposal_assign(actor=staff, proposal=proposal, separate=[government, education],
                             assigned_on=datetime.date(2024, 5, 6))
    outcome = _import(staff)
    assert outcome.status == LINKED
    proposal.refresh_from_db()
    assert proposal.status == P.ASSIGNED  # the education bureau has not replied yet
    mine = proposal.assignments.get(agency=government)
    theirs = proposal.assignments.get(agency=education)
    assert (mine.status, theirs.status) == (A.REPLIED, A.ASSIGNED)
    actions = list(Event.objects.filter(assignment=mine).exclude(action="import").order_by("id")
                   .values_list("action", flat=True))
    assert actions[-4:] == ["acknowledge", "reply_draft", "reply_submit", "publish"]
    assert Event.objects.filter(assignment=mine, action="reply_submit").get().actor == staff
    reply = Reply.objects.get(assignment=mine)
    assert reply.status == Reply.Status.PUBLISHED and reply.feedback_due_on is not None
    assert Proposal.objects.get(pk=proposal.pk).answered_publicly

    # The second agency replies through the tracker; then the proposal is replied.
    liaison = quick_user("edu-liaison")
    education.liaisons.add(liaison)
    services.assignment_acknowledge(actor=liaison, assignment=theirs)
    second = reply_services.reply_create(actor=liaison, assignment=theirs, title="答复", body="经研究,答复如下。",
                                         classification="B")
    reply_services.reply_submit(actor=liaison, reply=second)
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED


def test_a_letter_for_another_agency_is_refused(entered):
    staff, proposal, government, education = entered
    services.proposal_submit(actor=staff, proposal=proposal)
    services.proposal_file(actor=staff, proposal=proposal)
    services.proposal_assign(actor=staff, proposal=proposal, lead=education, assigned_on=datetime.date(2024, 5, 6))
    outcome = _import()
    assert outcome.status == FAILED
    assert "曲靖市教育体育局" in outcome.report["warnings"][-1]
    assert Proposal.objects.get(pk=proposal.pk).status == P.ASSIGNED


def test_an_imported_reply_has_a_feedback_window_from_the_letter_and_closes_after_it():
    """Before: an imported reply had no feedback window, and its proposal could never close."""
    from django.core.management import call_command

    outcome = Importer().import_bytes((CORPUS / QUJING).read_bytes(), QUJING)
    reply = Reply.objects.get(sources=outcome.source)
    assert reply.feedback_due_on is not None
    assert reply.feedback_due_explanation["start_on"] in (str(reply.published_on), str(reply.signed_on))
    call_command("close_feedback_windows", on=(reply.feedback_due_on + datetime.timedelta(days=1)).isoformat())
    proposal = reply.assignment.proposal
    proposal.refresh_from_db()
    assert proposal.status == P.CLOSED
    # Ratings given outside the tracker are unknown: no 未表态 is invented for them.
    assert not reply.feedback.exists()
