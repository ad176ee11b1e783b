"""Versioned optimistic concurrency (issue 9, item 3): every recorded step is a new version of the
proposal it belongs to (and of the assignment and reply it names); the ETag is that version, and
a step sent with an older one (If-Match) is refused with 409 and changes nothing, whether or not
the step it missed changed a status or a timestamp.

The first test races real PostgreSQL connections (SQLite serialises all writers, so there is no
race to lose there); the others run on any database."""
import datetime

import pytest
from django.db import connection

from proposals import services
from proposals.models import Assignment, ContactLog, Event, ExtensionRequest, Proposal, SupervisionLog
from proposals.services import cosigning
from replies.models import Reply
from tests.api_support import client_for
from tests.factories import assignment_at, lead_assignment, make_cast, proposal_at
from tests.proposals.test_concurrency import _leave_the_database_as_found, race  # noqa: F401 (module fixture)

P = Proposal.Status
A = Assignment.Status


def etag_of(user, path):
    response = client_for(user).get(path)
    assert response.status_code == 200, response.content
    return response["ETag"]


def post(user, path, data=None, **headers):
    return client_for(user).post(path, data or {}, format="json", **headers)


def proposal_url(proposal):
    return f"/api/proposals/{proposal.pk}/"


def assignment_url(assignment):
    return f"/api/assignments/{assignment.pk}/"


# --- (a) the finding: 20 concurrent mark-key calls with the same ETag -------------------------------

@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs concurrent PostgreSQL connections (DATABASE_URL=postgres://…)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_mark_key_calls_with_one_etag_let_exactly_one_through():
    cast = make_cast()
    proposal = proposal_at(cast, P.FILED)
    etag = etag_of(cast.staff, proposal_url(proposal))

    def mark_key(leader):
        response = post(cast.staff, proposal_url(proposal) + "mark-key/", {"is_key": True, "leader": leader},
                        HTTP_IF_MATCH=etag)
        return response.status_code, response.json().get("code")

    results = race(*[lambda n=n: mark_key(f"领导{n}") for n in range(20)])

    answers = sorted(value for kind, value in results if kind == "ok")
    assert len(answers) == 20, results
    assert answers.count((200, None)) == 1, answers
    assert answers.count((409, "concurrent_change")) == 19, answers
    assert Event.objects.filter(proposal=proposal, action="mark_key").count() == 1


# --- (b) a stale ETag after a step that changes neither status nor updated_at -------------------------

def unchanged(proposal, assignment=None):
    """What a refused step must leave as it found: the proposal's row, its assignment's and the trail."""
    rows = [Proposal.objects.filter(pk=proposal.pk).values().get(), Event.objects.count()]
    if assignment is not None:
        rows.append(Assignment.objects.filter(pk=assignment.pk).values().get())
    return rows


def assert_refused_as_concurrent(response):
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "concurrent_change"


@pytest.mark.django_db
def test_a_stale_etag_after_mark_key_is_refused(cast):
    proposal = proposal_at(cast, P.FILED)
    stale = etag_of(cast.staff, proposal_url(proposal))
    assert post(cast.staff, proposal_url(proposal) + "mark-key/", {"leader": "张三"}).status_code == 200
    before = unchanged(proposal)

    response = post(cast.staff, proposal_url(proposal) + "mark-key/", {"is_key": False}, HTTP_IF_MATCH=stale)

    assert_refused_as_concurrent(response)
    assert unchanged(proposal) == before
    assert Proposal.objects.get(pk=proposal.pk).is_key


@pytest.mark.django_db
def test_a_stale_etag_after_supervision_is_refused(cast):
    proposal = proposal_at(cast, P.FILED)
    services.proposal_mark_key(actor=cast.staff, proposal=proposal, leader="张三")
    stale = etag_of(cast.staff, proposal_url(proposal))
    assert post(cast.staff, proposal_url(proposal) + "supervise/", {"note": "督办一次"}).status_code == 200
    before = unchanged(proposal)

    response = post(cast.staff, proposal_url(proposal) + "supervise/", {"note": "督办两次"}, HTTP_IF_MATCH=stale)

    assert_refused_as_concurrent(response)
    assert unchanged(proposal) == before
    assert SupervisionLog.objects.filter(proposal=proposal).count() == 1


@pytest.mark.django_db
def test_a_stale_etag_after_a_contact_is_refused_on_the_assignment_and_on_its_proposal(cast):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    stale_assignment = etag_of(cast.staff, assignment_url(lead))
    stale_proposal = etag_of(cast.staff, proposal_url(lead.proposal))
    response = post(cast.liaison, "/api/contacts/", {"assignment": lead.pk, "stage": "before", "form": "phone",
                                                     "date": "2024-03-06", "note": "电话沟通"})
    assert response.status_code == 201, response.content
    before = unchanged(lead.proposal, lead)

    extend = post(cast.staff, assignment_url(lead) + "extend/", {"new_due_on": "2024-07-01", "reason": "需协调"},
                  HTTP_IF_MATCH=stale_assignment)
    mark_key = post(cast.staff, proposal_url(lead.proposal) + "mark-key/", {"leader": "张三"},
                    HTTP_IF_MATCH=stale_proposal)

    assert_refused_as_concurrent(extend)
    assert_refused_as_concurrent(mark_key)
    assert unchanged(lead.proposal, lead) == before
    assert ContactLog.objects.filter(assignment=lead).count() == 1


@pytest.mark.django_db
def test_a_stale_etag_after_an_invitation_is_refused(cast):
    draft = proposal_at(cast, P.DRAFT)
    stale = etag_of(cast.staff, proposal_url(draft))
    response = post(cast.staff, proposal_url(draft) + "invite/", {"invite": [cast.other_proposer.pk]})
    assert response.status_code == 200, response.content
    before = unchanged(draft)

    response = post(cast.staff, proposal_url(draft) + "submit/", HTTP_IF_MATCH=stale)

    assert_refused_as_concurrent(response)
    assert unchanged(draft) == before


@pytest.mark.django_db
def test_answering_an_invitation_honours_if_match(cast):
    draft = proposal_at(cast, P.DRAFT)
    cosigning.cosign_invite(actor=cast.staff, proposal=draft, invitees=[cast.other_proposer])
    stale = etag_of(cast.other_proposer_user, proposal_url(draft))
    services.proposal_update(actor=cast.staff, proposal=draft, title="关于改善城区公共交通的提案")
    before = unchanged(draft)

    response = post(cast.other_proposer_user, proposal_url(draft) + "accept-invitation/", HTTP_IF_MATCH=stale)

    assert_refused_as_concurrent(response)
    assert unchanged(draft) == before
    current = etag_of(cast.other_proposer_user, proposal_url(draft))
    response = post(cast.other_proposer_user, proposal_url(draft) + "accept-invitation/", HTTP_IF_MATCH=current)
    assert response.status_code == 200, response.content
    assert response["ETag"] != current


@pytest.mark.django_db
@pytest.mark.parametrize("decision,data", [("approve", {}), ("refuse", {"note": "理由不充分"})])
def test_deciding_an_extension_request_honours_if_match(cast, decision, data):
    lead = assignment_at(cast, A.ACKNOWLEDGED)
    request = services.extension_request(actor=cast.liaison, assignment=lead, wanted_due_on=datetime.date(2024, 8, 1),
                                         reason="需协调多个部门", on=datetime.date(2024, 5, 20))
    url = f"/api/extension-requests/{request.pk}/"
    stale = etag_of(cast.staff, url)
    services.contact_record(actor=cast.liaison, assignment=lead, stage="during", form="meeting",
                            date=datetime.date(2024, 5, 21), note="当面沟通")
    before = unchanged(lead.proposal, lead)

    response = post(cast.staff, url + f"{decision}/", data, HTTP_IF_MATCH=stale)

    assert_refused_as_concurrent(response)
    assert unchanged(lead.proposal, lead) == before
    assert ExtensionRequest.objects.get(pk=request.pk).status == ExtensionRequest.Status.PENDING
    response = post(cast.staff, url + f"{decision}/", data, HTTP_IF_MATCH=etag_of(cast.staff, url))
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_the_etag_names_the_object_and_its_version(cast):
    proposal = proposal_at(cast, P.FILED)
    response = client_for(cast.staff).get(proposal_url(proposal))
    version = Proposal.objects.get(pk=proposal.pk).version
    assert response["ETag"] == f'"proposal-{proposal.pk}-v{version}"'
    # An ETag of one object is never taken for another's, even at the same version number.
    other = proposal_at(cast, P.FILED)
    Proposal.objects.filter(pk=other.pk).update(version=version)
    refused = post(cast.staff, proposal_url(other) + "mark-key/", HTTP_IF_MATCH=response["ETag"])
    assert_refused_as_concurrent(refused)
    # "*", a list that names the current version, and a weakened copy (as a compressing proxy
    # sends it back) all let the step run.
    assert post(cast.staff, proposal_url(proposal) + "mark-key/", HTTP_IF_MATCH="*").status_code == 200
    current = etag_of(cast.staff, proposal_url(proposal))
    assert post(cast.staff, proposal_url(proposal) + "supervise/", {"note": "督办"},
                HTTP_IF_MATCH=f'"proposal-0-v1", {current}').status_code == 200
    current = etag_of(cast.staff, proposal_url(proposal))
    assert post(cast.staff, proposal_url(proposal) + "supervise/", {"note": "再督办"},
                HTTP_IF_MATCH=f"W/{current}").status_code == 200


# --- (c) the ETag changes after every step --------------------------------------------------------------

@pytest.mark.django_db
def test_every_step_gives_the_proposal_and_what_it_touches_a_new_etag(cast):
    staff, liaison = cast.staff, cast.liaison
    seen = []

    def step(user, path, data=None, status=200, watch=None):
        """Run one API step with the current ETag of the proposal (and of ``watch``) and check that
        the step's response and a fresh read both carry a new one."""
        watched = [proposal_url(proposal)] + ([watch] if watch else [])
        before = {url: etag_of(staff, url) for url in watched}
        target = path.rsplit("/", 2)[0] + "/"
        headers = {"HTTP_IF_MATCH": before[target]} if target in before else {}
        response = post(user, path, data, **headers)
        assert response.status_code == status, (path, response.content)
        after = {url: etag_of(staff, url) for url in watched}
        for url in watched:
            assert after[url] != before[url], f"{path} left the ETag of {url} as it was"
            assert after[url] not in seen
            seen.append(after[url])
        if target in after and response.status_code == 200:
            assert response["ETag"] == after[target]
        return response

    proposal = proposal_at(cast, P.DRAFT)
    step(staff, proposal_url(proposal) + "invite/", {"invite": [cast.other_proposer.pk]})
    step(cast.other_proposer_user, proposal_url(proposal) + "accept-invitation/")
    step(staff, proposal_url(proposal) + "submit/")
    step(staff, proposal_url(proposal) + "file/")
    step(staff, proposal_url(proposal) + "mark-key/", {"leader": "张三"})
    step(staff, proposal_url(proposal) + "supervise/", {"note": "督办"})
    step(staff, proposal_url(proposal) + "assign/", {"lead": cast.agency.pk, "assigned_on": "2024-03-04"})
    lead = lead_assignment(proposal)
    step(liaison, assignment_url(lead) + "acknowledge/", watch=assignment_url(lead))
    step(liaison, "/api/contacts/", {"assignment": lead.pk, "stage": "before", "form": "phone",
                                     "date": "2024-03-06"}, status=201, watch=assignment_url(lead))
    step(staff, assignment_url(lead) + "extend/", {"new_due_on": "2024-07-01", "reason": "需协调"},
         watch=assignment_url(lead))
    step(staff, assignment_url(lead) + "correct/", {"recompute_deadline": True, "reason": "规则更正"},
         watch=assignment_url(lead))
    drafted = step(liaison, "/api/replies/", {"assignment": lead.pk, "title": "答复", "body": "经研究……",
                                              "classification": "A", "disclosure": "public"},
                   status=201, watch=assignment_url(lead))
    reply_url = f"/api/replies/{drafted.json()['id']}/"
    step(liaison, reply_url + "submit/", watch=reply_url)
    step(staff, reply_url + "correct/", {"doc_number": "交办〔2024〕1号", "reason": "文号录错"},
         watch=reply_url)
    step(staff, reply_url + "publish/", watch=reply_url)
    assert Reply.objects.get(pk=drafted.json()["id"]).status == Reply.Status.PUBLISHED
