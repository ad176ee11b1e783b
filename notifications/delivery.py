"""Sending what is due (``manage.py send_notifications``): each pending e-mail row whose
``next_attempt_at`` has come is claimed by one runner, sent, and marked with the outcome.

Claiming. A runner takes a batch in one short transaction: on PostgreSQL it selects the due rows
FOR UPDATE SKIP LOCKED (a second runner passes over them instead of waiting), on SQLite the
transaction is IMMEDIATE and so holds the database's write lock (settings); either way it then
stamps them, with a conditional UPDATE, with its claim token and a lease (``next_attempt_at``
moved LEASE ahead), and commits. No lock is held while mail is sent. Before each message the
runner makes sure it still holds the row for at least half a lease, renewing it with a
conditional UPDATE on its token when less is left, and records the outcome the same way: a row
is sent only by the runner that holds it, so two runs at once never send one twice.
A runner killed between the server's acceptance and the commit of "sent" leaves the row to be
sent again after the lease: at least once, never twice by two live runners.

Outcome. Sent: the time and the server's answer. Failed: pending again, with the error and an
exponential back-off (NOTIFICATION_RETRY_SECONDS × 2^(attempts−1), at most a day); a server
that cannot be reached ends the run, the rows not yet tried waiting as long as a first retry; after
NOTIFICATION_MAX_ATTEMPTS (default 5), or at once when the server refuses for good (5xx),
``failed``, which staff see on their dashboard. An account deactivated meanwhile: ``skipped``.

Preferences. A daily-digest row waits for the digest time (notifications.services.digest_time)
and goes out with the person's other due digest rows in one mail. A person with quiet hours gets
no mail during them nor on rest days: the row waits for the end of the quiet hours on the next
working day (holidays and make-up working days from the tracker's calendar).
"""
from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from notifications import templates
from notifications.channels import CHANNELS, DeliveryError, Outgoing
from notifications.models import Notification, NotificationPreference
from notifications.services import default_language
from proposals.selectors import work_calendar

N = Notification
S = Notification.Status
LEASE = datetime.timedelta(minutes=10)
BATCH = 50
MAX_BACKOFF = datetime.timedelta(days=1)


@dataclass
class DeliverySummary:
    sent: int = 0  # rows sent (a digest counts each row it carried)
    mails: int = 0  # messages handed to the server
    retrying: int = 0  # failed this time, tried again later
    deferred: int = 0  # not tried: the server was unreachable; tried again later, no attempt counted
    failed: int = 0  # gave up in this run
    skipped: int = 0
    held: int = 0  # postponed for quiet hours
    failures: list[str] = field(default_factory=list)


def max_attempts() -> int:
    return getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", 5)


def backoff(attempts: int) -> datetime.timedelta:
    base = getattr(settings, "NOTIFICATION_RETRY_SECONDS", 60)
    return min(datetime.timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


# --- quiet hours ---------------------------------------------------------------------------------

def _quiet(t: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    if start < end:
        return start <= t < end
    return t >= start or t < end  # across midnight


def release_time(preference: NotificationPreference | None, now: datetime.datetime,
                 calendar=None) -> datetime.datetime | None:
    """When a mail to this person may go: None for now, else the first moment on a working day
    outside the quiet hours. Only a person with quiet hours has working-day hours at all."""
    if preference is None or not preference.has_quiet_hours:
        return None
    local = timezone.localtime(now)
    start, end = preference.quiet_start, preference.quiet_end
    calendar = calendar or work_calendar(local.date(), local.date() + datetime.timedelta(days=40))
    for offset in range(40):
        day = local.date() + datetime.timedelta(days=offset)
        if not calendar.is_working_day(day):
            continue
        t = local.time() if offset == 0 else datetime.time(0, 0)
        if not _quiet(t, start, end):
            return None if offset == 0 else timezone.make_aware(datetime.datetime.combine(day, t))
        if start < end or t < end:  # the quiet hours end later that day
            return timezone.make_aware(datetime.datetime.combine(day, end))
    return None  # no working day in sight (a calendar error): better sent than held for ever


# --- claiming --------------------------------------------------------------------------------------

def due_rows(now: datetime.datetime):
    return N.objects.filter(status=S.PENDING, channel=N.Channel.EMAIL, next_attempt_at__lte=now)


def claim(queryset, now: datetime.datetime, token: str, limit: int,
          lease_until: datetime.datetime) -> list[Notification]:
    """Take up to ``limit`` rows of ``queryset`` due at ``now`` for this runner, until
    ``lease_until`` (see the module's docstring)."""
    with transaction.atomic():
        candidates = queryset.order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        N.objects.filter(pk__in=ids, status=S.PENDING, next_attempt_at__lte=now).update(
            claim_token=token, next_attempt_at=lease_until)
    return list(N.objects.filter(pk__in=ids, claim_token=token, status=S.PENDING)
                .select_related("recipient").order_by("id"))


def _mine(rows, token):
    return N.objects.filter(pk__in=[r.pk for r in rows], claim_token=token, status=S.PENDING)


def renew(rows, token: str, lease_until: datetime.datetime) -> bool:
    """Still this runner's, for another lease."""
    return _mine(rows, token).update(next_attempt_at=lease_until) == len(rows)


# --- sending ---------------------------------------------------------------------------------------

class Runner:
    """One run. Its clock starts at ``now`` (a test may start it later than the present) and goes
    on with the present; rows are due when their time is at or before the start, so that a run
    ends: what it postpones (a retry, a lease, quiet hours) lies after it."""

    def __init__(self, now: datetime.datetime | None = None, batch: int = BATCH):
        self.now = now or timezone.now()
        self.batch = batch
        self.token = uuid.uuid4().hex
        self.summary = DeliverySummary()
        self.channel = CHANNELS[N.Channel.EMAIL]()
        self.calendar = work_calendar(timezone.localdate(self.now),
                                      timezone.localdate(self.now) + datetime.timedelta(days=40))
        self.unreachable = False  # set by the first failure to reach the server: the run stops
        self.lease_until = self.now  # of the batch in hand

    def clock(self) -> datetime.datetime:
        return max(self.now, timezone.now())

    def run(self) -> DeliverySummary:
        try:
            while not self.unreachable and self._single_batch():
                pass
            while not self.unreachable and self._digest_batch():
                pass
        finally:
            self.channel.close()
        return self.summary

    def _single_batch(self) -> bool:
        self.lease_until = self.clock() + LEASE
        rows = claim(due_rows(self.now).filter(digest=False), self.now, self.token, self.batch, self.lease_until)
        preferences = self._preferences(rows)
        for index, row in enumerate(rows):
            if self.unreachable:
                self._defer(rows[index:])
                break
            if self._held_or_skipped([row], preferences.get(row.recipient_id)):
                continue
            self._send([row], Outgoing(address=row.address, subject=row.subject, body=row.body, ids=[row.pk]))
        return bool(rows)

    def _digest_batch(self) -> bool:
        """One person's due digest rows at a time, all of them, into one mail."""
        first = due_rows(self.now).filter(digest=True).order_by("next_attempt_at", "id").values_list(
            "recipient_id", "address").first()
        if first is None:
            return False
        recipient_id, address = first
        self.lease_until = self.clock() + LEASE
        rows = claim(due_rows(self.now).filter(digest=True, recipient_id=recipient_id, address=address),
                     self.now, self.token, 1000, self.lease_until)
        if not rows:
            return True  # taken by another runner meanwhile: look for the next person
        preference = self._preferences(rows).get(recipient_id)
        if self._held_or_skipped(rows, preference):
            return True
        language = preference.language if preference is not None else default_language()
        items = [{"subject": r.subject, "body": r.body} for r in rows]
        subject, body = templates.render_digest(items, language)
        self._send(rows, Outgoing(address=address, subject=subject, body=body, ids=[r.pk for r in rows]))
        return True

    def _preferences(self, rows) -> dict[int, NotificationPreference]:
        ids = {r.recipient_id for r in rows if r.recipient_id}
        return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=ids)} if ids else {}

    def _held_or_skipped(self, rows, preference) -> bool:
        user = rows[0].recipient
        if user is not None and not user.is_active:
            _mine(rows, self.token).update(status=S.SKIPPED, claim_token="", channel_answer="inactive account")
            self.summary.skipped += len(rows)
            return True
        release = release_time(preference, self.clock(), self.calendar)
        if release is not None:
            _mine(rows, self.token).update(next_attempt_at=release, claim_token="")
            self.summary.held += len(rows)
            return True
        return False

    def _defer(self, rows) -> None:
        """Claimed rows this run will not try: free again when a first retry would be."""
        self.summary.deferred += _mine(rows, self.token).update(claim_token="",
                                                                next_attempt_at=self.clock() + backoff(1))

    def _held(self, rows) -> bool:
        """Whether this runner holds ``rows`` for at least half a lease more (one SMTP timeout is
        far less): as claimed, or renewed now. False: the lease ran out and another runner may
        hold them."""
        if self.clock() + LEASE / 2 < self.lease_until:
            return True
        return renew(rows, self.token, self.clock() + LEASE)

    def _send(self, rows, message: Outgoing) -> None:
        if not self._held(rows):
            return
        try:
            answer = self.channel.send(message)
        except DeliveryError as exc:
            self._failed(rows, str(exc), permanent=exc.permanent)
            self.unreachable = exc.unreachable
            return
        _mine(rows, self.token).update(status=S.SENT, sent_at=timezone.now(), channel_answer=answer[:2000],
                                       attempts=F("attempts") + 1, claim_token="", last_error="")
        self.summary.sent += len(rows)
        self.summary.mails += 1

    def _failed(self, rows, error: str, *, permanent: bool) -> None:
        now = self.clock()
        for row in rows:
            attempts = row.attempts + 1
            final = permanent or attempts >= max_attempts()
            fields = {"attempts": attempts, "last_error": error[:2000], "channel_answer": error[:2000],
                      "claim_token": ""}
            if final:
                fields.update(status=S.FAILED)
            else:
                fields.update(next_attempt_at=now + backoff(attempts))
            if _mine([row], self.token).update(**fields):
                if final:
                    self.summary.failed += 1
                    self.summary.failures.append(f"#{row.pk} {row.address}: {error}")
                else:
                    self.summary.retrying += 1


def deliver_due(*, now: datetime.datetime | None = None, batch: int = BATCH) -> DeliverySummary:
    """One delivery run over every e-mail row due at ``now`` (default: the present)."""
    return Runner(now=now, batch=batch).run()
