"""The source text cut into pieces at every span boundary, so a page can mark each extracted
field where it came from (overlapping spans, such as a committee inside a title, nest)."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

FIELD_LABELS = {
    "title": _("标题"),
    "committee": _("政协"),
    "session": _("会议"),
    "term": _("届"),
    "session_number": _("次会议"),
    "proposal_number": _("提案号"),
    "proposal_title": _("案由"),
    "proposers": _("提案人"),
    "salutation": _("称谓"),
    "lead_agency": _("主办单位"),
    "lead_agency_aliases": _("主办单位简称"),
    "co_agencies": _("会办单位"),
    "issuing_body": _("发文机关"),
    "doc_number": _("文号"),
    "index_number": _("索引号"),
    "signer": _("签发人"),
    "signed_on": _("落款日期"),
    "published_on": _("发布日期"),
    "written_on": _("成文日期"),
    "document_date": _("日期"),
    "classification": _("办理结果分类"),
    "disclosure": _("公开属性"),
    "contact.unit": _("联系单位"),
    "contact.person": _("联系人"),
    "contact.phone": _("联系电话"),
    "cc": _("抄送"),
}


# Where a stretch of a PDF's or DOCX's text came from (replies.importing.formats.Region).
REGION_LABELS = {
    "page": _("第 %(n)s 页"),
    "paragraph": _("第 %(n)s 段"),
    "table": _("表格 %(n)s"),
}


@dataclass
class Piece:
    text: str
    fields: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()   # "field-i" ids of the spans that start here
    region: str = ""                # "page" | "paragraph" | "table" when one starts here
    region_number: int = 0

    @property
    def region_label(self) -> str:
        return str(REGION_LABELS[self.region]) % {"n": self.region_number} if self.region else ""

    @property
    def label(self) -> str:
        return "、".join(str(FIELD_LABELS.get(f, f)) for f in self.fields)

    @property
    def css(self) -> str:
        return " ".join("span-" + f.replace(".", "-").replace("_", "-") for f in self.fields)


def span_list(spans: dict) -> list[tuple[str, int, int, int]]:
    """(field, index, start, end) for every span, whether stored as [s, e] or [[s, e], …]."""
    out = []
    for name, value in (spans or {}).items():
        if not value:
            continue
        items = value if isinstance(value[0], (list, tuple)) else [value]
        for i, (start, end) in enumerate(items):
            out.append((name, i, int(start), int(end)))
    return out


def layout_regions(layout: dict | None) -> list[tuple[str, int, int, int]]:
    """(kind, number, start, end) of the regions a source's layout records (none for text files)."""
    return [(str(k), int(n), int(s), int(e)) for k, n, s, e in (layout or {}).get("regions", [])
            if k in REGION_LABELS]


def region_at(layout: dict | None, offset: int) -> str:
    """The label of the region that holds ``offset`` ("第 2 页"), or ""."""
    for kind, number, start, end in layout_regions(layout):
        if start <= offset < end or start == offset:
            return str(REGION_LABELS[kind]) % {"n": number}
    return ""


def marked_pieces(text: str, spans: dict, layout: dict | None = None) -> list[Piece]:
    """``text`` cut at every span boundary; each piece knows the fields that cover it, and
    the piece where a page, paragraph or table of a PDF or DOCX begins knows which it is."""
    items = [(n, i, max(0, s), min(len(text), e)) for n, i, s, e in span_list(spans) if s < e]
    regions = {min(max(0, s), len(text)): (kind, number) for kind, number, s, _ in layout_regions(layout)}
    cuts = sorted({0, len(text)} | {s for _, _, s, _ in items} | {e for _, _, _, e in items}
                  | {s for s in regions if s < len(text)})
    pieces = []
    for start, end in zip(cuts, cuts[1:]):
        fields = tuple(sorted({n for n, _, s, e in items if s <= start and end <= e}))
        anchors = tuple(f"{n}-{i}" for n, i, s, _ in items if s == start)
        region, number = regions.get(start, ("", 0))
        pieces.append(Piece(text[start:end], fields, anchors, region, number))
    return pieces
