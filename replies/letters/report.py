"""The JSON-ready summary of one parsed file, as printed by the import report."""
from __future__ import annotations

from .model import ParsedLetter

REPORT_KEYS = (
    "file", "sha256", "kind", "reason", "committee", "session", "term", "session_number",
    "proposal_number", "proposal_title", "proposers", "proposers_more", "lead_agency",
    "co_agencies", "doc_number", "signed_on", "published_on", "signer", "contact", "cc",
    "classification", "disclosure", "warnings",
)
_PROPOSAL_FIELDS = (
    "committee", "session", "term", "session_number", "proposal_number", "proposal_title",
    "lead_agency",
)


def to_report(parsed: ParsedLetter, file: str, sha256: str) -> dict:
    """One report row: exactly REPORT_KEYS, dates as ISO strings, None where the text is silent."""
    is_reply = parsed.kind == "reply"
    row = {
        "file": file,
        "sha256": sha256,
        "kind": parsed.kind,
        "reason": parsed.reason,
        "committee": parsed.committee,
        "session": parsed.session,
        "term": parsed.term,
        "session_number": parsed.session_number,
        "proposal_number": parsed.proposal_number,
        "proposal_title": parsed.proposal_title,
        "proposers": list(parsed.proposers) if is_reply else [],
        "proposers_more": bool(parsed.proposers_more) if is_reply else False,
        "lead_agency": parsed.lead_agency,
        "co_agencies": list(parsed.co_agencies) if is_reply else [],
        "doc_number": parsed.doc_number,
        "signed_on": parsed.signed_on.isoformat() if parsed.signed_on else None,
        "published_on": parsed.published_on.isoformat() if parsed.published_on else None,
        "signer": parsed.signer,
        "contact": {k: (parsed.contact or {}).get(k) for k in ("unit", "person", "phone")},
        "cc": list(parsed.cc),
        "classification": parsed.classification,
        "disclosure": parsed.disclosure,
        "warnings": list(parsed.warnings),
    }
    if not is_reply:
        for key in _PROPOSAL_FIELDS:
            row[key] = None
    return {key: row[key] for key in REPORT_KEYS}
