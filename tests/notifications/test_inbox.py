"""The in-app inbox in the admin (issue 11): a bell with the unread count on every admin page, the
page of one's own notices (unread first, paged, by read state and kind), opening one marks it
read and goes on to its page, "mark all read"; and each user's own settings page, whose choices
change what the next event sends."""
from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Notification, NotificationPreference
from notifications.views import PER_PAGE
from proposals import services
from proposals.models import Proposal
from tests.factories import admin_cast, lead_assignment, proposal_at

pytestmark = pytest.mark.django_db
K = Notification.Kind
INBOX = "admin:notifications_inbox"


@pytest.fixture
def cast(db):
    cast = admin_cast()
    for user in (cast.staff, cast.liaison, cast.co_liaison, cast.proposer_user):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return cast


def notice(user, kind=K.URGE, *, link="", read=False, subject="【催办】第1号提案") -> Notification:
    """An inbox row as notifications.services.notify writes it (sent on writing)."""
    from django.utils import timezone

    return Notification.objects.create(recipient=user, channel=Notification.Channel.INBOX, kind=kind,
                                       status=Notification.Status.SENT, subject=subject, body="正文……", link=link,
                                       read_at=timezone.now() if read else None)


def page(client, user, name=INBOX, **params):
    client.force_login(user)
    response = client.get(reverse(name), params)
    return response, response.content.decode()


def listed(response) -> list[int]:
    return [n.pk for n in response.context["page"].object_list]


# --- the bell --------------------------------------------------------------------------------

def test_the_bell_shows_the_unread_count_on_every_admin_page(client, cast):
    proposal_at(cast, Proposal.Status.ASSIGNED)  # the liaison is told of the new assignment
    notice(cast.liaison, read=True)
    notice(cast.staff)  # somebody else's
    client.force_login(cast.liaison)
    for url in (reverse("admin:index"), reverse("admin:proposals_assignment_changelist"), reverse(INBOX),
                reverse("admin:notifications_preferences")):
        html = client.get(url).content.decode()
        assert 'class="tracker-bell has-unread"' in html, url
        assert '<span class="tracker-bell-count" id="tracker-unread-count">1</span>' in html, url
        assert f'href="{reverse(INBOX)}"' in html
    Notification.objects.filter(recipient=cast.liaison).update(read_at="2024-06-01T08:00:00Z")
    html = client.get(reverse("admin:index")).content.decode()
    assert "tracker-bell-count" not in html and 'class="tracker-bell"' in html


def test_the_bell_is_not_on_the_login_page_and_uses_no_inline_script(client, cast):
    html = client.get(reverse("admin:login")).content.decode()
    assert "tracker-bell" not in html
    _response, html = page(client, cast.liaison, "admin:index")
    bell = html[html.index('class="tracker-bell'):]
    bell = bell[:bell.index("</a>")]
    assert "<script" not in bell and "onclick" not in bell


# --- the list --------------------------------------------------------------------------------

def test_the_inbox_lists_own_notices_unread_first_then_newest(client, cast):
    old_unread = notice(cast.liaison, K.ASSIGNMENT_NEW)
    read = notice(cast.liaison, K.URGE, read=True)
    new_unread = notice(cast.liaison, K.URGE)
    notice(cast.co_liaison)
    Notification.objects.create(recipient=cast.liaison, channel=Notification.Channel.EMAIL, kind=K.URGE,
                                address="x@example.org", subject="mail", body="mail")
    response, html = page(client, cast.liaison)
    assert response.status_code == 200
    assert listed(response) == [new_unread.pk, old_unread.pk, read.pk]
    assert response.context["unread"] == 2
    assert reverse("admin:notifications_inbox_open", args=[new_unread.pk]) in html
    assert "新交办" in html and "催办" in html  # the kinds' labels
    assert reverse("admin:notifications_preferences") in html


@pytest.mark.parametrize(("params", "expected"), [
    ({"unread": "true"}, ["urge_unread", "new_unread"]),
    ({"unread": "false"}, ["urge_read"]),
    ({"kind": K.URGE}, ["urge_unread", "urge_read"]),
    ({"kind": K.URGE, "unread": "true"}, ["urge_unread"]),
    ({"kind": f"{K.URGE},{K.ASSIGNMENT_NEW}"}, ["urge_unread", "new_unread", "urge_read"]),
])
def test_the_inbox_filters_by_read_state_and_kind(client, cast, params, expected):
    rows = {"new_unread": notice(cast.liaison, K.ASSIGNMENT_NEW), "urge_read": notice(cast.liaison, read=True),
            "urge_unread": notice(cast.liaison)}
    response, _html = page(client, cast.liaison, **params)
    assert listed(response) == [rows[name].pk for name in expected]


def test_a_kind_that_does_not_exist_is_a_400_naming_the_filter(client, cast):
    notice(cast.liaison)
    response, html = page(client, cast.liaison, kind="nonsense")
    assert response.status_code == 400 and "kind" in html and listed(response) == []


def test_the_inbox_is_paged_and_costs_the_same_queries_for_a_few_or_many(client, cast, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notice(cast.liaison)
    client.force_login(cast.liaison)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(INBOX))
    for _ in range(PER_PAGE + 4):
        notice(cast.liaison)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(INBOX))
    assert len(listed(response)) == PER_PAGE and response.context["page"].paginator.num_pages == 2
    second = client.get(reverse(INBOX), {"page": 2, "unread": "true"})
    assert len(listed(second)) == 5
    assert "unread=true&amp;page=1" in second.content.decode()  # paging keeps the filter


# --- opening one, marking all ----------------------------------------------------------------

def test_opening_a_notice_marks_it_read_and_goes_to_its_page(client, cast):
    proposal = proposal_at(cast, Proposal.Status.ASSIGNED)
    row = Notification.objects.get(recipient=cast.liaison, channel="inbox", kind=K.ASSIGNMENT_NEW)
    assert row.link == reverse("admin:proposals_proposal_change", args=[proposal.pk])
    client.force_login(cast.liaison)
    response = client.get(reverse("admin:notifications_inbox_open", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == row.link
    row.refresh_from_db()
    first = row.read_at
    assert first is not None
    assert client.get(response["Location"]).status_code == 200  # the page it speaks of opens for its reader
    client.get(reverse("admin:notifications_inbox_open", args=[row.pk]))
    row.refresh_from_db()
    assert row.read_at == first  # the first reading is kept


def test_a_notice_without_a_page_or_with_a_foreign_one_opens_in_the_inbox(client, cast):
    plain = notice(cast.liaison)
    foreign = notice(cast.liaison, link="https://evil.example/phish")
    client.force_login(cast.liaison)
    for row in (plain, foreign):
        response = client.get(reverse("admin:notifications_inbox_open", args=[row.pk]))
        assert response["Location"] == f"{reverse(INBOX)}#notice-{row.pk}"
    assert not Notification.objects.filter(recipient=cast.liaison, read_at__isnull=True).exists()


def test_nobody_opens_another_users_notice(client, cast):
    theirs = notice(cast.co_liaison)
    client.force_login(cast.liaison)
    assert client.get(reverse("admin:notifications_inbox_open", args=[theirs.pk])).status_code == 404
    client.force_login(cast.staff)  # staff too: the inbox is one's own (the notification admin is for delivery)
    assert client.get(reverse("admin:notifications_inbox_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_ones_own_only(client, cast):
    mine = [notice(cast.liaison), notice(cast.liaison, K.ASSIGNMENT_NEW)]
    theirs = notice(cast.co_liaison)
    client.force_login(cast.liaison)
    url = reverse("admin:notifications_inbox_read_all")
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.status_code == 200 and "已将 2 条通知标为已读" in response.content.decode()
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert response.context["unread"] == 0


@pytest.mark.parametrize("role", ["staff", "liaison", "proposer"])
def test_every_admin_user_has_an_inbox_and_settings(client, cast, role):
    for name in (INBOX, "admin:notifications_preferences"):
        response, _html = page(client, cast.actor(role), name)
        assert response.status_code == 200


def test_the_pages_need_a_login_to_the_admin(client, cast):
    for name in (INBOX, "admin:notifications_preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
        client.force_login(cast.plain)  # signed in, but not a user of the admin
        assert client.get(reverse(name)).status_code == 302
        client.logout()


# --- the settings page -----------------------------------------------------------------------

def test_the_settings_page_shows_the_kinds_as_checkboxes_with_chinese_labels(client, cast):
    response, html = page(client, cast.liaison, "admin:notifications_preferences")
    assert 'type="checkbox" name="email_kinds" value="urge"' in html
    assert "催办" in html and "交办与办理(承办单位)" in html and "提醒与督促" in html
    assert 'type="time"' in html
    assert html.count('name="email_kinds"') == len(K.values)
    assert not NotificationPreference.objects.exists()  # looking saves nothing


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"quiet_start": "18:00"}, "quiet_end", "免打扰时段须同时填写开始和结束时间"),
    ({"quiet_end": "08:30"}, "quiet_start", "免打扰时段须同时填写开始和结束时间"),
    ({"quiet_start": "18:00", "quiet_end": "18:00"}, "quiet_end", "免打扰的开始和结束时间不能相同"),
    ({"quiet_start": "25:00", "quiet_end": "08:00"}, "quiet_start", None),
    ({"language": "fr"}, "language", None),
    ({"email_kinds": ["nonsense"]}, "email_kinds", None),
])
def test_the_settings_are_checked(client, cast, data, field, message):
    client.force_login(cast.liaison)
    response = client.post(reverse("admin:notifications_preferences"), {"language": "zh-hans", **data})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert not NotificationPreference.objects.exists()


def test_saved_settings_are_ones_own_and_every_kind_ticked_means_every_kind(client, cast):
    client.force_login(cast.liaison)
    url = reverse("admin:notifications_preferences")
    response = client.post(url, {"language": "en", "email_kinds": [K.ASSIGNMENT_NEW, K.URGE], "daily_digest": "on",
                                 "quiet_start": "18:00", "quiet_end": "08:30"}, follow=True)
    assert response.status_code == 200 and "通知设置已保存" in response.content.decode()
    saved = NotificationPreference.objects.get()
    assert saved.user == cast.liaison and saved.language == "en" and saved.daily_digest
    assert saved.email_kinds == sorted([K.ASSIGNMENT_NEW, K.URGE])
    assert (f"{saved.quiet_start:%H:%M}", f"{saved.quiet_end:%H:%M}") == ("18:00", "08:30")
    client.post(url, {"language": "zh-hans", "email_kinds": list(K.values)})
    saved.refresh_from_db()
    assert saved.email_kinds is None and not saved.daily_digest and saved.quiet_start is None
    assert NotificationPreference.objects.count() == 1
    html = client.get(url).content.decode()
    assert html.count("checked") >= len(K.values)  # None shows every kind ticked


def test_a_kind_left_out_sends_no_mail_of_it_on_the_next_event_and_still_reaches_the_inbox(client, cast):
    client.force_login(cast.liaison)
    wanted = [kind for kind in K.values if kind != K.URGE]
    assert client.post(reverse("admin:notifications_preferences"),
                       {"language": "zh-hans", "email_kinds": wanted}).status_code == 302
    assignment = lead_assignment(proposal_at(cast, Proposal.Status.ASSIGNED))
    services.assignment_urge(actor=cast.staff, assignment=assignment, message="请加快办理")
    mine = Notification.objects.filter(recipient=cast.liaison)
    assert mine.filter(kind=K.URGE, channel="inbox").count() == 1
    assert not mine.filter(kind=K.URGE, channel="email").exists()
    assert mine.filter(kind=K.ASSIGNMENT_NEW, channel="email").count() == 1  # the kinds still wanted
