"""Delivery to a real SMTP server on loopback (aiosmtpd): the right recipients, a UTF-8 Chinese
subject and body, the server's answer kept; a failing server leaves the notice pending with
the error and a later attempt time, and a later run sends it once; quiet hours and the daily
digest; `manage.py send_notifications` and its exit status."""
from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from notifications.delivery import backoff, deliver_due, release_time
from notifications.models import Notification, NotificationPreference
from proposals.models import CalendarDay, Proposal
from tests.factories import proposal_at

pytestmark = pytest.mark.django_db
K = Notification.Kind
S = Notification.Status


def filed(cast):
    """A filed proposal's notice to the proposer, the one e-mail pending (the second staff
    member's of its submission is dropped)."""
    proposal = proposal_at(cast, Proposal.Status.FILED)
    row = Notification.objects.get(kind=K.PROPOSAL_FILED, channel="email", proposal=proposal)
    Notification.objects.filter(channel="email").exclude(pk=row.pk).delete()
    return row


def later(minutes=0, **kwargs):
    return timezone.now() + datetime.timedelta(minutes=minutes, **kwargs)


def test_mail_reaches_the_smtp_server_with_its_recipient_and_a_chinese_subject_and_body(world, smtp):
    row = filed(world)
    summary = deliver_due()
    assert (summary.sent, summary.mails, summary.failed) == (1, 1, 0)
    [mail] = smtp.received
    assert mail.recipients == [world.proposer_user.email] and mail.sender == "tracker@example.org"
    assert mail.subject == row.subject and mail.subject.startswith("【已立案】")
    assert "您提出的" in mail.body and "经审查已立案" in mail.body
    assert mail.message.get_content_charset() == "utf-8" and mail.notification_ids == [row.pk]
    headers = mail.raw.split(b"\r\n\r\n")[0].decode("ascii")  # headers in ASCII: the subject encoded
    assert "Subject: \r\n =?utf-8?b?" in headers and f"To: {world.proposer_user.email}" in headers
    row.refresh_from_db()
    assert row.status == S.SENT and row.sent_at is not None and row.attempts == 1
    assert row.channel_answer.startswith("250 2.0.0 Ok: queued") and row.claim_token == ""
    assert deliver_due().sent == 0 and len(smtp.received) == 1  # nothing twice


def test_a_failing_server_leaves_the_notice_pending_with_the_error_and_a_later_run_sends_it_once(world, smtp):
    row = filed(world)
    smtp.handler.answer = "451 4.3.0 Try again later"
    summary = deliver_due()
    assert (summary.sent, summary.retrying, summary.failed) == (0, 1, 0)
    row.refresh_from_db()
    assert row.status == S.PENDING and row.attempts == 1
    assert row.last_error.startswith("451") and "Try again later" in row.last_error
    assert row.next_attempt_at > timezone.now() + backoff(1) - datetime.timedelta(seconds=5)
    smtp.handler.answer = "250 OK"
    assert deliver_due().sent == 0  # not due yet
    assert deliver_due(now=later(minutes=2)).sent == 1
    assert deliver_due(now=later(minutes=60)).sent == 0
    assert [m.notification_ids for m in smtp.received] == [[row.pk]]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.SENT, 2)


def test_a_stopped_server_is_a_failure_to_retry_and_ends_the_run(world, smtp):
    row = filed(world)
    proposal_at(world, Proposal.Status.FILED)
    proposal_at(world, Proposal.Status.FILED)
    smtp.controller.stop()
    summary = deliver_due()
    row.refresh_from_db()
    assert summary.retrying == 1 and row.status == S.PENDING and "Connection refused" in row.last_error
    # The others were not tried against a server that is down: no attempt counted, all waiting.
    others = Notification.objects.filter(channel="email").exclude(pk=row.pk)
    assert summary.deferred == others.count() > 0
    assert set(others.values_list("status", "attempts", "claim_token")) == {(S.PENDING, 0, "")}
    assert all(o.next_attempt_at > timezone.now() for o in others)


def test_after_the_last_attempt_the_notice_fails_for_good_and_the_command_says_so(world, smtp, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    row = filed(world)
    smtp.handler.answer = "451 busy"
    for hours in (0, 1, 2):
        deliver_due(now=later(hours=hours))
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.FAILED, 3) and row.needs_attention
    Notification.objects.filter(pk=row.pk).update(status=S.PENDING, attempts=2, next_attempt_at=timezone.now())
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 条通知发送失败"):
        call_command("send_notifications", stdout=out, stderr=err)
    assert "失败 1 条" in out.getvalue() and row.address in err.getvalue()


def test_a_permanent_refusal_fails_at_once(world, smtp):
    row = filed(world)
    smtp.handler.answer = "550 5.1.1 No such user"
    assert deliver_due().failed == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.FAILED, 1) and row.channel_answer.startswith("550")


def test_the_command_prints_a_summary_and_exits_zero(world, smtp):
    filed(world)
    out = io.StringIO()
    call_command("send_notifications", stdout=out)
    assert "发送 1 条(1 封)" in out.getvalue() and "失败 0 条" in out.getvalue()


def test_the_loop_runs_passes_until_stopped(world, smtp, monkeypatch):
    from notifications.management.commands import send_notifications

    filed(world)

    def stop(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(send_notifications.time, "sleep", stop)
    # Between passes the worker drops a stale connection; here that would be the test's own.
    monkeypatch.setattr(send_notifications, "close_old_connections", lambda: None)
    out = io.StringIO()
    call_command("send_notifications", "--loop", "--interval", "1", stdout=out)
    assert len(smtp.received) == 1 and "已停止" in out.getvalue()


def test_an_account_deactivated_before_sending_gets_nothing(world, smtp):
    row = filed(world)
    world.proposer_user.is_active = False
    world.proposer_user.save(update_fields=["is_active"])
    assert deliver_due().skipped == 1
    row.refresh_from_db()
    assert row.status == S.SKIPPED and smtp.received == []


def test_a_deleted_account_takes_its_notices_with_it(world, smtp):
    filed(world)
    world.proposer_user.delete()
    assert deliver_due().sent == 0 and smtp.received == []


def test_the_daily_digest_collects_a_persons_mails_into_one(world, smtp):
    NotificationPreference.objects.create(user=world.staff2, daily_digest=True)
    proposal_at(world, Proposal.Status.FILED)
    proposal_at(world, Proposal.Status.FILED)
    rows = Notification.objects.filter(recipient=world.staff2, channel="email")
    assert rows.count() == 2 and all(r.digest for r in rows)
    Notification.objects.filter(channel="email").exclude(recipient=world.staff2).delete()
    assert deliver_due().sent == 0  # not before the digest time
    summary = deliver_due(now=later(hours=25))
    assert (summary.sent, summary.mails) == (2, 1)
    [mail] = [m for m in smtp.received if m.recipients == [world.staff2.email]]
    assert mail.subject == "【政协提案办理系统】今日通知 2 条"
    assert mail.body.count("【新提交】") == 2 and sorted(mail.notification_ids) == sorted(r.pk for r in rows)
    assert set(rows.values_list("status", flat=True)) == {S.SENT}


def test_quiet_hours_hold_mail_until_they_end_on_a_working_day(world, smtp):
    preference = NotificationPreference.objects.create(user=world.proposer_user, quiet_start=datetime.time(18),
                                                       quiet_end=datetime.time(8, 30))
    tz = timezone.get_current_timezone()

    def at(*args):
        return datetime.datetime(*args, tzinfo=tz)

    assert CalendarDay.objects.filter(date__in=[datetime.date(2024, 9, 16), datetime.date(2024, 9, 29)]).count() == 2
    assert release_time(preference, at(2024, 9, 18, 9, 0)) is None  # a Wednesday, working hours
    assert release_time(preference, at(2024, 9, 18, 7, 0)) == at(2024, 9, 18, 8, 30)
    assert release_time(preference, at(2024, 9, 18, 22, 0)) == at(2024, 9, 19, 8, 30)
    # Friday evening: the Saturday and Sunday pass, the holidays (Mid-Autumn, 15–17 September) too.
    assert release_time(preference, at(2024, 9, 13, 19, 0)) == at(2024, 9, 14, 8, 30)  # a make-up working Saturday
    assert release_time(preference, at(2024, 9, 14, 19, 0)) == at(2024, 9, 18, 8, 30)
    assert release_time(preference, at(2024, 9, 27, 19, 0)) == at(2024, 9, 29, 8, 30)  # a make-up working Sunday
    lunch = NotificationPreference(quiet_start=datetime.time(12), quiet_end=datetime.time(13))
    assert release_time(lunch, at(2024, 9, 18, 12, 15)) == at(2024, 9, 18, 13, 0)
    assert release_time(lunch, at(2024, 9, 18, 13, 0)) is None
    assert release_time(NotificationPreference(), at(2024, 9, 14, 19, 0)) is None  # no quiet hours: no hold


def test_a_held_mail_waits_and_goes_when_the_quiet_hours_end(world, smtp):
    now = timezone.localtime()
    start = (now - datetime.timedelta(minutes=1)).time()
    end = (now + datetime.timedelta(hours=1)).time()
    NotificationPreference.objects.create(user=world.proposer_user, quiet_start=start, quiet_end=end)
    row = filed(world)
    assert deliver_due().held == 1
    row.refresh_from_db()
    assert row.status == S.PENDING and row.next_attempt_at > timezone.now() and row.attempts == 0
    NotificationPreference.objects.filter(user=world.proposer_user).update(quiet_start=None, quiet_end=None)
    assert deliver_due(now=row.next_attempt_at).sent == 1 and len(smtp.received) == 1


def test_kinds_a_person_does_not_want_by_email_stay_in_the_inbox(world):
    NotificationPreference.objects.create(user=world.proposer_user, email_kinds=[K.REPLY_PUBLISHED])
    proposal_at(world, Proposal.Status.FILED)
    assert Notification.objects.filter(recipient=world.proposer_user, kind=K.PROPOSAL_FILED).values_list(
        "channel", flat=True).get() == "inbox"


def test_a_user_without_an_address_gets_the_inbox_only(world):
    world.proposer_user.email = ""
    world.proposer_user.save(update_fields=["email"])
    proposal_at(world, Proposal.Status.FILED)
    assert list(Notification.objects.filter(recipient=world.proposer_user).values_list("channel", "status")) == [
        ("inbox", "sent")]


def test_the_file_backend_writes_what_would_have_been_sent(world, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    row = filed(world)
    assert deliver_due().sent == 1
    written = "".join(path.read_text() for path in tmp_path.iterdir())
    assert f"To: {row.address}" in written
    row.refresh_from_db()
    assert row.channel_answer == "filebased: accepted"
