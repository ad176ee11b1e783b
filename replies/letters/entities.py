"""Names in a letter: agencies, proposers and committees.

All functions work on normalised text (Simplified, half-width punctuation).
"""
from __future__ import annotations

import re

HAN = r"\u3400-\u9fff"

# Endings of government bodies and other organisations that answer proposals.
AGENCY_SUFFIX = (
    r"(?:人民政府|政府|管理委员会|管委会|委员会|委|局|厅|办公室|办|部|院|中心|公司|集团|署|站|所|处|"
    r"馆|社|支队|总队|队|分行|银行|行|法院|检察院|办事处|联合会|协会|工会|学校|大学|学院|医院|党组|科)"
)
_AGENCY_RE = re.compile(rf"[{HAN}()]{{1,40}}?{AGENCY_SUFFIX}")
_GENERIC_AGENCIES = frozenset({
    "相关部门", "有关部门", "各部门", "有关单位", "相关单位", "各单位", "我局", "我委", "我厅",
    "我办", "本单位", "本局", "主管部门", "职能部门", "部门", "单位", "上级部门", "行业主管部门",
    "省级部门", "市级部门", "县级部门", "各级政府", "政府",
})
_GENERIC_PREFIXES = ("相关", "有关", "各", "我", "本", "该", "其他", "上级", "多个", "八", "几", "您", "你", "贵")
LEVEL_CHARS = "省市州县区旗盟"


def is_agency(name: str) -> bool:
    """True when ``name`` reads as the name of one organisation."""
    if not 2 <= len(name) <= 40 or name in _GENERIC_AGENCIES:
        return False
    if name.startswith(_GENERIC_PREFIXES) and not name.startswith("各民主党派"):
        return False
    if re.search(r"[。,;:!?、\s]", name):
        return False
    return _AGENCY_RE.fullmatch(name) is not None


def _suffix_class(name: str) -> str:
    if name.endswith(("委员会", "委")):
        return "委"
    if name.endswith("政府"):
        return "政府"
    if name.endswith(("办公室", "办")):
        return "办"
    return name[-1:]


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def same_agency(a: str, b: str) -> bool:
    """Whether two names plausibly denote one agency ('市教委' ~ '重庆市教育委员会')."""
    if a == b:
        return True
    short, full = sorted((a, b), key=len)
    if len(short) < 3 or _suffix_class(short) != _suffix_class(full):
        return False
    if full.endswith(short) and short[0] in LEVEL_CHARS:
        return True
    if short[0] not in LEVEL_CHARS or short[0] not in full:
        return False
    rest = full[full.index(short[0]):]
    return _is_subsequence(short, rest)


def place_of(agency: str, level: str) -> str | None:
    """The place name of ``level`` in an agency name: ('曲靖市人民政府', '市') -> '曲靖市'."""
    if not agency:
        return None
    m = re.match(rf"([{HAN}]{{1,12}}?{level})", agency)
    if not m:
        return None
    place = m.group(1)
    if level in "县区旗":
        # '曲靖市麒麟区教育局' -> '麒麟区': a county sits under a prefecture.
        inner = re.search(rf"(?:省|市|州|盟)([{HAN}]{{1,8}}{level})$", place)
        if inner:
            place = inner.group(1)
    if len(place) < 2 or place[0] in LEVEL_CHARS:
        return None
    if place.startswith(("中共", "中国共产党")):
        place = place[2:] if place.startswith("中共") else place[5:]
    return place if len(place) >= 2 else None


_LIST_SPLIT = re.compile(r"[、,;/]|以及")
_AND_SPLIT = re.compile(r"和|及|与|同")


def split_agencies(text: str) -> list[tuple[str, int, int]]:
    """Split '市委编办、市人力社保局等部门' into agency names with offsets (relative)."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    for piece in _LIST_SPLIT.split(text) + [None]:
        if piece is None:
            break
        start = text.find(piece, pos)
        pos = start + len(piece)
        for name, s in _split_and(piece, start):
            name_stripped = re.sub(r"(等)?(相关|有关)?(部门|单位|共同|一起|联合|认真)*$", "", name)
            name_stripped = re.sub(r"等$", "", name_stripped)
            lead = len(name) - len(name.lstrip())
            name_stripped = name_stripped.strip()
            if is_agency(name_stripped):
                s0 = s + lead
                out.append((name_stripped, s0, s0 + len(name_stripped)))
    return out


def _split_and(piece: str, start: int) -> list[tuple[str, int]]:
    parts = _AND_SPLIT.split(piece)
    if len(parts) > 1 and all(is_agency(p.strip()) for p in parts):
        result, pos = [], 0
        for p in parts:
            at = piece.find(p, pos)
            pos = at + len(p)
            result.append((p, start + at))
        return result
    return [(piece, start)]


# --- proposers -------------------------------------------------------------------

_COLLECTIVE = re.compile(
    r"民革|民盟|民建|民进|农工党|农工|致公党|九三学社|台盟|工商联|妇联|共青团|团委|团市委|总工会|工会|科协|侨联|"
    r"青联|台联|文联|社科联|界别|界$|委员小组|小组|专门委员会|专委会|委员会|委$|支部|支社|联合会|协会|商会|"
    r"党派|组$|室$|中心$|总支|基层委员会"
)
_HONORIFIC_TAIL = re.compile(r"(?:各位)?(?:委员|同志|代表|先生|女士|老师|主委|主席|会长)(?:们)?$")
_NOT_PROPOSER = re.compile(r"提案委|提案工作委员会|办公室|^贵|^你|^您|^各")
_NAME_PIECE_SPLIT = re.compile(r"[、,;]")
_PERSON = re.compile(rf"[{HAN}]{{2,4}}|[{HAN}]{{1,8}}·[{HAN}]{{1,8}}")


def proposer_kind(name: str) -> str:
    return "collective" if _COLLECTIVE.search(name) else "member"


def parse_salutation(line: str, offset: int) -> tuple[list[tuple[str, int, int]], bool] | None:
    """Read proposers from a salutation line ('尊敬的陈磊、卢晓辉等委员:').

    Returns ([(name, start, end)], more) with absolute offsets, or None when the line
    is not a salutation that names proposers.
    """
    stripped = line.rstrip().rstrip(":").rstrip()
    m = re.match(r"\s*(?:尊敬的|敬爱的|亲爱的)?\s*", stripped)
    cursor = m.end()
    body = stripped[cursor:]
    if not body or len(body) > 60 or re.search(r"如下|收悉|答复|提出|办理|现将|。|印发", body):
        return None
    more = False
    tail = _HONORIFIC_TAIL.search(body)
    if tail:
        body = body[:tail.start()]
    if body.endswith("等"):
        more, body = True, body[:-1]
    names: list[tuple[str, int, int]] = []
    pos = 0
    for piece in _NAME_PIECE_SPLIT.split(body):
        at = body.find(piece, pos)
        pos = at + len(piece)
        for token, t_start, t_end in _split_spaces(piece, at):
            name = _HONORIFIC_TAIL.sub("", token)
            if name.endswith("等"):
                more, name = True, name[:-1]
            name = _HONORIFIC_TAIL.sub("", name)
            if not name or _NOT_PROPOSER.search(name):
                continue
            if proposer_kind(name) == "member" and not _PERSON.fullmatch(name):
                return None
            start = offset + cursor + t_start
            end = start + (t_end - t_start) - (len(token) - len(name))
            names.append((name, start, end))
    if not names:
        return None
    return names, more


def _split_spaces(piece: str, at: int) -> list[tuple[str, int, int]]:
    """Split on spaces, but rejoin '陈 平' (two-character names are often padded).

    Returns (name, start, end) with start/end relative to the salutation body.
    """
    tokens = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", piece)]
    if len(tokens) > 1 and all(len(t) == 1 for t, _, _ in tokens):
        return [("".join(t for t, _, _ in tokens), at + tokens[0][1], at + tokens[-1][2])]
    merged: list[tuple[str, int, int]] = []
    i = 0
    while i < len(tokens):
        tok, s, e = tokens[i]
        if len(tok) == 1 and i + 1 < len(tokens) and len(tokens[i + 1][0]) <= 2:
            tok, e = tok + tokens[i + 1][0], tokens[i + 1][2]
            i += 1
        merged.append((tok, at + s, at + e))
        i += 1
    return merged
