"""The admin's import pages: upload -> preview (each parse beside its source text) -> confirm,
and an imported record next to its source with the spans marked, where staff correct it."""
from __future__ import annotations

import base64
import zlib

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proposals.roles import is_committee_staff
from proposals.services.errors import ServiceError
from replies.importing import service as S
from replies.importing import values as V
from replies.importing.corrections import correctable, source_correct
from replies.importing.forms import MAX_UPLOAD_BYTES, CorrectionForm, UploadForm
from replies.importing.spans import FIELD_LABELS, marked_pieces
from replies.importing.warnings import warning_text
from replies.models import SourceDocument

_SALT = "replies.import-upload"
STATUS_LABELS = {
    S.CREATED: gettext_lazy("已导入(新建)"), S.UPDATED: gettext_lazy("已导入(更正版本)"),
    S.LINKED: gettext_lazy("已导入(关联已有提案)"), S.REFERENCE: gettext_lazy("已导入(参考文件)"),
    S.UNLINKED: gettext_lazy("已导入(未关联提案)"), S.UNCHANGED: gettext_lazy("未变化(已导入过)"),
    S.UNREADABLE: gettext_lazy("无法读取"), S.FAILED: gettext_lazy("导入失败"), S.PARSED: gettext_lazy("待确认"),
}


def require_importer(request) -> None:
    if not (is_committee_staff(request.user) and request.user.has_perm("replies.add_sourcedocument")):
        raise PermissionDenied


def pack(name: str, data: bytes) -> str:
    """A file carried from the preview to the confirmation, signed so that what is confirmed
    is exactly what was previewed."""
    return signing.dumps({"name": name, "data": base64.b64encode(zlib.compress(data, 6)).decode()}, salt=_SALT)


def unpack(token: str) -> tuple[str, bytes]:
    value = signing.loads(token, salt=_SALT)
    return value["name"], zlib.decompress(base64.b64decode(value["data"]))


def summary_rows(report: dict, parsed=None) -> list[tuple[str, str]]:
    """What the parser read, as (label, value) rows; empty values shown as —."""
    def show(value):
        if value in (None, "", []):
            return "—"
        return "、".join(value) if isinstance(value, list) else str(value)

    if report.get("kind") == "reply":
        proposers = show(report["proposers"]) + (_(" 等") if report["proposers_more"] else "")
        contact = report.get("contact") or {}
        rows = [
            ("committee", report["committee"]), ("session", report["session"]),
            ("proposal_number", report["proposal_number"]), ("proposal_title", report["proposal_title"]),
            ("proposers", proposers), ("lead_agency", report["lead_agency"]),
            ("co_agencies", report["co_agencies"]), ("doc_number", report["doc_number"]),
            ("signed_on", report["signed_on"]), ("published_on", report["published_on"]),
            ("signer", report["signer"]), ("contact.unit", contact.get("unit")),
            ("contact.person", contact.get("person")), ("contact.phone", contact.get("phone")),
            ("cc", report["cc"]), ("classification", report["classification"]),
            ("disclosure", report["disclosure"]),
        ]
    else:
        extra = parsed or {}
        rows = [("title", extra.get("title")), ("issuing_body", extra.get("issuing_body")),
                ("doc_number", report.get("doc_number")), ("document_date", extra.get("document_date"))]
    return [(str(FIELD_LABELS.get(k, k)), show(v), k) for k, v in rows]


def _preview(name: str, data: bytes) -> dict:
    outcome = S.Importer(dry_run=True).import_bytes(data, name)
    parsed = outcome.parsed
    extras = {}
    if parsed is not None:
        extras = {"title": parsed.title, "issuing_body": parsed.issuing_body,
                  "document_date": parsed.document_date.isoformat() if parsed.document_date else None}
        from replies.importing.writer import spans_json

        pieces = marked_pieces(parsed.source_text, spans_json(parsed), outcome.layout)
    else:
        pieces = []
    if outcome.source is not None:
        extras = outcome.source.parsed
    return {
        "name": name, "outcome": outcome, "status_label": STATUS_LABELS.get(outcome.status, outcome.status),
        "rows": summary_rows(outcome.report, extras) if outcome.status != S.UNREADABLE else [],
        "pieces": pieces, "token": pack(name, data) if outcome.status == S.PARSED else "",
        "reason": warning_text(outcome.reason), "layout": layout_summary(outcome.layout),
    }


def layout_summary(layout: dict | None) -> str:
    """How a PDF or DOCX was read, in a few words ("PDF,3 页"); "" for text files and pages."""
    if not layout:
        return ""
    if layout.get("format") == "pdf":
        return _("PDF 文字层,%(n)s 页") % {"n": layout.get("pages") or 0}
    counts = {kind: sum(1 for r in layout.get("regions", []) if r[0] == kind) for kind in ("paragraph", "table")}
    return _("DOCX,%(p)s 段,%(t)s 个表格") % {"p": counts["paragraph"], "t": counts["table"]}


def _context(model_admin, request, title, **extra):
    return {**model_admin.admin_site.each_context(request), "title": title, "opts": model_admin.opts,
            "has_view_permission": True, **extra}


def upload_view(model_admin, request):
    require_importer(request)
    if request.method == "POST":
        files = request.FILES.getlist("files")
        if not files:
            messages.error(request, _("请选择要导入的文件"))
        elif sum(f.size for f in files) > MAX_UPLOAD_BYTES:
            messages.error(request, _("一次上传的文件合计不能超过%(n)s KB,请分批上传") % {"n": MAX_UPLOAD_BYTES // 1000})
        else:
            previews = [_preview(f.name, f.read()) for f in files]
            return TemplateResponse(request, "admin/replies/sourcedocument/import_preview.html", _context(
                model_admin, request, _("核对解析结果"), previews=previews,
                importable=any(p["token"] for p in previews)))
    return TemplateResponse(request, "admin/replies/sourcedocument/import_upload.html",
                            _context(model_admin, request, _("导入答复函"), form=UploadForm()))


def confirm_view(model_admin, request):
    require_importer(request)
    changelist = reverse("admin:replies_sourcedocument_changelist")
    if request.method != "POST":
        return HttpResponseRedirect(reverse("admin:replies_sourcedocument_import"))
    importer = S.Importer(actor=request.user)
    tokens = request.POST.getlist("file")
    if not tokens:
        messages.warning(request, _("没有选择要导入的文件"))
    files = []
    for token in tokens:
        try:
            files.append(unpack(token))
        except (signing.BadSignature, ValueError, KeyError, zlib.error):
            messages.error(request, _("文件内容无效,请重新上传"))
    for outcome in importer.import_many(files):
        name = outcome.file
        label = STATUS_LABELS.get(outcome.status, outcome.status)
        if outcome.ok:
            messages.success(request, f"{name}: {label}")
        else:
            messages.error(request, f"{name}: {label}: {warning_text(outcome.report['warnings'][-1])}")
    return HttpResponseRedirect(changelist)


def source_view(model_admin, request, object_id):
    """The source text with every extracted field marked where it came from, beside the
    imported record; staff correct the record here (corrections are kept by later imports)."""
    source = get_object_or_404(SourceDocument.objects.select_related("proposal", "reply__assignment__agency",
                                                                     "superseded_by"), pk=object_id)
    if not model_admin.has_view_permission(request, source):
        raise PermissionDenied
    can_correct = correctable(source) and is_committee_staff(request.user)
    form = None
    if can_correct:
        form = CorrectionForm(request.POST if request.method == "POST" else None, proposal=source.proposal,
                              reply=source.reply)
        if request.method == "POST" and form.is_valid():
            try:
                changed = source_correct(actor=request.user, source=source, changes=form.changes(),
                                         reviewed=form.cleaned_data["reviewed"])
            except ServiceError as exc:
                form.add_error(None, str(exc.message))
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已保存更正:%(f)s") % {"f": ", ".join(changed) or _("无字段变化")})
                return HttpResponseRedirect(request.path)
    elif request.method == "POST":
        raise PermissionDenied
    corrected = set(source.corrected_fields)
    if source.proposal_id and source.reply_id:
        current = V.current_values(source.proposal, source.reply)
        corrected |= set(V.corrected_by_hand(source.written_values, current))
    layout = source.parsed.get("source_layout")
    rows = form.field_rows(source.written_values, source.parsed, corrected, source.spans, layout) if form else []
    context = _context(
        model_admin, request, _("原文核对:%(name)s") % {"name": source.file_name}, source=source,
        pieces=marked_pieces(source.text, source.spans, layout), form=form, rows=rows,
        layout=layout_summary(layout),
        summary=summary_rows({**source.parsed, "file": source.file_name}, source.parsed),
        media=model_admin.media + (form.media if form else forms.Media()), corrected=sorted(corrected),
    )
    return TemplateResponse(request, "admin/replies/sourcedocument/source.html", context)
