"""notify() as the reminder and escalation runs will call it: a dedupe key makes a second run
write nothing; the inbox is read by its own recipient only."""
from __future__ import annotations

import pytest

from notifications import services
from notifications.models import Notification
from notifications.recipients import Person, Target, agency_liaisons

pytestmark = pytest.mark.django_db
K = Notification.Kind


def remind(cast, key="reminder:reply:1:2024-05-20"):
    targets = [agency_liaisons(cast.agency), Target(addressee="无人单位")]
    return services.notify(kind=K.REMINDER_BEFORE, targets=targets, dedupe_key=key,
                           context=lambda t: {"proposal": "第1号提案", "deadline_label": "答复期限",
                                              "due_on": "2024-06-04", "due_explanation": "…",
                                              "working_days_left": 10})


def test_a_dedupe_key_makes_a_second_run_write_nothing(world):
    first = remind(world)
    assert sorted((n.channel, n.status) for n in first) == [("email", "pending"), ("email", "undeliverable"),
                                                            ("inbox", "sent")]
    again = remind(world)
    assert sorted(n.pk for n in again) == sorted(n.pk for n in first)
    assert Notification.objects.count() == 3
    remind(world, key="reminder:reply:1:2024-06-01")
    assert Notification.objects.count() == 6
    notice = Notification.objects.filter(channel="inbox").first()
    assert "还有 10 个工作日" in notice.body and notice.subject == "【即将到期】第1号提案"


def test_an_address_without_an_account_gets_mail_only(world):
    [row] = services.notify(kind=K.KEY_PROGRESS, targets=[Target("王主席", [Person(address="wang@example.org")])],
                            context=lambda t: {"proposal": "第1号提案", "progress": "已办结"})
    assert (row.channel, row.recipient, row.address, row.status) == ("email", None, "wang@example.org", "pending")


def test_the_inbox_is_read_by_its_recipient_only(world):
    remind(world)
    notice = Notification.objects.get(channel="inbox")
    assert not services.notification_mark_read(user=world.other_liaison, notification=notice)
    assert services.notification_mark_read(user=world.liaison, notification=notice)
    first = Notification.objects.get(pk=notice.pk).read_at
    assert first is not None
    assert not services.notification_mark_read(user=world.liaison, notification=notice)
    assert Notification.objects.get(pk=notice.pk).read_at == first
    remind(world, key="other")
    assert services.notifications_mark_all_read(user=world.liaison) == 1
