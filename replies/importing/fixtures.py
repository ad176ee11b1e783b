"""Serialise imported documents and every record they link to as a Django fixture.

The output is deterministic (issue 3): natural keys instead of primary keys, objects in a
fixed model order and sorted by natural key, no volatile values (timestamps are derived
from the letter's own dates, Event.uid from the file's checksum), indent=2, UTF-8 text.
It loads into an empty database and again into a loaded one without duplicates, because
loaddata matches every object to an existing row by its natural key.
"""
from __future__ import annotations

import datetime
import json
import zoneinfo

from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import JSONField

from proposals.models import (
    Agency, AgencyAlias, Assignment, Committee, Event, Proposal, ProposalProposer, Proposer, Session,
)
from replies.models import ReferenceDocument, Reply, SourceDocument

# Dependencies first, so that loaddata can resolve every natural foreign key on the way.
MODEL_ORDER = (
    Committee, Session, Proposer, Agency, AgencyAlias, Proposal, ProposalProposer, Assignment, Reply,
    SourceDocument, ReferenceDocument, Event,
)
# Written by the clock at import time; replaced by a timestamp derived from the letter.
VOLATILE_FIELDS = ("created_at", "updated_at", "imported_at", "at")
# Links to users of one installation have no place in a shipped fixture; leaving the key out
# also keeps loaddata from clearing them in a database that has them.
OMITTED_FIELDS = {"proposals.agency": ("liaisons",)}
# Plain ids with no natural key: a primary key of the build database means nothing elsewhere.
# An import event finds its reply through its source document (data.sha256).
CLEARED_FIELDS = {"proposals.event": ("reply_id",)}
FALLBACK_DATE = datetime.date(2000, 1, 1)


def stable_timestamp(source: SourceDocument) -> datetime.datetime:
    """Midnight (local time) of the latest date the document gives about itself."""
    dates = [source.parsed.get(k) for k in ("published_on", "signed_on", "written_on", "document_date")]
    dates = [datetime.date.fromisoformat(d) for d in dates if d]
    day = max(dates) if dates else FALLBACK_DATE
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def fixture_objects(sources) -> tuple[list, dict]:
    """The sources and every row they link to; and, per object, the timestamp to write."""
    sources = list(sources)
    stamp = {}
    proposals = {}
    for source in sources:
        stamp[("replies.sourcedocument", source.pk)] = stable_timestamp(source)
        if source.proposal_id:
            proposals[source.proposal_id] = stamp[("replies.sourcedocument", source.pk)]
    proposal_rows = list(Proposal.objects.filter(pk__in=proposals).select_related("session__committee"))
    signatures = list(ProposalProposer.objects.filter(proposal__in=proposal_rows).select_related("proposer"))
    assignments = list(Assignment.objects.filter(proposal__in=proposal_rows).select_related("agency"))
    replies = list(Reply.objects.filter(assignment__in=assignments))
    events = list(Event.objects.filter(proposal__in=proposal_rows, action="import"))
    agencies = {a.agency for a in assignments}
    aliases = list(AgencyAlias.objects.filter(agency__in=agencies))
    for p in proposal_rows:
        stamp[("proposals.proposal", p.pk)] = proposals[p.pk]
    for a in assignments:
        stamp[("proposals.assignment", a.pk)] = proposals[a.proposal_id]
    by_assignment = {a.pk: a.proposal_id for a in assignments}
    for r in replies:
        stamp[("replies.reply", r.pk)] = proposals[by_assignment[r.assignment_id]]
    source_by_sha = {s.sha256: s for s in sources}
    for e in events:
        origin = source_by_sha.get(e.data.get("sha256", ""))
        stamp[("proposals.event", e.pk)] = stable_timestamp(origin) if origin else proposals[e.proposal_id]
    objects = (
        [p.session.committee for p in proposal_rows] + [p.session for p in proposal_rows]
        + [s.proposer for s in signatures] + list(agencies) + aliases + proposal_rows + signatures
        + assignments + replies + sources + list(ReferenceDocument.objects.filter(source__in=sources)) + events
    )
    return objects, stamp


def _canonical(value):
    """JSON with sorted keys: PostgreSQL's jsonb does not keep the order the keys were written in."""
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _sort_key(item: dict):
    model = item["model"]
    order = [m._meta.label_lower for m in MODEL_ORDER].index(model)
    return order, json.dumps(item["_key"], ensure_ascii=False, cls=DjangoJSONEncoder)


def build_fixture(sources) -> str:
    """The fixture text for these SourceDocuments (see the module docstring)."""
    objects, stamp = fixture_objects(sources)
    unique = {(o._meta.label_lower, o.pk): o for o in objects}
    items = []
    for (label, pk), obj in unique.items():
        [item] = serializers.serialize("python", [obj], use_natural_foreign_keys=True,
                                       use_natural_primary_keys=True)
        fields = item["fields"]
        for name in VOLATILE_FIELDS:
            if name in fields and fields[name] is not None:
                fields[name] = stamp[(label, pk)]
        for name in OMITTED_FIELDS.get(label, ()):
            fields.pop(name, None)
        for name in CLEARED_FIELDS.get(label, ()):
            fields[name] = None
        for f in obj._meta.concrete_fields:
            if isinstance(f, JSONField) and f.name in fields:
                fields[f.name] = _canonical(fields[f.name])
        item["_key"] = obj.natural_key()
        items.append(item)
    items.sort(key=_sort_key)
    for item in items:
        del item["_key"]
    return json.dumps(items, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder) + "\n"
