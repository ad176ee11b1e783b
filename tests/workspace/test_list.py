"""我的提案: each proposal's standing in a plain sentence and its next date, the filters (the one
ProposalFilterSet), paging, a constant number of queries, Chinese by default and English."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import services
from proposals.models import Proposal
from proposals.selectors import today
from tests.factories import SessionFactory, WORKFLOW_ASSIGNED_ON, proposal_at
from tests.workspace.conftest import assigned_recently, draft_of, replied_today
from workspace.progress import progress

pytestmark = pytest.mark.django_db
P = Proposal.Status
LIST = "/my/"


def listed(client, **params) -> str:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response.content.decode()


def fresh(proposal):
    """As the list reads it: assignments with agencies, pending invitations, merged_into."""
    from workspace.views import _pending_invitations

    return (Proposal.objects.select_related("merged_into").prefetch_related("assignments__agency",
                                                                            _pending_invitations())
            .get(pk=proposal.pk))


@pytest.mark.parametrize("status, words", [
    (P.SUBMITTED, "已于 2024-03-01 提交,等待提案委员会审查"),
    (P.FILED, "立案,等待交办"),
    (P.NOT_FILED, "不予立案:不属于提案范围"),
    (P.CONVERTED, "已转为意见建议:转为社情民意"),
    (P.WITHDRAWN, "已撤案"),
    (P.CLOSED, "已于 2024-05-07 办结"),
])
def test_each_status_reads_as_a_sentence(cast, status, words):
    proposal = proposal_at(cast, status)
    if status == P.SUBMITTED:
        Proposal.objects.filter(pk=proposal.pk).update(submitted_on=datetime.date(2024, 3, 1))
    assert words in progress(fresh(proposal)).text


def test_a_merged_proposal_names_the_one_that_answers_it(cast):
    merged = proposal_at(cast, P.MERGED)
    assert progress(fresh(merged)).text == f"已并入第{merged.merged_into.number}号提案办理"


def test_an_assigned_proposal_names_its_agencies_and_deadline(cast):
    proposal = assigned_recently(cast, co=True)
    due = proposal.next_due_on
    shown = progress(fresh(proposal))
    assert shown.text == f"已交由{cast.agency.name}主办,{cast.co_agency.name}会办,答复期限 {due.isoformat()}"
    assert shown.due_on == due and shown.days_overdue == 0


def test_an_overdue_proposal_says_by_how_many_days(cast):
    proposal = proposal_at(cast, P.ASSIGNED)
    late = (today() - proposal.next_due_on).days
    shown = progress(fresh(proposal))
    assert shown.text.endswith(f",已逾期 {late} 天") and shown.days_overdue == late
    assert proposal.assignments.get(role="lead").assigned_on == WORKFLOW_ASSIGNED_ON


def test_a_replied_proposal_asks_for_the_rating_until_given(cast, member):
    proposal, reply = replied_today(cast)
    text = listed(member)
    assert f"{cast.agency.name}已于 {today().isoformat()} 答复,请于 {reply.feedback_due_on.isoformat()} 前评价" in text


def test_a_draft_counts_the_invitations_waiting(cast, member):
    draft = draft_of(cast)
    (invitation,) = services.cosign_invite(actor=cast.proposer_user, proposal=draft, invitees=[cast.other_proposer])
    text = listed(member)
    assert f"草稿,等待 1 位委员确认联名,最迟 {invitation.due_on.isoformat()}" in text
    services.cosign_decline(actor=cast.other_proposer_user, proposal=draft)
    assert "草稿,尚未提交" in listed(member)


def test_the_list_holds_only_what_the_member_signs(cast, member):
    mine = draft_of(cast, title="我的草稿")
    theirs = services.proposal_create(actor=cast.other_proposer_user, session=cast.session, title="别人的草稿")
    public = proposal_at(cast, P.SUBMITTED)
    Proposal.objects.filter(pk=public.pk).update(answered_publicly=True)
    Proposal.objects.filter(pk=public.pk).update(title="别人公开戊")
    from proposals.models import ProposalProposer
    ProposalProposer.objects.filter(proposal=public).update(proposer=cast.other_proposer)
    text = listed(member)
    assert mine.title in text and theirs.title not in text and "别人公开戊" not in text


def test_filter_by_status_session_and_overdue(cast, member):
    draft = draft_of(cast, title="草稿甲")
    late = proposal_at(cast, P.ASSIGNED)
    Proposal.objects.filter(pk=late.pk).update(title="逾期乙")
    on_time = assigned_recently(cast)
    Proposal.objects.filter(pk=on_time.pk).update(title="按期丙")
    later_session = SessionFactory(committee=cast.session.committee, term=7, number=1)
    other = services.proposal_create(actor=cast.proposer_user, session=later_session, title="下届丁")

    text = listed(member, status="draft")
    assert "草稿甲" in text and "下届丁" in text and "逾期乙" not in text
    text = listed(member, session_id=later_session.pk)
    assert "下届丁" in text and "草稿甲" not in text
    text = listed(member, overdue="true")
    assert "逾期乙" in text and "按期丙" not in text and "草稿甲" not in text
    text = listed(member, status="assigned", overdue="false")
    assert "按期丙" in text and "逾期乙" not in text
    assert draft.pk and other.pk


@pytest.mark.parametrize("params", [{"status": "nonsense"}, {"session_id": "999999"}, {"session_id": "x"}])
def test_a_bad_filter_is_explained_not_a_500(cast, member, params):
    draft_of(cast, title="草稿甲")
    text = listed(member, **params)
    assert 'class="ws-errors"' in text and "草稿甲" in text


def test_the_filter_form_is_labelled_and_offers_the_committees_sessions(cast, member):
    elsewhere = SessionFactory()
    text = listed(member)
    for name in ("status", "session_id", "overdue"):
        assert f'<label for="id_{name}">' in text
    assert cast.session.label in text and f'value="{elsewhere.pk}"' not in text


def test_paging_keeps_the_filters(cast, member):
    for n in range(23):
        draft_of(cast, title=f"草稿{n:02d}")
    first = listed(member, status="draft")
    assert first.count('class="card ws-proposal"') == 20
    assert "page=2" in first and "status=draft&amp;page=2" in first
    second = listed(member, status="draft", page=2)
    assert second.count('class="card ws-proposal"') == 3


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _more_of_everything(cast):
    draft = draft_of(cast)
    services.cosign_invite(actor=cast.proposer_user, proposal=draft, invitees=[cast.other_proposer])
    replied_today(cast, co=True)
    assigned_recently(cast)
    proposal_at(cast, P.MERGED)
    proposal_at(cast, P.CLOSED)


def test_the_list_costs_the_same_queries_whatever_it_holds(cast, member):
    _more_of_everything(cast)
    few = _queries(member, LIST)
    for _ in range(3):
        _more_of_everything(cast)
    assert _queries(member, LIST) == few
    assert few <= 15


def test_the_proposal_page_costs_the_same_queries_whatever_it_holds(cast, member):
    small, _reply = replied_today(cast)
    big, reply = replied_today(cast, co=True, proposers=[cast.proposer, cast.other_proposer])
    for stage in ("before", "during"):
        services.contact_record(actor=cast.liaison, assignment=reply.assignment, stage=stage, form="phone",
                                date=today())
    assert _queries(member, reverse("workspace:proposal", args=[big.pk])) == _queries(
        member, reverse("workspace:proposal", args=[small.pk]))


def test_the_invitations_page_costs_the_same_queries_whatever_it_holds(cast, other_member):
    def invite(n):
        for _ in range(n):
            draft = draft_of(cast)
            services.cosign_invite(actor=cast.proposer_user, proposal=draft, invitees=[cast.other_proposer])

    invite(1)
    few = _queries(other_member, reverse("workspace:invitations"))
    invite(4)
    assert _queries(other_member, reverse("workspace:invitations")) == few


def test_chinese_by_default_and_english_on_request(cast, member):
    draft_of(cast)
    chinese = member.get(LIST).content.decode()
    assert 'lang="zh-Hans"' in chinese and ">草稿<" in chinese
    english = member.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in english and ">Draft<" in english
