"""The fields an import writes into a proposal and its reply, as comparable JSON values.

``planned_values`` says what a letter gives each field; ``current_values`` reads what the
records hold now. SourceDocument.written_values stores the planned values of the last
import, so a field whose current value differs from it was corrected by a person and is
kept by the next import (correction-preservation, issue 3).
"""
from __future__ import annotations

import datetime
import hashlib

from proposals.models import Assignment, Proposal
from replies.letters import ParsedLetter
from replies.models import Reply

DISCLOSURE = {
    "主动公开": Reply.Disclosure.PUBLIC,
    "依申请公开": Reply.Disclosure.ON_REQUEST,
    "不予公开": Reply.Disclosure.NOT_PUBLIC,
}
# Choices.values walks the enum on every read: once here, not once per letter.
_CLASSIFICATIONS = frozenset(Reply.Classification.values)
UNSTATED_DISCLOSURE_REASON = "来函未说明"

PROPOSAL_FIELDS = ("title", "proposers_more")
REPLY_FIELDS = (
    "title", "body", "doc_number", "index_number", "signer", "signed_on", "published_on", "contact_unit",
    "contact_person", "contact_phone", "cc", "classification", "disclosure", "disclosure_reason",
)
LIST_FIELDS = ("proposal.proposers", "proposal.co_agencies")
TRACKED = tuple(f"proposal.{f}" for f in PROPOSAL_FIELDS) + LIST_FIELDS + tuple(f"reply.{f}" for f in REPLY_FIELDS)
# Long texts are remembered by their digest: enough to see a change, without a second copy.
DIGESTED = ("reply.body",)


def fit(model, field: str, value: str, warnings: list[str]) -> str:
    """Cut a value to the column's length (PostgreSQL refuses longer ones), with a warning."""
    limit = model._meta.get_field(field).max_length
    if limit and len(value) > limit:
        warnings.append(f"{model._meta.model_name}.{field} longer than {limit} characters: cut")
        return value[:limit]
    return value


def _json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _digest(values: dict) -> dict:
    for key in DIGESTED:
        if key in values:
            values[key] = "sha256:" + hashlib.sha256(values[key].encode("utf-8")).hexdigest()
    return values


def reply_values(parsed: ParsedLetter, warnings: list[str]) -> dict:
    """The Reply fields a letter gives; empty where the text is silent (never invented)."""
    contact = parsed.contact or {}
    disclosure = DISCLOSURE.get(parsed.disclosure or "", Reply.Disclosure.PUBLIC)
    reason = ""
    if disclosure == Reply.Disclosure.NOT_PUBLIC:
        # The model requires a reason for 不予公开; say plainly that the letter gives none.
        reason = parsed.disclosure_reason or UNSTATED_DISCLOSURE_REASON
    classification = parsed.classification if parsed.classification in _CLASSIFICATIONS else ""
    values = {
        "title": parsed.title or "",
        "body": parsed.body or "",
        "doc_number": parsed.doc_number or "",
        "index_number": parsed.index_number or "",
        "signer": parsed.signer or "",
        "signed_on": parsed.signed_on,
        "published_on": parsed.published_on,
        "contact_unit": contact.get("unit") or "",
        "contact_person": contact.get("person") or "",
        "contact_phone": contact.get("phone") or "",
        "cc": list(parsed.cc),
        "classification": classification,
        "disclosure": disclosure,
        "disclosure_reason": reason,
    }
    for name, value in values.items():
        if isinstance(value, str) and name not in ("body", "disclosure_reason"):
            values[name] = fit(Reply, name, value, warnings)
    return values


def proposal_values(parsed: ParsedLetter, warnings: list[str]) -> dict:
    return {
        "title": fit(Proposal, "title", parsed.proposal_title or "", warnings),
        "proposers_more": bool(parsed.proposers_more),
    }


def planned_values(proposal_vals: dict, reply_vals: dict, proposer_names: list[str], co_names: list[str]) -> dict:
    planned = {f"proposal.{k}": _json(v) for k, v in proposal_vals.items()}
    planned.update({f"reply.{k}": _json(v) for k, v in reply_vals.items()})
    planned["proposal.proposers"] = list(proposer_names)
    planned["proposal.co_agencies"] = sorted(co_names)
    return _digest(planned)


def current_values(proposal: Proposal, reply: Reply | None) -> dict:
    current = {f"proposal.{f}": _json(getattr(proposal, f)) for f in PROPOSAL_FIELDS}
    current["proposal.proposers"] = list(
        proposal.signatures.order_by("position").values_list("proposer__name", flat=True))
    current["proposal.co_agencies"] = sorted(
        proposal.assignments.filter(role=Assignment.Role.CO).values_list("agency__name", flat=True))
    if reply is not None:
        current.update({f"reply.{f}": _json(getattr(reply, f)) for f in REPLY_FIELDS})
    return _digest(current)


def corrected_by_hand(written: dict, current: dict) -> list[str]:
    """Fields whose current value is not what the importer last wrote: a person changed them."""
    return [key for key in TRACKED if key in written and key in current and current[key] != written[key]]
