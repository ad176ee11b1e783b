"""The to-do counts of the admin home, per role (issue 11): each count only for the roles it applies
to, each equal to the rows of the admin list its link opens, all of them in one query."""
from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from notifications.todo import todo_counts
from proposals import services
from proposals.models import Assignment, Proposal
from proposals.selectors import today
from replies import services as reply_services
from tests.factories import admin_cast, lead_assignment, proposal_at, reply_drafted

pytestmark = pytest.mark.django_db
S = Proposal.Status
A = Assignment.Status


def assigned_today(cast, agency):
    proposal = proposal_at(cast, S.FILED)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=agency, assigned_on=today())
    return lead_assignment(proposal)


@pytest.fixture
def cast(db):
    """Something in every count, and beside it what must not be counted:

    - an overdue proposal (assigned in 2024) with a co-handler: lead and co to acknowledge, both overdue;
    - an acknowledged assignment due in 3 days, with a pending extension request;
    - an objection to decide; a reply submitted today, to publish and to rate;
    - another agency's acknowledged assignment; a draft the member is invited to co-sign, and one
      whose invitation it declined."""
    cast = admin_cast()
    proposal_at(cast, S.ASSIGNED, co=True)
    acknowledged = assigned_today(cast, cast.agency)
    services.assignment_acknowledge(actor=cast.liaison, assignment=acknowledged)
    Assignment.objects.filter(pk=acknowledged.pk).update(due_on=today() + datetime.timedelta(days=3))
    services.extension_request(actor=cast.liaison, assignment=Assignment.objects.get(pk=acknowledged.pk),
                               wanted_due_on=today() + datetime.timedelta(days=60), reason="需协调多个部门")
    objected = assigned_today(cast, cast.agency)
    services.assignment_object(actor=cast.liaison, assignment=objected, reason="不属于本单位职责")
    replied = assigned_today(cast, cast.agency)
    services.assignment_acknowledge(actor=cast.liaison, assignment=replied)
    reply_services.reply_submit(actor=cast.liaison, reply=reply_drafted(cast, replied, actor=cast.liaison))
    theirs = assigned_today(cast, cast.other_agency)
    services.assignment_acknowledge(actor=cast.other_liaison, assignment=theirs)
    services.proposal_create(actor=cast.other_proposer_user, session=cast.session, title="关于建设社区食堂的提案",
                             invite=[cast.proposer], body="建议……")
    declined = services.proposal_create(actor=cast.other_proposer_user, session=cast.session,
                                        title="关于增设公交线路的提案", invite=[cast.proposer], body="建议……")
    services.cosign_decline(actor=cast.proposer_user, proposal=declined)
    return cast


EXPECTED = {
    "staff": {"to_publish": 1, "objections": 1, "overdue": 2, "extension_requests": 1},
    "liaison": {"to_acknowledge": 1, "to_reply": 1, "due_soon": 1, "overdue": 1},
    "co_liaison": {"to_acknowledge": 1, "to_reply": 0, "due_soon": 0, "overdue": 1},
    "other_liaison": {"to_acknowledge": 0, "to_reply": 1, "due_soon": 0, "overdue": 0},
    "proposer": {"to_rate": 1, "invitations": 1},
    "other_proposer": {"to_rate": 0, "invitations": 0},
    "plain": {},
}


def fresh(user):
    """The user as a new request has it: roles not read yet."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_gets_its_own_counts(cast, role):
    assert {t.key: t.count for t in todo_counts(fresh(cast.actor(role)))} == EXPECTED[role]


@pytest.mark.parametrize("role", ["staff", "liaison", "co_liaison", "other_liaison", "proposer"])
def test_each_count_equals_the_rows_of_the_list_its_link_opens(client, cast, role):
    user = cast.actor(role)
    client.force_login(user)
    for todo in todo_counts(fresh(user)):
        response = client.get(todo.url)
        assert response.status_code == 200, todo.url
        changelist = response.context["cl"]
        assert changelist.result_count == todo.count, (role, todo.key, todo.url)


def test_a_liaisons_links_name_its_agency_the_list_alone_would_show_the_co_handlers_too(client, cast):
    [overdue] = [t for t in todo_counts(fresh(cast.liaison)) if t.key == "overdue"]
    assert f"agency__id__in={cast.agency.pk}" in overdue.url
    client.force_login(cast.liaison)
    unnamed = client.get(reverse("admin:proposals_assignment_changelist"), {"overdue": "yes"})
    assert unnamed.context["cl"].result_count == 2 and overdue.count == 1


def test_the_members_filter_shows_the_proposals_counted(client, cast):
    client.force_login(cast.proposer_user)
    url = reverse("admin:proposals_proposal_changelist")
    to_rate = [p.title for p in client.get(url, {"todo": "to_rate"}).context["cl"].result_list]
    invited = [p.title for p in client.get(url, {"todo": "invited"}).context["cl"].result_list]
    assert to_rate == ["关于改善城区交通的提案"] and invited == ["关于建设社区食堂的提案"]
    reply = lead_assignment(Proposal.objects.get(pk=client.get(url, {"todo": "to_rate"}).context["cl"]
                                                 .result_list[0].pk)).replies.get()
    reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating="satisfied")
    assert client.get(url, {"todo": "to_rate"}).context["cl"].result_count == 0
    assert {t.key: t.count for t in todo_counts(fresh(cast.proposer_user))}["to_rate"] == 0


def test_the_counts_take_one_query_after_the_roles_whatever_the_data(cast, django_assert_num_queries):
    for role in ("staff", "liaison", "proposer"):
        user = fresh(cast.actor(role))
        with django_assert_num_queries(2):  # the user's roles (proposals.roles), then every count
            todo_counts(user)
    for _ in range(3):
        proposal_at(cast, S.ASSIGNED)
    staff, plain = fresh(cast.staff), fresh(cast.plain)
    with django_assert_num_queries(2):
        assert {t.key: t.count for t in todo_counts(staff)}["overdue"] == 5
    with django_assert_num_queries(1):  # the roles, and nothing to count
        assert todo_counts(plain) == []


def test_the_home_page_shows_the_counts_as_links(client, cast):
    client.force_login(cast.liaison)
    response = client.get(reverse("admin:index"))
    html = response.content.decode()
    todo = {t.key: t for t in response.context["dash"]["todo"]}
    assert set(todo) == set(EXPECTED["liaison"])
    assert 'id="dashboard-todo"' in html and "待签收" in html and "即将到期" in html
    assert todo["to_acknowledge"].url.replace("&", "&amp;") in html
    client.force_login(cast.plain)
    html = client.get(reverse("admin:index")).content.decode()
    assert 'id="dashboard-todo"' not in html


def test_the_counts_and_the_members_filter_are_registered_once():
    from django.apps import apps

    from notifications.todo import TodoFilter
    from proposals.extensions import registry

    apps.get_app_config("notifications").ready()
    assert registry.dashboard_todo.count(todo_counts) == 1
    assert registry.proposal_list_filters.count(TodoFilter) == 1


def test_the_members_filter_is_offered_to_members_only(client, cast):
    url = reverse("admin:proposals_proposal_changelist")
    for user, offered in ((cast.proposer_user, True), (cast.staff, False), (cast.liaison, False)):
        client.force_login(user)
        specs = client.get(url).context["cl"].filter_specs
        assert any(getattr(spec, "parameter_name", None) == "todo" for spec in specs) is offered
