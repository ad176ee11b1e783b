"""Metadata printed around a letter: the page header block (索引号, 文号, 发布时间 …),
classification and disclosure marks, the contact block and the 抄送 line.

Every function works on the normalised text and returns values with absolute offsets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .patterns import Guarded


@dataclass(frozen=True)
class Found:
    value: str
    start: int
    end: int


LABELS: dict[str, tuple[str, ...]] = {
    "index_number": ("索引号",),
    "doc_number": ("发文字号", "发文编号", "发文号", "文件编号", "文号", "字号"),
    "published": ("发布时间", "发布日期", "发表时间", "发文日期", "公开日期", "公布日期"),
    "written": ("成文日期", "成文时间", "印发日期"),
    "generated": ("生成日期", "更新时间", "更新日期"),
    "source": ("发布机构", "发文机关", "发布单位", "发文单位", "发文机构"),
    # A page's source line names whoever it was copied from ('来源:农业农村部网站'), not the writer.
    "origin": ("信息来源", "来源单位", "来源"),
    "lead": ("主办单位", "承办单位", "办理单位", "答复单位"),
    # Portals that list proposals print the reference as fields.
    "proposal_number": ("提案编号", "提案号", "案号"),
    "proposer": ("第一提案人", "领衔提案人", "提案人", "领衔人"),
    "proposal_title": ("提案标题", "提案名称", "提案题目", "案由"),
    "replied": ("答复时间", "答复日期", "办复时间", "办复日期"),
    "co": ("会办单位", "协办单位"),
    "signer": ("签发人",),
    "name": ("名称", "标题"),
    "other": (
        "主题分类", "体裁分类", "信息分类", "组配分类", "服务对象", "主题词", "关键词", "有效性",
        "所属机构", "所属主题", "公文种类", "文种", "年份", "作者", "浏览次数", "访问量", "字体",
    ),
}
_LABEL_TO_KEY = {label: key for key, labels in LABELS.items() for label in labels}
_ALL_LABELS = sorted(_LABEL_TO_KEY, key=len, reverse=True)


def _spaced(label: str) -> str:
    # Page layouts sometimes justify labels with spaces: '索 引 号'.
    return "[ \t]?".join(map(re.escape, label))


LABEL_RE = re.compile(
    r"(?:^|(?<=[\s\[【|]))[\[【]?[ \t]*(?P<label>"
    + "|".join(_spaced(lb) for lb in _ALL_LABELS)
    + r")[ \t]*(?:[\]】][ \t]*:?|:|\|(?=[ \t]*[^\s|])|[ \t]{2,}(?=\S))",
    re.M,
)
# Table rows copied from pages separate label and value with '|' cells or runs of spaces:
# '| 发布机构 | 龙陵县林业和草原局 |', '公开日期  2018-12-14  发布机构  罗庄区综合行政执法局'.
# Labels cut down to their last character by a lossy page copy ('号:', '称:').
TRUNCATED_LABEL_RE = re.compile(r"^[ \t]*(?P<label>号|称)[ \t]*:", re.M)
_VALUE_TRIM = " \t[]【】|"

DOCNUM_RE = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,15}?)[ \t]*[〔\[【(（［{][ \t]*(?P<year>(?:19|20)\d{2})[ \t]*"
    r"[〕\]】)）］}][ \t]*第?[ \t]*(?P<no>\d{1,6})[ \t]*号"
)


# What may follow a document number on its own header line: a classification mark and the signer.
DOC_LINE_TAIL_RE = re.compile(r"[ \t]*(?:[【\[(]?[ \t]*[ABCD]\d?[ \t]*类?[ \t]*[】\])]?)?[ \t]*(?:签发人[ \t]*:.*)?")


def _trimmed(text: str, start: int, end: int) -> Found:
    value = text[start:end]
    left = len(value) - len(value.lstrip(_VALUE_TRIM))
    stripped = value.strip(_VALUE_TRIM)
    return Found(stripped, start + left, start + left + len(stripped))


def _label_key(label: str) -> str:
    key = _LABEL_TO_KEY.get(label)
    return key if key is not None else _LABEL_TO_KEY[_SPACES_RE.sub("", label)]  # '索 引 号'


_SPACES_RE = re.compile(r"[ \t]")


def scan_header(text: str, start: int, end: int) -> tuple[dict[str, list[Found]], set[int]]:
    """Read 'label: value' pairs in text[start:end].

    Returns the values per canonical key and the start offsets of lines that carry labels
    (so the body can leave them out).
    """
    fields: dict[str, list[Found]] = {}
    label_lines: set[int] = set()
    # Both patterns are searched over the whole range at once: neither can cross a line break,
    # so their matches are those of a search line by line.
    by_line: dict[int, list] = {}
    for found in LABEL_RE.finditer(text, start, end):
        by_line.setdefault(max(start, text.rfind("\n", start, found.start()) + 1), []).append(found)
    truncated = {m.start(): m for m in TRUNCATED_LABEL_RE.finditer(text, start, end)}
    for pos in sorted(by_line.keys() | truncated.keys()):
        line_end = text.find("\n", pos, end)
        line_end = end if line_end == -1 else line_end
        m = truncated.get(pos)
        matches = [(found, _label_key(found.group("label"))) for found in by_line.get(pos, ())]
        if m and (not matches or matches[0][0].start() >= m.end()):
            matches.insert(0, (m, "ambiguous_number" if m.group("label") == "号" else "name"))
        if matches:
            label_lines.add(pos)
        for i, (m, key) in enumerate(matches):
            value_end = matches[i + 1][0].start() if i + 1 < len(matches) else line_end
            cell_end = text.find("|", m.end(), value_end)
            if cell_end > m.end() and text[m.end():cell_end].strip():
                value_end = cell_end      # a table cell ends at the next '|'

            found = _trimmed(text, m.end(), value_end)
            if found.value:
                fields.setdefault(key, []).append(found)
    return fields, label_lines


def header_before(fields: dict[str, list[Found]], label_lines: set[int], end: int
                  ) -> tuple[dict[str, list[Found]], set[int]]:
    """scan_header's result cut at ``end``, a line start: what scan_header(text, start, end)
    would return, since no label or value it reads crosses a line break."""
    kept = {}
    for key, found in fields.items():
        before = [f for f in found if f.start < end]
        if before:
            kept[key] = before
    return kept, {pos for pos in label_lines if pos < end}


def doc_number_from(found: Found) -> Found | None:
    """Canonical '曲政函〔2024〕257号' when ``found`` is exactly a document number."""
    m = DOCNUM_RE.fullmatch(found.value)
    if not m:
        return None
    value = f"{m.group('prefix')}〔{m.group('year')}〕{m.group('no')}号"
    return Found(value, found.start, found.end)


# --- classification and disclosure ------------------------------------------------

_CLASS_LABELS = (r"办理结果|分类标识|答复类别|办理类别|答复类型|提案类别|办理类型|答复分类|类别标识|结果类别|"
                 r"类[ \t]?别")
CLASS_RE = Guarded(re.compile(
    rf"(?:{_CLASS_LABELS})[ \t]*:?[ \t]*[【\[(]?[ \t]*(?P<v>[ABCD])(?![A-Za-z])\d?[ \t]*类?"
), "类别", "类型", "分类", "结果", "类 别", "类\t别")
# A mark alone on a header line: '(C)', '【A】', 'B类', 'B1类', or the bare letter printed top right.
CLASS_LINE_RE = re.compile(r"[ \t]*[【\[(]?[ \t]*(?P<v>[ABCD])\d?[ \t]*类?[ \t]*[】\])]?[ \t]*")
# A mark run together with the document number: '…〔2023〕13号B1类', '华建复〔2017〕5号(B类)'.
CLASS_AFTER_DOC_RE = re.compile(r"〕[ \t]*第?[ \t]*\d{1,6}[ \t]*号[ \t]*[【\[(]?[ \t]*(?P<v>[ABCD])\d?[ \t]*类")

_DISCLOSE_LABELS = r"是否同意公开|是否公开|公开类型|公开方式|公开属性|公开形式|公开选项|公开范围"
DISCLOSURE_RE = Guarded(re.compile(
    rf"(?:{_DISCLOSE_LABELS})[ \t]*:?[ \t]*[【\[(]?[ \t]*(?P<v>主动公开|依申请公开|不予公开|不公开|公开)"
    r"|法定主动\s*公开(?:内容)?"
    r"|此件(?P<note>公开发布|主动公开|依申请公开|不予公开|不公开)"
), "公开")
DISCLOSURE_REASON_RE = Guarded(re.compile(r"不予公开(?:的)?(?:理由|原因)[ \t]*:?[ \t]*(?P<v>[^\n】\]]{2,80})"), "不予公开")
_DISCLOSURE_CANON = {
    "主动公开": "主动公开", "公开": "主动公开", "公开发布": "主动公开",
    "依申请公开": "依申请公开", "不予公开": "不予公开", "不公开": "不予公开",
}


def find_classification(text: str, regions: list[tuple[int, int]]) -> Found | None:
    for start, end in regions:
        m = CLASS_RE.search(text, start, end)
        if m:
            return Found(m.group("v"), m.start("v"), m.end("v"))
    for start, end in regions[:1]:
        m = CLASS_AFTER_DOC_RE.search(text, start, end)
        if m:
            return Found(m.group("v"), m.start("v"), m.end("v"))
    # A lone '(C)' line in the header block.
    for start, end in regions[:1]:
        pos = start
        while pos < end:
            line_end = text.find("\n", pos, end)
            line_end = end if line_end == -1 else line_end
            m = CLASS_LINE_RE.fullmatch(text, pos, line_end)
            if m:
                return Found(m.group("v"), m.start("v"), m.end("v"))
            pos = line_end + 1
    return None


def find_disclosure(text: str, regions: list[tuple[int, int]]) -> tuple[Found | None, Found | None]:
    for start, end in regions:
        m = DISCLOSURE_RE.search(text, start, end)
        if not m:
            continue
        printed = m.group("v") or m.group("note")
        value = _DISCLOSURE_CANON[printed] if printed else "主动公开"
        span = (m.start("v"), m.end("v")) if m.group("v") else (m.start(), m.end())
        reason = None
        if value == "不予公开":
            r = DISCLOSURE_REASON_RE.search(text, start, end)
            if r:
                reason = Found(r.group("v").strip(), r.start("v"), r.end("v"))
        return Found(value, *span), reason
    return None, None


# --- contact and copies -------------------------------------------------------------

_UNIT_RE = Guarded(re.compile(r"联系(?:单位|部门|科室)[ \t]*:[ \t]*(?P<v>[^\s,;)(]{2,40})"), "联系")
_PERSON_RE = Guarded(re.compile(
    r"联系人(?:员)?(?:及(?:联系)?(?:电话|方式))?[ \t]*:[ \t]*"
    r"(?P<v>[\u4e00-\u9fff·]{2,6}?)(?=联系|电话|手机|[\s,;)(\d]|$)"
), "联系人")
_PHONE_RE = Guarded(re.compile(
    r"(?:联系电话|电话|手机|联系方式|办公电话)[ \t]*:[ \t]*(?P<v>\(?\d[\d\-—–―‐‑()~ ]{5,24}\d)"
), "电话", "手机", "联系方式")
_BARE_PHONE_RE = re.compile(r"(?<!\d)(?P<v>0\d{2,3}[\-—–―‐‑ ]?\d{7,8}|1[3-9]\d{9})(?!\d)")
_DASHES = str.maketrans({"—": "-", "–": "-", "―": "-", "‐": "-", "‑": "-", "~": "-"})


_AREA_CODE_RE = re.compile(r"^\((\d{3,4})\)")
_DASH_RUN_RE = re.compile(r"-{2,}")


def _clean_phone(raw: str) -> str:
    phone = raw.translate(_DASHES).replace(" ", "")
    phone = _AREA_CODE_RE.sub(r"\1-", phone)
    return _DASH_RUN_RE.sub("-", phone)


def find_contact(text: str, start: int, end: int) -> dict[str, Found | None]:
    contact: dict[str, Found | None] = {"unit": None, "person": None, "phone": None}
    m = _UNIT_RE.search(text, start, end)
    if m:
        contact["unit"] = Found(m.group("v"), m.start("v"), m.end("v"))
    m = _PERSON_RE.search(text, start, end)
    if m:
        contact["person"] = Found(m.group("v"), m.start("v"), m.end("v"))
    m = _PHONE_RE.search(text, start, end)
    if not m and contact["person"]:
        # '联系人:张三 0874-1234567' carries the number without a label.
        person = contact["person"]
        m = _BARE_PHONE_RE.search(text, person.end, min(end, person.end + 30))
    if m:
        raw = m.group("v").rstrip(" ()")
        contact["phone"] = Found(_clean_phone(raw), m.start("v"), m.start("v") + len(raw))
    return contact


CC_RE = Guarded(re.compile(r"抄[ \t]*送[ \t]*(?:单位)?[ \t]*:[ \t]*(?P<v>[^\n]+)"), "抄")
_CC_SPLIT = re.compile(r"[、,;]")


def find_cc(text: str, start: int, end: int) -> list[Found]:
    m = CC_RE.search(text, start, end)
    if not m:
        return []
    out: list[Found] = []
    pos = m.start("v")
    for piece in _CC_SPLIT.split(m.group("v")):
        at = text.find(piece, pos)
        pos = at + len(piece)
        left = len(piece) - len(piece.lstrip())
        item = piece.strip().rstrip("。.").strip()
        if item:
            out.append(Found(item, at + left, at + left + len(item)))
    return out
