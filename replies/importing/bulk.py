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

from dataclasses import dataclass, field

from django.db import connection, transaction

from proposals.models import Assignment, Event, Proposal, ProposalProposer
from proposals.naturalsort import natural_sort_key
from replies.importing import values as V
from replies.importing import writer as W
from replies.importing.linking import ImportConflict
from replies.importing.matching import Matcher
from replies.models import ReferenceDocument, Reply, SourceDocument
from replies.services import feedback_window, refresh_public_flag


@dataclass
class Doc:
    """One parsed file waiting to be written."""

    parsed: object
    file_name: str
    sha256: str
    result: W.WriteResult | None = None
    error: Exception | None = None
    warnings: list[str] = field(default_factory=list)


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


def _write_fast(docs: list[Doc], matcher: Matcher, now) -> None:
    """The new rows of ``docs``, table by table. Raises if any of them cannot be written."""
    sources, references, replies_to_write = [], [], []
    for doc in docs:
        doc.warnings = list(doc.parsed.warnings)
        source = W.new_source(doc.parsed, file_name=doc.file_name, sha256=doc.sha256, now=now)
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
    Proposal.objects.bulk_create(proposals)
    signatures, assignments, leads = [], [], []
    for (doc, _, parties, *_rest), proposal in zip(plans, proposals):
        signatures += [ProposalProposer(proposal=proposal, proposer=p, position=i)
                       for i, p in enumerate(parties.proposers)]
        lead = W.new_assignment(proposal, parties.lead, Assignment.Role.LEAD, doc.parsed, doc.warnings, now)
        leads.append(lead)
        assignments.append(lead)
        assignments += [W.new_assignment(proposal, a, Assignment.Role.CO, doc.parsed, doc.warnings, now)
                        for a in parties.co]
    ProposalProposer.objects.bulk_create(signatures)
    Assignment.objects.bulk_create(assignments)
    replies = [Reply(assignment=lead, kind=Reply.Kind.REPLY, round=1,
                     status=Reply.Status.PUBLISHED if W.published(plan[0].parsed) else Reply.Status.SUBMITTED,
                     **plan[4], **feedback_window(lead.proposal, W.letter_date(plan[0].parsed, now)))
               for plan, lead in zip(plans, leads)]
    Reply.objects.bulk_create(replies)

    for (doc, source, parties, proposal_vals, reply_vals, _), proposal, reply in zip(plans, proposals, replies):
        source.written_values = V.planned_values(proposal_vals, reply_vals, [p.name for p in parties.proposers],
                                                 [a.name for a in parties.co])
        source.proposal, source.reply = proposal, reply
    for doc, source in references + [(p[0], p[1]) for p in plans]:
        W.finish_source(source, doc.warnings)
    SourceDocument.objects.bulk_create(sources)
    ReferenceDocument.objects.bulk_create([W.new_reference(doc.parsed, source, doc.warnings)
                                           for doc, source in references])
    events = [W.import_event(source, proposal, lead, reply, "created", [], [])
              for (_, source, *_rest), proposal, lead, reply in zip(plans, proposals, leads, replies)]
    Event.objects.bulk_create(events)
    refresh_public_flag([proposal.pk for proposal in proposals])
    for doc, source in references:
        doc.result = W.WriteResult(source, "reference")
    for (doc, source, *_rest), event in zip(plans, events):
        doc.result = W.WriteResult(source, "created", event=event)


class _Deferred(Exception):
    def __init__(self, docs):
        super().__init__("deferred")
        self.docs = docs


def write_documents(docs: list[Doc], *, matcher: Matcher, now, actor=None) -> None:
    """Write every document (see the module docstring); each ends with ``result`` or ``error``
    (ImportConflict or DatabaseError of the one-by-one path)."""
    from django.db import DatabaseError

    if not connection.features.can_return_rows_from_bulk_insert:
        fast, slow = [], list(docs)
    else:
        fast, slow = _split(docs)
    while fast:
        try:
            with transaction.atomic():
                _write_fast(fast, matcher, now)
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
                                          now=now, actor=actor)
        except (ImportConflict, DatabaseError) as exc:
            doc.error = exc
