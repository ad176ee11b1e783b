"""Writing many notices at once, in a constant number of queries: the reminder run's outbox.

notifications.services.notify writes the notices of one step (a few queries each: the
preferences, the committee's template, the rows). A reminder run writes thousands, so this module
does the same work for a batch of them: the people behind the targets (liaisons, staff,
supervising leaders, preferences) are read once per batch for what is not known yet, the
committees' templates once per run and compiled once each, and the rows are written by one
bulk INSERT (split only where the database limits the parameters of a statement).

The rows are the ones notify writes — an inbox row per account, an e-mail row per address that
wants the kind, one undeliverable row for a target nobody stands behind — with a dedupe key per
row (the notice's key, the channel, the person). Keys already present are left out before the
INSERT, and the unique index on Notification.dedupe_key settles a run that races another: the
second INSERT of a key writes nothing (ON CONFLICT DO NOTHING / INSERT OR IGNORE).
"""
from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.template import Context
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from notifications import templates
from notifications.channels import CHANNELS
from notifications.models import LeaderContact, MessageTemplate, Notification
from notifications.recipients import Person, Target, committee_staff, proposer_target
from notifications.services import default_language, digest_time, preferences_of, site_url
from proposals.models import Agency

logger = logging.getLogger(__name__)
N = Notification
# Ids per "IN (…)" list: within every backend's limit on a statement's parameters.
IN_CHUNK = 500


@dataclass
class Notice:
    """One message of ``kind`` to ``targets``, written at most once under ``key``. ``values(target)``
    gives the template's values in the active language (called once per target and language)."""

    kind: str
    key: str
    targets: list[Target]
    values: Callable[[Target], dict]
    committee_id: int | None = None
    proposal_id: int | None = None
    assignment_id: int | None = None
    link: str = ""


def row_key(key: str, channel: str, who) -> str:
    """The dedupe key of one row: the same form as notifications.services.notify's."""
    return f"{key}|{channel}|{who}"[:255]


def _staff_greeting(name: str) -> str:
    return _("%(committee)s提案委员会") % {"committee": name} if name else _("提案委员会")


_staff_addressee = lazy(_staff_greeting, str)


class Texts:
    """The committees' own templates of some kinds, read once, and every template compiled once;
    the same choice and fallback as notifications.templates.render."""

    def __init__(self, kinds: Iterable[str]):
        self.rows = list(MessageTemplate.objects.filter(kind__in=list(kinds)))
        self.compiled = {}

    def _template(self, source: str):
        if source not in self.compiled:
            self.compiled[source] = templates.ENGINE.from_string(source)
        return self.compiled[source]

    def _render(self, source: str, values: dict) -> str:
        return self._template(source).render(Context(values, autoescape=False))

    def override(self, kind: str, committee_id, language: str) -> MessageTemplate | None:
        rows = [r for r in self.rows if r.kind == kind and r.committee_id in (committee_id, None)
                and r.language in (language, "")]
        return min(rows, key=lambda r: (r.committee_id is None, r.language == ""), default=None)

    def render(self, kind: str, committee_id, language: str, values: dict) -> tuple[str, str]:
        with translation.override(language):
            row = self.override(kind, committee_id, language)
            if row is not None:
                try:
                    return templates.one_line(self._render(row.subject, values)), self._render(row.body, values).strip()
                except Exception:  # noqa: BLE001 - whatever a person wrote, the run goes on
                    logger.exception("Message template %s (%s) failed; the shipped text is used", row.pk, kind)
            subject, body = templates.shipped(kind)
            return templates.one_line(self._render(subject, values)), self._render(body, values).strip()


@dataclass
class People:
    """Who stands behind the targets, read in batches and kept for the run."""

    liaisons: dict[int, list[Person]] = field(default_factory=dict)
    leaders: dict[tuple[int, str], list[Person]] = field(default_factory=dict)
    preferences: dict[int, object] = field(default_factory=dict)
    staff: list[Person] | None = None

    def load_liaisons(self, agency_ids: Iterable[int]) -> None:
        """The active liaisons of the agencies not read yet, in one query."""
        missing = {pk for pk in agency_ids if pk not in self.liaisons}
        if not missing:
            return
        for pk in missing:
            self.liaisons[pk] = []
        ids = sorted(missing)
        for start in range(0, len(ids), IN_CHUNK):  # one query for a batch; the digest's agencies may be more
            links = (Agency.liaisons.through.objects.filter(agency_id__in=ids[start:start + IN_CHUNK],
                                                            user__is_active=True)
                     .select_related("user").order_by("user_id"))
            for link in links:
                self.liaisons[link.agency_id].append(Person(user=link.user, address=link.user.email or ""))

    def load_leaders(self, pairs: Iterable[tuple[int, str]]) -> None:
        """The contacts (LeaderContact) of the supervising leaders not read yet, in one query; a
        leader is reached as notifications.recipients.supervising_leader says."""
        missing = {pair for pair in pairs if pair not in self.leaders}
        if not missing:
            return
        for pair in missing:
            self.leaders[pair] = []
        contacts = LeaderContact.objects.filter(committee_id__in={c for c, _n in missing},
                                                name__in={n for _c, n in missing}).select_related("user")
        for contact in contacts:
            pair = (contact.committee_id, contact.name)
            if pair not in missing:
                continue
            if contact.user is not None and contact.user.is_active:
                self.leaders[pair] = [Person(user=contact.user, address=contact.user.email or contact.email)]
            elif contact.email:
                self.leaders[pair] = [Person(address=contact.email)]

    def load_preferences(self, targets: Iterable[Target]) -> None:
        missing = {p.user.pk for t in targets for p in t.people
                   if p.user is not None and p.user.pk not in self.preferences}
        ids = sorted(missing)
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start:start + IN_CHUNK]
            found = preferences_of(chunk)
            self.preferences.update({pk: found.get(pk) for pk in chunk})

    def agency(self, agency) -> Target:
        return Target(addressee=agency.name, people=self.liaisons.get(agency.pk, []), agency=agency)

    def committee_staff(self, committee) -> Target:
        """Staff of the committee: every holder of the staff permission (as
        notifications.recipients.committee_staff; read once for the run)."""
        if self.staff is None:
            self.staff = committee_staff().people
        return Target(addressee=_staff_addressee(committee.name), people=self.staff)

    def leader(self, proposal, committee_id: int) -> list[Target]:
        name = (proposal.supervising_leader or "").strip()
        if not (proposal.is_key and name):
            return []
        return [Target(addressee=name, people=self.leaders.get((committee_id, name), []))]

    def proposer(self, proposer) -> Target:
        return proposer_target(proposer)


def leader_pair(proposal, committee_id: int) -> tuple[int, str] | None:
    name = (proposal.supervising_leader or "").strip()
    return (committee_id, name) if proposal.is_key and name else None


class Outbox:
    """Rows of many notices, written together. ``written`` counts rows per kind, ``notices``
    the notices that wrote at least one row."""

    def __init__(self, people: People, texts: Texts, *, now: datetime.datetime | None = None):
        self.people = people
        self.texts = texts
        self.now = now
        self.email = CHANNELS[N.Channel.EMAIL]()
        self.written: dict[str, int] = {}
        self.notices: dict[str, int] = {}

    def rows(self, notice: Notice, now: datetime.datetime, skip: set[str]) -> list[Notification]:
        """The rows of ``notice`` whose keys are not in ``skip`` (which gets them): rendered only
        for those, once per target and language."""
        rendered = {}

        def text(index: int, target: Target, language: str) -> tuple[str, str]:
            if (index, language) not in rendered:
                with translation.override(language):
                    values = {"addressee": str(target.addressee), "url": site_url(notice.link), **notice.values(target)}
                rendered[index, language] = self.texts.render(notice.kind, notice.committee_id, language, values)
            return rendered[index, language]

        def fresh(key: str) -> bool:
            if key in skip:
                return False
            skip.add(key)
            return True

        common = {"kind": notice.kind, "committee_id": notice.committee_id, "proposal_id": notice.proposal_id,
                  "assignment_id": notice.assignment_id, "link": notice.link}
        rows = []
        for index, target in enumerate(notice.targets):
            agency_id = target.agency.pk if target.agency is not None else None
            with translation.override(default_language()):
                addressee = str(target.addressee)
            if not target.people:
                key = row_key(notice.key, "none", addressee)
                if fresh(key):
                    subject, body = text(index, target, default_language())
                    rows.append(N(**common, agency_id=agency_id, addressee=addressee, channel=N.Channel.EMAIL,
                                  language=default_language(), subject=subject, body=body,
                                  status=N.Status.UNDELIVERABLE, dedupe_key=key))
                continue
            for person in target.people:
                preference = self.people.preferences.get(person.user.pk) if person.user is not None else None
                language = preference.language if preference is not None else default_language()
                row = {**common, "agency_id": agency_id, "addressee": addressee, "language": language,
                       "recipient_id": person.user.pk if person.user is not None else None}
                if person.user is not None:
                    key = row_key(notice.key, N.Channel.INBOX, person.user.pk)
                    if fresh(key):
                        subject, body = text(index, target, language)
                        rows.append(N(**row, subject=subject, body=body, channel=N.Channel.INBOX,
                                      status=N.Status.SENT, sent_at=now, dedupe_key=key))
                address = self.email.address_of(person)
                if address and self.email.wants(preference, notice.kind):
                    key = row_key(notice.key, N.Channel.EMAIL, person.user.pk if person.user is not None else address)
                    if fresh(key):
                        subject, body = text(index, target, language)
                        digest = preference is not None and preference.daily_digest
                        rows.append(N(**row, subject=subject, body=body, channel=N.Channel.EMAIL, address=address,
                                      status=N.Status.PENDING, digest=digest,
                                      next_attempt_at=digest_time(now) if digest else now, dedupe_key=key))
        return rows

    def write(self, notices: list[Notice], existing: Callable[[], Iterable[str]]) -> int:
        """Write the rows of ``notices`` that are not there yet; ``existing()`` reads, in one
        query, the keys already written among those these notices may have (the caller knows
        how to find them cheaply). Returns how many rows were written."""
        if not notices:
            return 0
        now = self.now or timezone.now()
        self.people.load_preferences(t for n in notices for t in n.targets)
        skip = set(existing())  # and, as rows are made, their keys: a person in two targets is told once
        fresh = []
        for notice in notices:
            rows = self.rows(notice, now, skip)
            fresh.extend(rows)
            if rows:
                self.notices[notice.kind] = self.notices.get(notice.kind, 0) + 1
                self.written[notice.kind] = self.written.get(notice.kind, 0) + len(rows)
        if fresh:
            with transaction.atomic():
                N.objects.bulk_create(fresh, ignore_conflicts=True)
        return len(fresh)

