"""Turn one ParsedLetter into records, inside one transaction (all or nothing).

A reply letter becomes (or updates) a proposal that is replied, its lead and co-handling
assignments, a published reply and a SourceDocument that remembers the text, the spans
and the values written. Any other document becomes a ReferenceDocument: never a proposal.
"""
from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.db import transaction

from proposals.models import Assignment, Event, Proposal, ProposalProposer
from proposals.naturalsort import natural_sort_key
from proposals.search import refresh_search_text
from replies import kept_figures
from replies.importing import values as V
from replies.importing.linking import letter_date, link_letter
from replies.importing.matching import Matcher, place_of, qualified_agency_name
from replies.letters import ParsedLetter, to_report
from replies.models import ReferenceDocument, Reply, SourceDocument
from replies.services import feedback_window, refresh_public_flag

# Event.uid of an import is derived from the file's checksum, so the same file always
# yields the same event (idempotent imports, byte-identical fixtures).
IMPORT_EVENT_NAMESPACE = uuid.UUID("5b0f3c2e-7d1a-4a57-9b8e-3f1c2a6d9e40")
IMPORTED_DUE_NOTE = "imported"
# Stored data, not interface text: fixtures must not depend on the active language.
IMPORTED_DUE_TEXT = "自答复函导入:来函未载交办日期与办理期限"
@dataclass
class WriteResult:
    source: SourceDocument
    status: str                      # created | updated | linked | reference | unlinked
    kept: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    event: Event | None = None


def identity_of(parsed: ParsedLetter) -> str:
    """committee|term|session|number|lead agency, or "" when the letter does not give them all."""
    parts = (parsed.committee, parsed.term, parsed.session_number, parsed.proposal_number, parsed.lead_agency)
    if parsed.kind != "reply" or any(p in (None, "") for p in parts):
        return ""
    return "|".join(str(p) for p in parts)


def import_event_uid(sha256: str) -> uuid.UUID:
    return uuid.uuid5(IMPORT_EVENT_NAMESPACE, f"import:{sha256}")


def parsed_summary(parsed: ParsedLetter) -> dict:
    """What SourceDocument.parsed keeps: the report fields and the extra fields the parser read."""
    summary = to_report(parsed, file="", sha256="")
    del summary["file"], summary["sha256"]
    for name in ("title", "issuing_body", "salutation", "index_number", "disclosure_reason"):
        summary[name] = getattr(parsed, name)
    for name in ("written_on", "document_date"):
        value = getattr(parsed, name)
        summary[name] = value.isoformat() if value else None
    summary["lead_agency_aliases"] = list(parsed.lead_agency_aliases)
    summary["proposer_kinds"] = list(parsed.proposer_kinds)
    return summary


def spans_json(parsed: ParsedLetter) -> dict:
    out = {}
    for name, span in parsed.spans.items():
        out[name] = [list(s) for s in span] if isinstance(span, list) else list(span)
    return out


def write_document(parsed: ParsedLetter, *, file_name: str, sha256: str, matcher: Matcher,
                   now: datetime.datetime, actor=None, layout: dict | None = None) -> WriteResult:
    """Write one document's records in one transaction; the matcher forgets rows of a
    rolled-back document. ``actor`` (the user who uploaded it, if any) is on the event;
    ``layout`` (the pages or paragraphs of a PDF or DOCX) is kept for the source view."""
    try:
        with transaction.atomic():
            result = _write(parsed, file_name=file_name, sha256=sha256, matcher=matcher, now=now,
                            actor=actor if actor is not None and actor.is_authenticated else None, layout=layout)
            if result.source.proposal_id:
                refresh_public_flag([result.source.proposal_id])
                kept_figures.refresh([result.source.proposal_id])
            if result.event is not None and actor is not None and actor.is_authenticated:
                Event.objects.filter(pk=result.event.pk).update(actor=actor)
    except BaseException:
        matcher.rollback()
        raise
    matcher.commit()
    return result


def new_source(parsed, *, file_name: str, sha256: str, now, layout: dict | None = None) -> SourceDocument:
    """The (unsaved) SourceDocument of a file, with its identity when it is a complete reply.
    A PDF's or DOCX's pages or paragraphs go into ``parsed["source_layout"]`` (text files
    have none, so their rows and fixtures are as before)."""
    summary = parsed_summary(parsed)
    if layout:
        summary["source_layout"] = layout
    return SourceDocument(
        file_name=file_name[:255], sha256=sha256, text=parsed.source_text, kind=parsed.kind,
        reason=parsed.reason or "", parsed=summary, spans=spans_json(parsed), imported_at=now,
        identity=identity_of(parsed)[:300],
    )


def _write(parsed, *, file_name, sha256, matcher, now, actor=None, layout=None) -> WriteResult:
    warnings = list(parsed.warnings)
    source = new_source(parsed, file_name=file_name, sha256=sha256, now=now, layout=layout)
    if parsed.kind != "reply":
        return _write_reference(parsed, source, warnings)
    if not source.identity:
        missing = [n for n in ("committee", "term", "session_number", "proposal_number", "lead_agency")
                   if getattr(parsed, n) in (None, "")]
        warnings.append(f"not linked to a proposal: the letter does not give {', '.join(missing)}")
        _save_source(source, warnings)
        return WriteResult(source, "unlinked")
    previous = (SourceDocument.objects.filter(identity=source.identity, superseded_by__isnull=True,
                                              proposal__isnull=False)
                .select_related("proposal", "reply").defer("text", "proposal__search_text", "reply__body")
                .order_by("-imported_at", "-pk").first())
    if previous is not None:
        return _update(parsed, source, previous, warnings, matcher)
    return _create(parsed, source, warnings, matcher, actor)


def finish_source(source: SourceDocument, warnings: list[str]) -> SourceDocument:
    """Records with warnings are flagged for review."""
    source.warnings = list(dict.fromkeys(warnings))
    source.needs_review = bool(source.warnings)
    return source


def _save_source(source: SourceDocument, warnings: list[str]) -> None:
    finish_source(source, warnings).save()


def new_reference(parsed, source, warnings) -> ReferenceDocument:
    return ReferenceDocument(
        source=source,
        title=V.fit(ReferenceDocument, "title", parsed.title or "", warnings),
        issuing_body=V.fit(ReferenceDocument, "issuing_body", parsed.issuing_body or "", warnings),
        doc_number=V.fit(ReferenceDocument, "doc_number", parsed.doc_number or "", warnings),
        document_date=parsed.document_date or parsed.written_on or parsed.published_on or parsed.signed_on,
        body=parsed.body or "",
    )


def _write_reference(parsed, source, warnings) -> WriteResult:
    _save_source(source, warnings)
    new_reference(parsed, source, warnings).save()
    return WriteResult(source, "reference")


# --- replies -------------------------------------------------------------------------

@dataclass
class _Parties:
    session: object
    lead: object
    co: list
    proposers: list


def match_parties(parsed, matcher: Matcher, warnings) -> _Parties:
    committee = matcher.committee(parsed.committee)
    session = matcher.session(committee, parsed.term, parsed.session_number)
    region = place_of(parsed.lead_agency) or committee.region
    lead, _ = matcher.agency(parsed.lead_agency, aliases=parsed.lead_agency_aliases, region=region)
    co = []
    for name in parsed.co_agencies:
        qualified = qualified_agency_name(name, region)
        agency, created = matcher.agency(qualified, aliases=[name] if qualified != name else [], region=region)
        if created and qualified != name:
            warnings.append(f"co-handling agency '{name}' recorded as '{qualified}': "
                            f"its official full name is not in the letter")
        if agency != lead and agency not in co:
            co.append(agency)
    kinds = list(parsed.proposer_kinds) + ["member"] * len(parsed.proposers)
    proposers = []
    for name, kind in zip(parsed.proposers, kinds):
        proposer = matcher.proposer(committee, name, kind)
        if proposer not in proposers:
            proposers.append(proposer)
    if not proposers:
        warnings.append("no proposer named in the letter")
    return _Parties(session, lead, co, proposers)


def published(parsed) -> bool:
    """A letter that carries a publication date or a disclosure statement was published."""
    return bool(parsed.published_on or parsed.disclosure)


def _assignment_date(parsed, warnings, now) -> tuple[datetime.date, str]:
    for name in ("signed_on", "written_on", "published_on"):
        value = getattr(parsed, name)
        if value:
            return value, name
    warnings.append("no date in the letter: assignment date set to the import date")
    return now.date(), "imported_at"


def new_assignment(proposal, agency, role, parsed, warnings, now) -> Assignment:
    """An assignment read from a reply letter: already replied; the letter gives no
    assignment date or deadline, so assigned_on is the best date known and due_on stays empty."""
    assigned_on, basis = _assignment_date(parsed, warnings, now)
    return Assignment(
        proposal=proposal, agency=agency, role=role, status=Assignment.Status.REPLIED, assigned_on=assigned_on,
        replied_on=parsed.signed_on or parsed.published_on,
        due_explanation={IMPORTED_DUE_NOTE: True, "assigned_on_from": basis,
                         "note": IMPORTED_DUE_TEXT},
    )


def _create_assignment(proposal, agency, role, parsed, warnings, now) -> Assignment:
    assignment = new_assignment(proposal, agency, role, parsed, warnings, now)
    assignment.save()
    return assignment


def _set_signatures(proposal, proposers) -> None:
    ProposalProposer.objects.filter(proposal=proposal).delete()
    ProposalProposer.objects.bulk_create(
        [ProposalProposer(proposal=proposal, proposer=p, position=i) for i, p in enumerate(proposers)])


def _set_co_assignments(proposal, co, parsed, warnings, now) -> None:
    wanted = {a.pk for a in co}
    existing = {a.agency_id: a for a in proposal.assignments.filter(role=Assignment.Role.CO)}
    for agency in co:
        if agency.pk not in existing and not proposal.assignments.filter(agency=agency).exists():
            _create_assignment(proposal, agency, Assignment.Role.CO, parsed, warnings, now)
    for agency_id, assignment in existing.items():
        if agency_id not in wanted and not assignment.replies.exists():
            assignment.delete()


def import_event(source, proposal, lead, reply, status, kept, changed) -> Event:
    return Event(
        uid=import_event_uid(source.sha256), proposal=proposal, assignment=lead, reply_id=reply.pk if reply else None, at=source.imported_at,
        action="import", to_status=proposal.status, note=source.file_name,
        data={"sha256": source.sha256, "result": status, "kept": kept, "changed": changed},
    )


def _record_event(source, proposal, lead, reply, status, kept, changed) -> Event:
    event = import_event(source, proposal, lead, reply, status, kept, changed)
    event.save()
    return event


def _create(parsed, source, warnings, matcher, actor=None) -> WriteResult:
    now = source.imported_at
    parties = match_parties(parsed, matcher, warnings)
    proposal_vals = V.proposal_values(parsed, warnings)
    reply_vals = V.reply_values(parsed, warnings)
    if not proposal_vals["title"]:
        warnings.append("proposal title not found in the letter")
    number = V.fit(Proposal, "number", parsed.proposal_number, warnings)
    reply_status = Reply.Status.PUBLISHED if published(parsed) else Reply.Status.SUBMITTED
    proposal = Proposal.objects.filter(session=parties.session, number=number).order_by("pk").first()
    if proposal is None:
        status = "created"
        # A new proposal has nothing to match against: write its rows straight away.
        proposal = Proposal.objects.create(
            session=parties.session, number=number, number_sort=natural_sort_key(number),
            status=Proposal.Status.REPLIED, search_text=matcher.search_text(number, proposal_vals["title"], parties),
            **proposal_vals)
        ProposalProposer.objects.bulk_create(
            [ProposalProposer(proposal=proposal, proposer=p, position=i) for i, p in enumerate(parties.proposers)])
        lead = _create_assignment(proposal, parties.lead, Assignment.Role.LEAD, parsed, warnings, now)
        for agency in parties.co:
            _create_assignment(proposal, agency, Assignment.Role.CO, parsed, warnings, now)
        reply = Reply.objects.create(assignment=lead, kind=Reply.Kind.REPLY, round=1, status=reply_status,
                                     **reply_vals, **feedback_window(proposal, letter_date(parsed, now)))
    else:
        status = "linked"
        _link_existing(proposal, parties, proposal_vals)
        lead, reply = link_letter(proposal, agency=parties.lead, co_agencies=parties.co, reply_vals=reply_vals,
                                  parsed=parsed, published=published(parsed), warnings=warnings, now=now,
                                  actor=actor)
        refresh_search_text([proposal.pk])
    planned = V.planned_values(proposal_vals, reply_vals, [p.name for p in parties.proposers],
                               [a.name for a in parties.co])
    # A linked record's existing values stay; they count as the staff's from now on.
    source.written_values = planned
    source.proposal, source.reply = proposal, reply
    _save_source(source, warnings)
    event = _record_event(source, proposal, lead, reply, status, [], [])
    return WriteResult(source, status, event=event)


def _link_existing(proposal, parties, proposal_vals) -> None:
    """A proposal entered by staff before its letter was imported: fill what is empty, never
    replace what is there (its workflow moves are replies.importing.linking's)."""
    updates = {k: v for k, v in proposal_vals.items() if v and not getattr(proposal, k)}
    if updates:
        Proposal.objects.filter(pk=proposal.pk).update(**updates)
        for k, v in updates.items():
            setattr(proposal, k, v)
    if not proposal.signatures.exists():
        _set_signatures(proposal, parties.proposers)


def _update(parsed, source, previous: SourceDocument, warnings, matcher) -> WriteResult:
    """A corrected version of an imported letter: update what the importer wrote, keep
    every field a person changed since (current value differs from the written one)."""
    now = source.imported_at
    proposal = previous.proposal
    parties = match_parties(parsed, matcher, warnings)
    proposal_vals = V.proposal_values(parsed, warnings)
    reply_vals = V.reply_values(parsed, warnings)
    planned = V.planned_values(proposal_vals, reply_vals, [p.name for p in parties.proposers],
                               [a.name for a in parties.co])
    reply = previous.reply
    lead = reply.assignment if reply else proposal.assignments.filter(agency=parties.lead).first()
    if lead is None:
        lead = _create_assignment(proposal, parties.lead, Assignment.Role.LEAD, parsed, warnings, now)
    if reply is None:
        reply = Reply.objects.filter(assignment=lead, kind=Reply.Kind.REPLY, round=1).first() or Reply.objects.create(
            assignment=lead, kind=Reply.Kind.REPLY, round=1, status=Reply.Status.SUBMITTED)
    current = V.current_values(proposal, reply)
    kept = V.corrected_by_hand(previous.written_values, current)
    changed = [k for k in V.TRACKED if k not in kept and current.get(k) != planned.get(k)]
    proposal_updates = {k.split(".", 1)[1]: proposal_vals[k.split(".", 1)[1]] for k in changed
                        if k.startswith("proposal.") and k not in V.LIST_FIELDS}
    if proposal_updates:
        Proposal.objects.filter(pk=proposal.pk).update(**proposal_updates)
    if "proposal.proposers" in changed:
        _set_signatures(proposal, parties.proposers)
    if "proposal.co_agencies" in changed:
        _set_co_assignments(proposal, parties.co, parsed, warnings, now)
    reply_updates = [k.split(".", 1)[1] for k in changed if k.startswith("reply.")]
    for name in reply_updates:
        setattr(reply, name, reply_vals[name])
    if published(parsed) and reply.status != Reply.Status.PUBLISHED:
        reply.status = Reply.Status.PUBLISHED
        reply_updates.append("status")
    if reply_updates:
        reply.save(update_fields=reply_updates + ["updated_at"])
    source.written_values = planned
    source.corrected_fields = kept
    source.proposal, source.reply = proposal, reply
    _save_source(source, warnings)
    SourceDocument.objects.filter(pk=previous.pk).update(superseded_by=source)
    if any(k.startswith("proposal.") for k in changed):
        refresh_search_text([proposal.pk])
    event = _record_event(source, proposal, lead, reply, "updated", kept, changed)
    return WriteResult(source, "updated", kept=kept, changed=changed, event=event)
