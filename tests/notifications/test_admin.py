"""What staff see: notices nobody could receive or whose delivery gave up, on the dashboard and in
the list; the committees' templates (validated, reset by deleting); failed mails sent again."""
from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import MessageTemplate, Notification
from proposals.models import Proposal
from tests.factories import admin_cast, proposal_at, quick_staff_user

pytestmark = pytest.mark.django_db
K = Notification.Kind


@pytest.fixture
def cast(db):
    cast = admin_cast()
    cast.staff2 = quick_staff_user(f"second{cast.staff.username}")
    return cast


def dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {s.key: s for s in response.context["dash"]["sections"]}, response.content.decode()


def test_undeliverable_notices_are_flagged_on_the_staff_dashboard(client, cast):
    found, _html = dashboard(client, cast.staff)
    assert "undeliverable" not in found  # nothing to look at, no section
    cast.agency.liaisons.clear()
    proposal = proposal_at(cast, Proposal.Status.ASSIGNED)
    found, html = dashboard(client, cast.staff)
    section = found["undeliverable"]
    assert section.total == 1 and section.tone == "danger"
    assert "无法送达的通知" in html and str(proposal) in html and cast.agency.name in html
    assert section.more_url == reverse("admin:notifications_notification_changelist") + "?attention=yes"
    found, _html = dashboard(client, cast.liaison)
    assert "undeliverable" not in found


def test_the_list_filters_what_needs_attention_and_is_staff_only(client, cast):
    cast.agency.liaisons.clear()
    proposal_at(cast, Proposal.Status.ASSIGNED)
    client.force_login(cast.staff)
    url = reverse("admin:notifications_notification_changelist")
    response = client.get(url, {"attention": "yes"})
    assert response.status_code == 200
    assert [n.kind for n in response.context["cl"].result_list] == [K.ASSIGNMENT_NEW]
    notice = response.context["cl"].result_list[0]
    assert client.get(reverse("admin:notifications_notification_change", args=[notice.pk])).status_code == 200
    client.force_login(cast.liaison)
    assert client.get(url).status_code == 403


def test_failed_mails_are_sent_again_on_request(client, cast):
    failed = Notification.objects.create(channel="email", kind=K.SUBMITTED, address="x@example.org", subject="s",
                                         body="b", status="failed", attempts=5, last_error="451 busy")
    client.force_login(cast.staff)
    response = client.post(reverse("admin:notifications_notification_changelist"),
                           {"action": "retry", "_selected_action": [failed.pk]}, follow=True)
    assert response.status_code == 200 and "1 封邮件将在下次发送时重试" in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0) and failed.next_attempt_at is not None


def test_a_template_is_checked_started_from_the_shipped_text_and_reset_by_deleting(client, cast):
    client.force_login(cast.staff)
    add = reverse("admin:notifications_messagetemplate_add")
    response = client.get(add, {"kind": K.URGE})
    assert response.status_code == 200 and "【催办】{{ proposal }}" in response.content.decode()
    response = client.post(add, {"committee": cast.session.committee.pk, "kind": K.URGE, "language": "",
                                 "subject": "{% if %}", "body": "x"})
    assert response.status_code == 200 and "模板有误" in response.content.decode()
    response = client.post(add, {"committee": cast.session.committee.pk, "kind": K.URGE, "language": "",
                                 "subject": "【催办通知】{{ proposal }}", "body": "{{ message }}"})
    assert response.status_code == 302
    row = MessageTemplate.objects.get()
    page = client.get(reverse("admin:notifications_messagetemplate_change", args=[row.pk])).content.decode()
    assert "系统默认文本" in page and "{{ days_overdue }}" in page
    client.post(reverse("admin:notifications_messagetemplate_changelist"),
                {"action": "reset", "_selected_action": [row.pk]}, follow=True)
    assert not MessageTemplate.objects.exists()


def test_preferences_keep_every_kind_as_none_and_a_choice_as_a_list(client, cast):
    from notifications.models import NotificationPreference

    client.force_login(cast.staff)
    add = reverse("admin:notifications_notificationpreference_add")
    data = {"user": cast.liaison.pk, "language": "zh-hans", "email_kinds": list(K.values), "daily_digest": "on"}
    assert client.post(add, data).status_code == 302
    assert NotificationPreference.objects.get(user=cast.liaison).email_kinds is None
    data = {"user": cast.co_liaison.pk, "language": "en", "email_kinds": [K.URGE, K.ASSIGNMENT_NEW],
            "quiet_start": "18:00"}
    response = client.post(add, data)
    assert response.status_code == 200 and "免打扰时段须同时填写" in response.content.decode()
    data["quiet_end"] = "08:30"
    assert client.post(add, data).status_code == 302
    assert NotificationPreference.objects.get(user=cast.co_liaison).email_kinds == sorted([K.URGE, K.ASSIGNMENT_NEW])
