"""Writing many new documents at once: the same records as writer.write_document, inserted
with one INSERT per table for a whole batch instead of one per row.

Only documents that create new records take this path: a reference document, or a reply
whose proposal and identity are not in the database yet and that no earlier document of
the batch shares. The rest (corrected versions, proposals entered by staff, letters
without identity) go one by one through writer.write_document, after the batch, in order.
The bulk step runs in one savepoint: if it fails, nothing of it stays and every document
of the batch is written one by one instead, so that one bad document cannot take the
others with it.
"""
from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction

from proposals import deadlines
from proposals.models import Assignment, Event, Proposal, ProposalProposer
from proposals.naturalsort import natural_sort_key
from proposals.selectors import work_calendar
from replies import kept_figures
from replies.importing import values as V
from replies.importing import writer as W
from replies.importing.linking import ImportConflict
from replies.importing.matching import Matcher
from replies.importing.rows import insert_rows
from replies.models import ReferenceDocument, Reply, SourceDocument


@dataclass
class Doc:
    """One parsed file waiting to be written."""

    parsed: object
    file_name: str
    sha256: str
    result: W.WriteResult | None = None
    error: Exception | None = None
    warnings: list[str] = field(default_factory=list)
    layout: dict | None = None


def _proposal_key(parsed) -> tuple:
    return (parsed.committee, parsed.term, parsed.session_number, parsed.proposal_number)


def _split(docs: list[Doc]) -> tuple[list[Doc], list[Doc]]:
    """(documents that only create rows, documents that need the one-by-one path)."""
    identities = {W.identity_of(d.parsed) for d in docs} - {""}
    taken = set(SourceDocument.objects.filter(identity__in=identities).values_list("identity", flat=True))
    fast, slow, seen = [], [], set()
    for doc in docs:
        parsed = doc.parsed
        if parsed.kind != "reply":
            fast.append(doc)
            continue
        identity = W.identity_of(parsed)
        key = _proposal_key(parsed)
        if not identity or identity in taken or identity in seen or key in seen:
            slow.append(doc)
        else:
            seen.update((identity, key))
            fast.append(doc)
    return fast, slow


def _write_fast(docs: list[Doc], matcher: Matcher, now, calendars: Calendars) -> None:
    """The new rows of ``docs``, table by table. Raises if any of them cannot be written."""
    sources, references, replies_to_write = [], [], []
    for doc in docs:
        doc.warnings = list(doc.parsed.warnings)
        source = W.new_source(doc.parsed, file_name=doc.file_name, sha256=doc.sha256, now=now, layout=doc.layout)
        sources.append(source)
        if doc.parsed.kind != "reply":
            references.append((doc, source))
        else:
            replies_to_write.append((doc, source))

    if connection.features.can_return_rows_from_bulk_insert:
        wanted = []
        for doc, _ in replies_to_write:
            committee = matcher.committee(doc.parsed.committee)
            kinds = list(doc.parsed.proposer_kinds) + ["member"] * len(doc.parsed.proposers)
            wanted += [(committee, name, kind) for name, kind in zip(doc.parsed.proposers, kinds)]
        matcher.prefetch_proposers(wanted)
    plans = []
    for doc, source in replies_to_write:
        parsed = doc.parsed
        parties = W.match_parties(parsed, matcher, doc.warnings)
        proposal_vals = V.proposal_values(parsed, doc.warnings)
        if not proposal_vals["title"]:
            doc.warnings.append("proposal title not found in the letter")
        reply_vals = V.reply_values(parsed, doc.warnings)
        number = V.fit(Proposal, "number", parsed.proposal_number, doc.warnings)
        plans.append((doc, source, parties, proposal_vals, reply_vals, number))

    existing = set()
    if plans:
        existing = set(Proposal.objects.filter(
            session_id__in={p[2].session.pk for p in plans}, number__in={p[5] for p in plans},
        ).values_list("session_id", "number"))
    clashing = [p for p in plans if (p[2].session.pk, p[5]) in existing]
    if clashing:
        # Entered by staff meanwhile: those go the one-by-one way (linked to what exists).
        raise _Deferred([p[0] for p in clashing])

    proposals = [Proposal(session=parties.session, number=number, number_sort=natural_sort_key(number),
                          status=Proposal.Status.REPLIED,
                          search_text=matcher.search_text(number, proposal_vals["title"], parties), **proposal_vals)
                 for _, _, parties, proposal_vals, _, number in plans]
    insert_rows(Proposal, proposals)
    signatures, assignments, leads = [], [], []
    for (doc, _, parties, *_rest), proposal in zip(plans, proposals):
        signatures += [ProposalProposer(proposal=proposal, proposer=p, position=i)
                       for i, p in enumerate(parties.proposers)]
        lead = W.new_assignment(proposal, parties.lead, Assignment.Role.LEAD, doc.parsed, doc.warnings, now)
        leads.append(lead)
        assignments.append(lead)
        assignments += [W.new_assignment(proposal, a, Assignment.Role.CO, doc.parsed, doc.warnings, now)
                        for a in parties.co]
    insert_rows(ProposalProposer, signatures)
    insert_rows(Assignment, assignments)
    replies = [Reply(assignment=lead, kind=Reply.Kind.REPLY, round=1,
                     status=Reply.Status.PUBLISHED if W.published(plan[0].parsed) else Reply.Status.SUBMITTED,
                     **plan[4], **feedback_window(lead.proposal, W.letter_date(plan[0].parsed, now), calendars))
               for plan, lead in zip(plans, leads)]
    insert_rows(Reply, replies)

    for (doc, source, parties, proposal_vals, reply_vals, _), proposal, reply in zip(plans, proposals, replies):
        source.written_values = V.planned_values(proposal_vals, reply_vals, [p.name for p in parties.proposers],
                                                 [a.name for a in parties.co])
        source.proposal, source.reply = proposal, reply
    for doc, source in references + [(p[0], p[1]) for p in plans]:
        W.finish_source(source, doc.warnings)
    insert_rows(SourceDocument, sources)
    insert_rows(ReferenceDocument, [W.new_reference(doc.parsed, source, doc.warnings) for doc, source in references])
    events = [W.import_event(source, proposal, lead, reply, "created", [], [])
              for (_, source, *_rest), proposal, lead, reply in zip(plans, proposals, leads, replies)]
    insert_rows(Event, events)
    mark_answered_publicly(replies)
    kept_figures.refresh([p.pk for p in proposals])
    for doc, source in references:
        doc.result = W.WriteResult(source, "reference")
    for (doc, source, *_rest), event in zip(plans, events):
        doc.result = W.WriteResult(source, "created", event=event)


class Calendars:
    """Work calendars read once per import, and the windows computed from them once per date.
    proposals.selectors.work_calendar reads the whole years from its start to its end, so one
    per pair of years is the same calendar. (An import is short; holidays are not edited during it.)"""

    def __init__(self):
        self._by_years: dict[tuple[int, int], object] = {}
        self.windows: dict[tuple[datetime.date, int], dict] = {}

    def __call__(self, start: datetime.date, end: datetime.date):
        key = (start.year, end.year)
        if key not in self._by_years:
            self._by_years[key] = work_calendar(start, end)
        return self._by_years[key]


def feedback_window(proposal: Proposal, start: datetime.date, calendars: Calendars) -> dict:
    """replies.services.feedback_window with the import's calendars: the same window, without a
    query per letter (tests/replies/test_import_speed.py checks they agree)."""
    window = proposal.session.rule("feedback_working_days")
    key = (start, window)
    if key not in calendars.windows:
        calendar = calendars(start, start + datetime.timedelta(days=window * 3 + 30))
        due = deadlines.working_days_deadline("feedback_working_days", "delivered", start, window, calendar)
        calendars.windows[key] = {"feedback_due_on": due.due_on, "feedback_due_explanation": due.as_dict()}
    found = calendars.windows[key]
    return {"feedback_due_on": found["feedback_due_on"],
            "feedback_due_explanation": copy.deepcopy(found["feedback_due_explanation"])}


def mark_answered_publicly(replies: list[Reply]) -> None:
    """replies.services.refresh_public_flag for new proposals whose only replies are these:
    one query for the public ones among them, one UPDATE. (refresh_public_flag asks per
    proposal; SQLite plans that on the reply status index, a scan of every public reply for
    each proposal, which made a 10,000-letter load take minutes.)"""
    public = set(Reply.objects.public().filter(pk__in=[r.pk for r in replies]).order_by()
                 .values_list("assignment__proposal_id", flat=True))
    if public:
        Proposal.objects.filter(pk__in=public).update(answered_publicly=True)


class _Deferred(Exception):
    def __init__(self, docs):
        super().__init__("deferred")
        self.docs = docs


def write_documents(docs: list[Doc], *, matcher: Matcher, now, actor=None, calendars: Calendars | None = None) -> None:
    """Write every document (see the module docstring); each ends with ``result`` or ``error``
    (ImportConflict or DatabaseError of the one-by-one path). ``calendars`` may be shared by
    the batches of one import."""
    from django.db import DatabaseError

    if not connection.features.can_return_rows_from_bulk_insert:
        fast, slow = [], list(docs)
    else:
        fast, slow = _split(docs)
    while fast:
        try:
            with transaction.atomic():
                _write_fast(fast, matcher, now, calendars if calendars is not None else Calendars())
                if actor is not None and actor.is_authenticated:
                    Event.objects.filter(uid__in=[W.import_event_uid(d.sha256) for d in fast]).update(actor=actor)
        except _Deferred as deferred:
            matcher.rollback()
            moved = {id(d) for d in deferred.docs}
            slow += deferred.docs
            fast = [d for d in fast if id(d) not in moved]
            continue
        except Exception:
            matcher.rollback()
            slow, fast = list(docs), []
            for doc in docs:
                doc.result = None
            break
        matcher.commit()
        break
    order = {id(d): i for i, d in enumerate(docs)}
    for doc in sorted(slow, key=lambda d: order[id(d)]):
        try:
            doc.result = W.write_document(doc.parsed, file_name=doc.file_name, sha256=doc.sha256, matcher=matcher,
                                          now=now, actor=actor, layout=doc.layout)
        except (ImportConflict, DatabaseError) as exc:
            doc.error = exc
