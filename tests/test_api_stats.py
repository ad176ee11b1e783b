"""/api/stats/ agrees with a count done by hand (the definitions: replies/stats.py).

The committee below has, through the services: a draft, a submitted proposal, one not filed,
one converted, one merged into a filed one, one withdrawn, one assigned and overdue, one
replied (class B), two closed (满意 and 基本满意, class A) and one sent back for re-handling
after a 不满意 (overdue again). Every answering assignment was made on 2024-03-04 and every
reply sent on 2024-05-06: 42 working days (March 5–29: 19; April: 22 weekdays less 清明
4–5 April plus the make-up Sunday 7 April and 28 April; 6 May: 1; 1–5 May are 劳动节).
"""
import pytest

from proposals.models import Proposal
from replies import kept_figures
from replies import services as reply_services
from replies.models import Reply
from tests.api_support import client_for
from tests.factories import WORKFLOW_FEEDBACK_ON, assignment_at, make_cast, proposal_at

P = Proposal.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    cast = make_cast()
    for status in (P.DRAFT, P.SUBMITTED, P.NOT_FILED, P.CONVERTED, P.MERGED, P.WITHDRAWN, P.ASSIGNED, P.CLOSED):
        proposal_at(cast, status)
    replied = proposal_at(cast, P.REPLIED)
    Reply.objects.filter(assignment__proposal=replied).update(classification="B")
    kept_figures.refresh([replied.pk])  # a write outside the services tells the kept figures itself
    basically = proposal_at(cast, P.REPLIED)
    reply_services.feedback_give(actor=cast.staff, reply=Reply.objects.get(assignment__proposal=basically),
                                 proposer=cast.proposer, rating="basically", on=WORKFLOW_FEEDBACK_ON)
    assignment_at(cast, "rehandling")
    other = make_cast()  # another committee: one proposal, assigned and overdue
    proposal_at(other, P.ASSIGNED)
    cast.other = other
    return cast


HAND_COUNT = {
    "received": 11, "filed": 6, "not_filed": 1, "merged": 1, "converted": 1, "withdrawn": 1,
    "assigned": 5, "replied": 3, "replied_on_time": 3, "overdue_now": 2,
    "reply_rate": 0.6, "on_time_reply_rate": 1.0, "mean_working_days_to_reply": 42.0,
}
CLASSES = {"A": 2, "B": 1, "C": 0, "D": 0, "total": 3, "shares": {"A": 0.6667, "B": 0.3333, "C": 0.0, "D": 0.0}}
SATISFACTION = {"satisfied": 1, "basically": 1, "dissatisfied": 1, "total": 3, "not_rated": 0, "satisfied_rate": 0.3333,
                "basically_rate": 0.3333, "dissatisfied_rate": 0.3333, "satisfaction_rate": 0.6667}


def figures(user, **params):
    response = client_for(user).get("/api/stats/", params)
    assert response.status_code == 200, response.content
    return response.json()


def check(row):
    assert {k: row[k] for k in HAND_COUNT} == HAND_COUNT
    assert row["classification"] == CLASSES
    assert row["satisfaction"] == SATISFACTION


def test_per_committee(cast):
    body = figures(cast.staff, group_by="committee")
    groups = {g["group"]["name"]: g for g in body["groups"]}
    check(groups[cast.session.committee.name])
    other = groups[cast.other.session.committee.name]
    assert (other["received"], other["assigned"], other["replied"], other["overdue_now"]) == (1, 1, 0, 1)
    assert other["reply_rate"] == 0.0 and other["on_time_reply_rate"] is None
    assert body["total"]["received"] == 12 and body["total"]["overdue_now"] == 3


def test_filtered_to_one_committee_and_per_session(cast):
    body = figures(cast.staff, group_by="session", committee=cast.session.committee.name)
    assert [g["group"]["key"] for g in body["groups"]] == [
        f"{cast.session.committee.name}/{cast.session.term}/{cast.session.number}"]
    check(body["groups"][0])
    check(body["total"])


def test_per_agency(cast):
    body = figures(cast.staff, group_by="agency", session_id=cast.session.pk)
    groups = {g["group"]["id"]: g for g in body["groups"]}
    assert set(groups) == {cast.agency.pk}
    row = groups[cast.agency.pk]
    assert (row["received"], row["filed"]) == (5, 5)  # the proposals assigned to the agency
    assert {k: row[k] for k in ("assigned", "replied", "overdue_now", "reply_rate")} == {
        "assigned": 5, "replied": 3, "overdue_now": 2, "reply_rate": 0.6}
    assert row["satisfaction"] == SATISFACTION
    assert body["total"]["received"] == 11


def test_filtered_by_agency_name(cast):
    body = figures(cast.staff, group_by="agency", agency=cast.other.agency.name)
    assert [g["group"]["id"] for g in body["groups"]] == [cast.other.agency.pk]
    assert body["total"]["assigned"] == 1


def test_figures_follow_visibility(cast):
    liaison = figures(cast.liaison)
    assert liaison["total"]["received"] == 5  # only the proposals assigned to its agency
    # Its own agency's replies and ratings: the same mix as staff see for that agency.
    assert liaison["total"]["classification"] == CLASSES and liaison["total"]["satisfaction"] == SATISFACTION
    proposer = figures(cast.proposer_user)["total"]
    assert proposer["suppressed"] is False
    # A proposer reads its own ratings, not its co-signer's; the replies to its own proposals.
    assert proposer["satisfaction"]["total"] == 3
    public = figures(None)["total"]
    assert public["suppressed"] is True and public["received"] is None  # nothing published yet


def test_public_figures_are_suppressed_below_five_proposals(cast):
    """Narrowing the figures to one published proposal shows nothing of it to an anonymous caller."""
    reply = Reply.objects.filter(status="submitted", assignment__agency=cast.agency).first()
    reply_services.reply_publish(actor=cast.staff, reply=reply)
    body = figures(None, group_by="session")
    assert body["total"]["suppressed"] is True
    assert [g["suppressed"] for g in body["groups"]] == [True]
    assert all(value is None for key, value in body["total"].items() if key != "suppressed")
    # Logged in, the same caller's figures are shown (over what it may see).
    assert figures(cast.plain)["total"]["received"] == 1


def public_cast():
    """Six proposals answered by a published, public reply (class A) of cast.agency, the first
    also answered separately (分办) by cast.other_agency with a 不予公开 reply classed D; each
    rated 满意 by the lead proposer."""
    from proposals import services
    from replies.models import Feedback
    from tests.factories import WORKFLOW_ASSIGNED_ON, WORKFLOW_REPLIED_ON, reply_sent

    cast = make_cast()
    proposals = []
    for i in range(6):
        proposal = proposal_at(cast, P.FILED)
        agencies = [cast.agency, cast.other_agency] if i == 0 else [cast.agency]
        services.proposal_assign(actor=cast.staff, proposal=proposal, separate=agencies,
                                 assigned_on=WORKFLOW_ASSIGNED_ON)
        for assignment in proposal.assignments.all():
            services.assignment_acknowledge(actor=cast.staff, assignment=assignment)
            secret = assignment.agency == cast.other_agency
            reply = reply_sent(cast, assignment, classification="D" if secret else "A",
                               disclosure="not_public" if secret else "public",
                               disclosure_reason="涉及内部安排" if secret else "")
            if not secret:
                reply_services.reply_publish(actor=cast.staff, reply=reply, on=WORKFLOW_REPLIED_ON)
        proposals.append(proposal)
    for reply in Reply.objects.filter(assignment__proposal__in=proposals):
        Feedback.objects.create(reply=reply, proposer=cast.proposer, rating="satisfied", given_on=WORKFLOW_REPLIED_ON)
    kept_figures.refresh([p.pk for p in proposals])  # written directly, not by a step
    return cast, proposals


def test_public_figures_count_only_what_the_public_may_read():
    """An anonymous caller sees the six proposals and the class of their public replies, never
    the 不予公开 reply's class nor anybody's rating; staff see both."""
    cast, proposals = public_cast()
    public = figures(None)["total"]
    assert public["suppressed"] is False and public["received"] == 6
    assert (public["classification"]["A"], public["classification"]["D"]) == (6, 0)
    assert public["satisfaction"]["total"] == 0
    staff = figures(cast.staff)["total"]
    assert (staff["classification"]["A"], staff["classification"]["D"], staff["satisfaction"]["total"]) == (6, 1, 7)
    # The classification filter does not tell of the 不予公开 reply either.
    listed = client_for(None).get("/api/proposals/", {"classification": "D"}).json()
    assert listed["count"] == 0
    assert client_for(cast.staff).get("/api/proposals/", {"classification": "D"}).json()["count"] == 1


def test_bad_parameters_are_a_400(cast):
    assert client_for(cast.staff).get("/api/stats/", {"group_by": "year"}).status_code == 400
    response = client_for(cast.staff).get("/api/stats/", {"committee": "没有这个政协"})
    assert response.status_code == 400 and "committee" in response.json()


def test_merge_target_counts_as_filed(cast):
    """The hand count above relies on it: the merge target of proposal_at(MERGED) is filed."""
    merged = Proposal.objects.get(session=cast.session, status=P.MERGED)
    assert merged.merged_into.status == P.FILED
