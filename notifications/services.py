"""Writing notices (the outbox and the inbox) and reading them as read.

``notify`` is what every producer calls — the event listener (notifications.events) inside the
step's transaction, the reminder and escalation runs with a ``dedupe_key``: for each target and
each person behind it, an inbox row (for an account) and an e-mail row (when the person has an
address and wants the kind by e-mail), each rendered in the person's language. A target nobody
stands behind gets one row marked undeliverable, which staff see on their dashboard; nothing
is dropped silently.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from notifications import templates
from notifications.channels import CHANNELS
from notifications.models import Notification, NotificationPreference
from notifications.recipients import Target

N = Notification
DEFAULT_LANGUAGE = "zh-hans"


def default_language() -> str:
    return settings.LANGUAGE_CODE or DEFAULT_LANGUAGE


def site_url(path: str) -> str:
    """The address a reader follows: NOTIFICATION_SITE_URL and the page's path."""
    if not path:
        return ""
    base = getattr(settings, "NOTIFICATION_SITE_URL", "").rstrip("/")
    return f"{base}{path}"


def preferences_of(user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return {}
    return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=ids)}


def digest_time(now: datetime.datetime) -> datetime.datetime:
    """The next daily digest (NOTIFICATION_DIGEST_TIME, local time, default 08:00) after ``now``."""
    hour, minute = (int(x) for x in getattr(settings, "NOTIFICATION_DIGEST_TIME", "08:00").split(":"))
    local = timezone.localtime(now)
    at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if at <= local:
        at += datetime.timedelta(days=1)
    return at


def _key(dedupe_key: str | None, channel: str, who) -> str | None:
    return f"{dedupe_key}|{channel}|{who}"[:255] if dedupe_key else None


def notify(*, kind: str, targets: Iterable[Target], context: Callable[[Target], dict], proposal=None,
           assignment=None, event=None, committee=None, link: str = "", exclude_user_ids: Iterable[int] = (),
           dedupe_key: str | None = None, now: datetime.datetime | None = None) -> list[Notification]:
    """Write the notices of ``kind`` to ``targets``. ``context(target)`` gives the template's
    values for one target; it is called in each reader's language (translation active), so that
    deadlines and labels read in it. ``exclude_user_ids``: who needs no telling (the actor).
    ``dedupe_key``: a notice that must exist once; writing it again writes nothing."""
    now = now or timezone.now()
    excluded = set(exclude_user_ids)
    targets = list(targets)
    committee_id = committee.pk if committee is not None else None
    preferences = preferences_of(p.user.pk for t in targets for p in t.people if p.user is not None)
    email = CHANNELS[N.Channel.EMAIL]()
    common = {"kind": kind, "committee_id": committee_id, "proposal": proposal, "assignment": assignment,
              "event": event, "link": link}
    rendered: dict[tuple[int, str], tuple[str, str]] = {}

    def text(index: int, target: Target, language: str) -> tuple[str, str]:
        if (index, language) not in rendered:
            with translation.override(language):
                values = {"addressee": str(target.addressee), "url": site_url(link), **context(target)}
            rendered[index, language] = templates.render(kind, committee_id=committee_id, language=language,
                                                         context=values)
        return rendered[index, language]

    rows = []
    for index, target in enumerate(targets):
        people = [p for p in target.people if p.user is None or p.user.pk not in excluded]
        if not target.people:
            language = default_language()
            subject, body = text(index, target, language)
            with translation.override(language):
                addressee = str(target.addressee)
            rows.append(N(**common, agency=target.agency, addressee=addressee, channel=N.Channel.EMAIL,
                          language=language, subject=subject, body=body, status=N.Status.UNDELIVERABLE,
                          dedupe_key=_key(dedupe_key, "none", addressee)))
            continue
        for person in people:
            preference = preferences.get(person.user.pk) if person.user is not None else None
            language = preference.language if preference is not None else default_language()
            subject, body = text(index, target, language)
            with translation.override(default_language()):
                addressee = str(target.addressee)
            row = {**common, "agency": target.agency, "addressee": addressee, "recipient": person.user,
                   "language": language, "subject": subject, "body": body}
            if person.user is not None:
                rows.append(N(**row, channel=N.Channel.INBOX, status=N.Status.SENT, sent_at=now,
                              dedupe_key=_key(dedupe_key, N.Channel.INBOX, person.user.pk)))
            address = email.address_of(person)
            if address and email.wants(preference, kind):
                digest = preference is not None and preference.daily_digest
                rows.append(N(**row, channel=N.Channel.EMAIL, address=address, status=N.Status.PENDING,
                              digest=digest, next_attempt_at=digest_time(now) if digest else now,
                              dedupe_key=_key(dedupe_key, N.Channel.EMAIL, person.user.pk if person.user else address)))
    if not rows:
        return []
    if dedupe_key:
        # A second run writes nothing; the rows it would have written are there already.
        N.objects.bulk_create(rows, ignore_conflicts=True)
        return list(N.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]))
    return N.objects.bulk_create(rows)


def notification_mark_read(*, user, notification: Notification, now: datetime.datetime | None = None) -> bool:
    """An inbox row is read by its recipient only; reading it again keeps the first time."""
    if notification.recipient_id != user.pk:
        return False
    now = now or timezone.now()
    changed = N.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(read_at=now)
    if changed:
        notification.read_at = now
    return bool(changed)


def notifications_mark_all_read(*, user, now: datetime.datetime | None = None) -> int:
    return N.objects.filter(recipient=user, channel=N.Channel.INBOX, read_at__isnull=True).update(
        read_at=now or timezone.now())


def notifications_retry(ids: Iterable[int], *, now: datetime.datetime | None = None) -> int:
    """Send failed e-mails again (staff, after the cause was fixed): back to pending, attempts
    counted afresh."""
    with transaction.atomic():
        return N.objects.filter(pk__in=list(ids), channel=N.Channel.EMAIL, status=N.Status.FAILED).update(
            status=N.Status.PENDING, attempts=0, next_attempt_at=now or timezone.now(), claim_token="")
