"""Every filter of /api/proposals/ (both halves of each id / readable-key pair), the q search
on Chinese text, ordering and paging."""
import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from proposals.models import Assignment, Proposal
from proposals.search import refresh_search_text
from replies.models import Reply
from tests.api_support import client_for, ids
from tests.factories import (
    AgencyAliasFactory,
    AgencyFactory,
    CommitteeFactory,
    ProposalFactory,
    ProposerFactory,
    SessionFactory,
    quick_staff_user,
)


class Corpus:
    pass


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """Four proposals in two committees and three sessions, built once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        c = Corpus()
        c.qujing = CommitteeFactory(name="曲靖市政协")
        c.chongqing = CommitteeFactory(name="重庆市政协")
        c.s1 = SessionFactory(committee=c.qujing, term=6, number=3)
        c.s2 = SessionFactory(committee=c.qujing, term=6, number=4)
        c.s3 = SessionFactory(committee=c.chongqing, term=5, number=3)
        c.edu = AgencyFactory(name="重庆市教育委员会")
        AgencyAliasFactory(agency=c.edu, name="市教委")
        c.finance = AgencyFactory(name="曲靖市财政局")
        AgencyAliasFactory(agency=c.finance, name="市财政局")
        c.civil = AgencyFactory(name="重庆市民政局")
        c.chen = ProposerFactory(committee=c.qujing, name="陈丽琴")
        c.party = ProposerFactory(committee=c.qujing, name="民进楚雄州委", kind="party")
        c.zhang = ProposerFactory(committee=c.chongqing, name="张三")
        c.p1 = ProposalFactory(session=c.s1, number="9", title="关于落实双减政策的提案", body="减轻学生作业负担",
                               status="assigned", proposers=[c.chen], is_key=True, topic="教育",
                               submitted_on=datetime.date(2024, 3, 1), next_due_on=datetime.date(2024, 6, 1))
        c.p2 = ProposalFactory(session=c.s1, number="10", title="關於加強教育投入的提案", body="增加教育經費",
                               status="replied", proposers=[c.party, c.chen], topic="教育",
                               submitted_on=datetime.date(2024, 3, 5))
        c.p3 = ProposalFactory(session=c.s2, number="0325", title="关于城市交通的提案", body="建设 Smart City",
                               status="submitted", proposers=[c.party], topic="交通",
                               submitted_on=datetime.date(2024, 4, 10))
        c.p4 = ProposalFactory(session=c.s3, number="2025D048", title="关于养老服务的提案", body="社区养老",
                               status="assigned", proposers=[c.zhang], topic="民生",
                               submitted_on=datetime.date(2024, 5, 1), next_due_on=datetime.date(2999, 1, 1))
        day = datetime.date(2024, 3, 4)

        def assign(proposal, agency, role, status="acknowledged"):
            return Assignment.objects.create(proposal=proposal, agency=agency, role=role, status=status,
                                             assigned_on=day, due_on=day)

        lead1 = assign(c.p1, c.edu, "lead")
        assign(c.p1, c.finance, "co")
        sep2 = assign(c.p2, c.finance, "separate", "replied")
        assign(c.p4, c.civil, "lead")
        assign(c.p4, c.edu, "lead", "reassigned")  # an earlier lead, reassigned away
        Reply.objects.create(assignment=lead1, status="submitted", classification="A", body="x")
        Reply.objects.create(assignment=sep2, status="submitted", classification="B", body="x")
        refresh_search_text(Proposal.objects.values_list("pk", flat=True))
        for n, p in enumerate([c.p3, c.p1, c.p4, c.p2]):  # last change: p3 oldest … p2 newest
            Proposal.objects.filter(pk=p.pk).update(updated_at=timezone.now() + datetime.timedelta(minutes=n))
        c.staff = quick_staff_user("filterstaff")
        yield c
        transaction.set_rollback(True)


def found(corpus, **params):
    return set(ids(client_for(corpus.staff).get("/api/proposals/", {"page_size": 100, **params})))


def names(corpus, *keys):
    return {getattr(corpus, k).pk for k in keys}


FILTERS = [
    ({"status": "assigned"}, ["p1", "p4"]),
    ({"status": "assigned,replied"}, ["p1", "p2", "p4"]),
    ({"status": ["assigned", "submitted"]}, ["p1", "p3", "p4"]),
    ({"committee_id": "{qujing}"}, ["p1", "p2", "p3"]),
    ({"committee": "曲靖市政协"}, ["p1", "p2", "p3"]),
    ({"committee": "曲靖市政协,重庆市政协"}, ["p1", "p2", "p3", "p4"]),
    ({"session_id": "{s1}"}, ["p1", "p2"]),
    ({"session": "曲靖市政协/6/3"}, ["p1", "p2"]),
    ({"session": "重庆市政协/5/3"}, ["p4"]),
    ({"agency_id": "{edu}"}, ["p1"]),  # p4's reassigned lead does not count
    ({"agency": "重庆市教育委员会"}, ["p1"]),
    ({"agency": "市教委"}, ["p1"]),
    ({"agency": "市财政局"}, ["p1", "p2"]),
    ({"agency": "市财政局", "role": "co"}, ["p1"]),
    ({"agency_id": "{finance}", "role": "separate"}, ["p2"]),
    ({"agency_id": "{finance}", "role": "lead"}, []),
    ({"role": "lead"}, ["p1", "p4"]),
    ({"proposer_id": "{chen}"}, ["p1", "p2"]),
    ({"proposer": "陈丽琴"}, ["p1", "p2"]),
    ({"proposer": "民进楚雄州委"}, ["p2", "p3"]),
    ({"is_key": "true"}, ["p1"]),
    ({"is_key": "false"}, ["p2", "p3", "p4"]),
    ({"overdue": "true"}, ["p1"]),
    ({"overdue": "false"}, ["p2", "p3", "p4"]),
    ({"due_before": "2024-12-31"}, ["p1"]),
    ({"due_after": "2025-01-01"}, ["p4"]),
    ({"submitted_after": "2024-03-02", "submitted_before": "2024-04-30"}, ["p2", "p3"]),
    ({"classification": "A"}, ["p1"]),
    ({"classification": "A,B"}, ["p1", "p2"]),
    ({"topic": "教育"}, ["p1", "p2"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("params,expected", FILTERS, ids=[str(p) for p, _ in FILTERS])
def test_filter(corpus, params, expected):
    params = {k: v.format(**{n: getattr(corpus, n).pk for n in ("qujing", "s1", "edu", "finance", "chen")})
              if isinstance(v, str) else v for k, v in params.items()}
    assert found(corpus, **params) == names(corpus, *expected)


SEARCHES = [
    ("双减", ["p1"]),  # a 2-character word
    ("雙減", ["p1"]),  # Traditional query, Simplified text
    ("教育", ["p1", "p2"]),  # p1 through its agency's name, p2 through its Traditional title
    ("教育投入", ["p2"]),
    ("教育 经费", ["p2"]),  # every term must match
    ("陈丽琴", ["p1", "p2"]),  # proposer
    ("市教委", ["p1"]),  # agency alias
    ("第10号", ["p2"]),
    ("0325", ["p3"]),
    ("SMART", ["p3"]),  # case does not matter
    ("养", ["p4"]),  # one character still works
    ("双减 交通", []),
    ("", ["p1", "p2", "p3", "p4"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("query,expected", SEARCHES, ids=[q or "empty" for q, _ in SEARCHES])
def test_q_search(corpus, query, expected):
    assert found(corpus, q=query) == names(corpus, *expected)


BAD = [
    ({"committee": "不存在的政协"}, "committee"),
    ({"committee_id": "999999"}, "committee_id"),
    ({"session": "曲靖市政协-6-3"}, "session"),
    ({"session": "曲靖市政协/9/9"}, "session"),
    ({"agency": "不存在的单位"}, "agency"),
    ({"status": "lost"}, "status"),
    ({"role": "boss"}, "role"),
    ({"due_before": "明天"}, "due_before"),
    ({"ordering": "title"}, "ordering"),
    ({"proposer_id": "abc"}, "proposer_id"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("params,field", BAD, ids=[f for _, f in BAD])
def test_bad_filter_values_are_a_400_with_the_field(corpus, params, field):
    response = client_for(corpus.staff).get("/api/proposals/", params)
    assert response.status_code == 400
    assert field in response.json() and response.json()[field][0]


ORDERINGS = [
    ({"ordering": "number"}, ["p1", "p2", "p3", "p4"]),  # 9 < 10 < 0325 < 2025D048
    ({"ordering": "-number"}, ["p4", "p3", "p2", "p1"]),
    ({"ordering": "number", "session": "曲靖市政协/6/3"}, ["p1", "p2"]),  # 第9号 before 第10号
    ({"ordering": "submitted_on"}, ["p1", "p2", "p3", "p4"]),
    ({"ordering": "-submitted_on"}, ["p4", "p3", "p2", "p1"]),
    ({"ordering": "next_due_on", "due_after": "2000-01-01"}, ["p1", "p4"]),
    ({"ordering": "-next_due_on", "due_after": "2000-01-01"}, ["p4", "p1"]),
    ({"ordering": "updated_at"}, ["p3", "p1", "p4", "p2"]),
    ({"ordering": "-updated_at"}, ["p2", "p4", "p1", "p3"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("params,expected", ORDERINGS, ids=[str(p) for p, _ in ORDERINGS])
def test_ordering(corpus, params, expected):
    listed = ids(client_for(corpus.staff).get("/api/proposals/", params))
    assert listed == [getattr(corpus, k).pk for k in expected]


@pytest.mark.django_db
def test_default_order_is_latest_session_then_natural_number(corpus):
    listed = ids(client_for(corpus.staff).get("/api/proposals/"))
    assert listed == [corpus.p4.pk, corpus.p3.pk, corpus.p1.pk, corpus.p2.pk]


@pytest.mark.django_db
def test_page_number_pagination_has_a_count(corpus):
    body = client_for(corpus.staff).get("/api/proposals/", {"page_size": 3}).json()
    assert body["count"] == 4 and len(body["results"]) == 3 and "page=2" in body["next"]
    assert client_for(corpus.staff).get("/api/proposals/", {"page_size": 3, "page": 9}).status_code == 404


@pytest.mark.django_db
def test_cursor_pagination_walks_every_row_once(corpus):
    client = client_for(corpus.staff)
    page = client.get("/api/proposals/", {"pagination": "cursor", "page_size": 3}).json()
    assert "count" not in page
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert seen == sorted(names(corpus, "p1", "p2", "p3", "p4"))
    garbage = client.get("/api/proposals/", {"cursor": "garbage"})  # a 400 naming the cursor (issue 9)
    assert garbage.status_code == 400 and list(garbage.json()) == ["cursor"]
