"""Staff corrections of imported records, made next to the source text.

A correction is written here, remembered in SourceDocument.corrected_fields and recorded as
an event; a later import of a corrected file keeps it (see writer._update, which also
recognises changes made anywhere else by comparing with SourceDocument.written_values).
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from proposals.models import Proposal
from proposals.roles import is_committee_staff
from proposals.search import refresh_search_text
from proposals.services.base import lock, record_event, require
from proposals.services.errors import InvalidInput
from replies.importing import values as V
from replies.models import Reply, SourceDocument
from replies.services import refresh_public_flag

# The fields staff correct on the source page, with the span that shows where each came from.
CORRECTABLE = {
    "proposal.title": "proposal_title",
    "proposal.proposers_more": "proposers",
    "reply.title": "title",
    "reply.doc_number": "doc_number",
    "reply.index_number": "index_number",
    "reply.signer": "signer",
    "reply.signed_on": "signed_on",
    "reply.published_on": "published_on",
    "reply.contact_unit": "contact.unit",
    "reply.contact_person": "contact.person",
    "reply.contact_phone": "contact.phone",
    "reply.cc": "cc",
    "reply.classification": "classification",
    "reply.disclosure": "disclosure",
    "reply.disclosure_reason": "disclosure",
    "reply.body": None,
}


def correctable(source: SourceDocument) -> bool:
    """Only the latest version of a letter that is linked to its records is corrected here."""
    return source.proposal_id is not None and source.reply_id is not None and source.superseded_by_id is None


def _clean(changes: dict) -> dict:
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise InvalidInput(_("不能更正字段:%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    if "proposal.title" in changes and not str(changes["proposal.title"]).strip():
        raise InvalidInput(_("案由不能为空"), field="proposal.title")
    if changes.get("reply.classification", "") not in ("", *Reply.Classification.values):
        raise InvalidInput(_("办理结果分类无效"), field="reply.classification")
    if "reply.disclosure" in changes and changes["reply.disclosure"] not in Reply.Disclosure.values:
        raise InvalidInput(_("公开属性无效"), field="reply.disclosure")
    for key in ("reply.signed_on", "reply.published_on"):
        if changes.get(key) is not None and not isinstance(changes[key], datetime.date):
            raise InvalidInput(_("日期无效"), field=key)
    cc = changes.get("reply.cc", [])
    if not (isinstance(cc, list) and all(isinstance(x, str) for x in cc)):
        raise InvalidInput(_("抄送须为单位名称列表"), field="reply.cc")
    return changes


def source_correct(*, actor, source: SourceDocument, changes: dict, reviewed: bool = False) -> list[str]:
    """Write the fields staff corrected on an imported proposal and reply; returns the keys
    that changed. Marks the source reviewed when ``reviewed`` (the review flag came from
    the parser's warnings)."""
    require(is_committee_staff(actor), _("只有提案委员会工作人员可以更正导入记录"))
    changes = _clean(dict(changes))
    with transaction.atomic():
        source = lock(SourceDocument, source.pk)
        if not correctable(source):
            raise InvalidInput(_("该文件没有可更正的提案与答复(或已有更正版本)"))
        proposal = lock(Proposal, source.proposal_id)
        reply = lock(Reply, source.reply_id)
        before = V.current_values(proposal, reply)
        changed = []
        for key, value in changes.items():
            model_name, name = key.split(".", 1)
            target = proposal if model_name == "proposal" else reply
            if getattr(target, name) != value:
                setattr(target, name, value)
                changed.append(key)
        if reply.disclosure == Reply.Disclosure.NOT_PUBLIC and not reply.disclosure_reason.strip():
            raise InvalidInput(_("不予公开须说明理由"), field="reply.disclosure_reason")
        if reply.disclosure != Reply.Disclosure.NOT_PUBLIC and reply.disclosure_reason and \
                "reply.disclosure_reason" not in changes:
            reply.disclosure_reason = ""
        proposal_fields = [k.split(".", 1)[1] for k in changed if k.startswith("proposal.")]
        reply_fields = [k.split(".", 1)[1] for k in changed if k.startswith("reply.")]
        if proposal_fields:
            proposal.save(update_fields=proposal_fields + ["updated_at"])
            refresh_search_text([proposal.pk])
        if reply_fields:
            reply.save(update_fields=sorted(set(reply_fields) | {"disclosure_reason", "updated_at"}))
            refresh_public_flag([proposal.pk])
        after = V.current_values(proposal, reply)
        updates = {}
        if changed:
            updates["corrected_fields"] = sorted(set(source.corrected_fields) | set(changed))
        if reviewed and source.needs_review:
            updates["needs_review"] = False
        if updates:
            SourceDocument.objects.filter(pk=source.pk).update(**updates)
        if changed or reviewed:
            record_event(
                proposal=proposal, reply=reply, assignment=reply.assignment, actor=actor,
                action="import_correct" if changed else "import_review", note=", ".join(changed),
                data={"source": source.sha256, "fields": changed, "reviewed": reviewed,
                      "from": {k: before.get(k) for k in changed}, "to": {k: after.get(k) for k in changed}},
            )
    return changed
