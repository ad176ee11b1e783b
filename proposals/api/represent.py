"""Plain-dict representations for the API's hot paths.

DRF builds a ModelSerializer's fields anew for every serializer instance (a dozen model-field
introspections per field), and then walks them field by field for every row: for a proposal
detail that is most of the request. The serializers of proposals, assignments and replies
keep their declared fields — they are what the OpenAPI schema, the export headers and the
generic representation are made of — and build their output here instead, with the same keys
in the same order. tests/test_api_representation.py checks, role by role, that the two agree.

A serializer whose context holds ``GENERIC: True`` takes DRF's field-by-field path.
"""
from __future__ import annotations

from django.utils.translation import get_language
from rest_framework import serializers

from proposals.deadlines import deadline_from_dict

GENERIC = "generic_representation"

_DATETIME = serializers.DateTimeField(read_only=True)
_LABELS: dict = {}


def label(model, field_name: str, value):
    """The translated label of a choice value; labels are read once per language (the choices
    are TextChoices, fixed in code)."""
    if value is None:
        return None
    key = (model, field_name, get_language())
    table = _LABELS.get(key)
    if table is None:
        table = _LABELS[key] = {k: str(v) for k, v in model._meta.get_field(field_name).flatchoices}
    return table.get(value, value)


def date(value):
    return None if value is None else value.isoformat()


def datetime(value):
    """As DRF writes it: in the current time zone, ISO 8601."""
    return None if value is None else _DATETIME.to_representation(value)


def _is_deadline(data) -> bool:
    return isinstance(data, dict) and {"due_on", "rule", "start_event", "start_on"} <= data.keys()


def explain_deadline(data):
    """A stored deadline (proposals.deadlines.Deadline.as_dict) with its ``text`` written now, in
    the request's language; anything else (an imported assignment's note) as stored."""
    if not _is_deadline(data):
        return data
    try:
        text = deadline_from_dict(data).explain()
    except (TypeError, ValueError):  # a malformed date in old data: keep the text stored with it
        return data
    return {**data, "text": text}


def explain_deadlines(explanation):
    """Assignment.due_explanation: ``{"due": deadline, "objection": deadline}``, each explained."""
    if not isinstance(explanation, dict):
        return explanation
    return {key: explain_deadline(part) for key, part in explanation.items()}


class DeadlineExplanationField(serializers.JSONField):
    """Stored deadline data, with the explanation text computed at response time."""

    def __init__(self, *, many=True, **kwargs):
        self.many = many
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return explain_deadlines(value) if self.many else explain_deadline(value)


def committee_brief(committee) -> dict:
    return {"id": committee.pk, "name": committee.name}


def session_key(session) -> str:
    return f"{session.committee.name}/{session.term}/{session.number}"


def session_brief(session) -> dict:
    return {"id": session.pk, "key": session_key(session), "label": str(session),
            "committee": committee_brief(session.committee), "term": session.term, "number": session.number,
            "year": session.year}


def proposer_brief(proposer) -> dict:
    return {"id": proposer.pk, "name": proposer.name, "kind": proposer.kind,
            "kind_label": label(type(proposer), "kind", proposer.kind)}


def agency_brief(agency) -> dict:
    return {"id": agency.pk, "name": agency.name}


def proposal_brief(proposal) -> dict:
    return {"id": proposal.pk, "session_key": session_key(proposal.session), "number": proposal.number,
            "title": proposal.title, "status": proposal.status,
            "status_label": label(type(proposal), "status", proposal.status)}


class Memo(dict):
    """Brief objects already written in this response (a page's rows share their session)."""

    def get_or_make(self, kind, obj, make):
        key = (kind, obj.pk)
        value = self.get(key)
        if value is None:
            value = self[key] = make(obj)
        return value


class FastRepresentation:
    """Mixin for a serializer: ``represent(instance)`` writes the output; its declared fields stay
    for the schema, the export headers and the generic path (``GENERIC`` in the context)."""

    def to_representation(self, instance):
        if self.context.get(GENERIC):
            return super().to_representation(instance)
        return self.represent(instance)

    def represent(self, instance) -> dict:  # pragma: no cover - each serializer writes its own
        raise NotImplementedError

    @property
    def memo(self) -> Memo:
        memo = getattr(self, "_memo", None)
        if memo is None:
            memo = self._memo = Memo()
        return memo

    def brief(self, kind, obj, make):
        return None if obj is None else self.memo.get_or_make(kind, obj, make)
