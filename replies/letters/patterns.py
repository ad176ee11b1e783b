"""Regular expressions shared by the parser. Compiled once; all run on normalised text
and are written to stay linear (bounded repeats, no nested quantifiers)."""
from __future__ import annotations

import re

class Guarded:
    """A pattern searched only where it can match: every match of ``regex`` holds one of
    ``literals`` (by construction: each alternative of the pattern spells one of them out), and
    str.find skips through a letter in C many times faster than re tries a pattern at each
    position. A range without any of them has no match; otherwise the pattern itself decides.
    tests/replies/test_letter_speed_guards.py checks every guard against its pattern."""

    __slots__ = ("regex", "literals", "pattern")

    def __init__(self, regex: re.Pattern, *literals: str):
        self.regex, self.literals, self.pattern = regex, literals, regex.pattern

    def _possible(self, text: str, pos: int, endpos: int) -> bool:
        find = text.find
        return any(find(literal, pos, endpos) != -1 for literal in self.literals)

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        endpos = len(text) if endpos is None else endpos
        return self.regex.search(text, pos, endpos) if self._possible(text, pos, endpos) else None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        endpos = len(text) if endpos is None else endpos
        return self.regex.finditer(text, pos, endpos) if self._possible(text, pos, endpos) else iter(())


HAN = r"\u3400-\u9fff"
CN_NUM = "〇零一二三四五六七八九十百两"
# A proposal number as printed: 55, 0325, 2025D048, 6.11, A-12.
NUM = r"[0-9A-Za-z](?:[0-9A-Za-z.\-]{0,14}[0-9A-Za-z])?"

# 'XX市政协六届三次会议', '全国政协十四届二次会议', '政协第十四届全国委员会第二次会议'
SESSION_SHORT_RE = re.compile(
    rf"(?P<level>全国|自治区|省|市|州|县|区|旗|盟)?(?:政协|人民政协)[ \t]*"
    rf"第?(?P<term>[{CN_NUM}\d]{{1,4}})[ \t]*届[ \t]*(?P<national>全国委员会)?(?:委员会)?[ \t]*"
    rf"第?(?P<sess>[{CN_NUM}\d]{{1,3}})[ \t]*次(?:全体)?会议"
)
# '政协曲靖市第六届委员会第三次会议', '中国人民政治协商会议云南省第十二届委员会第五次会议'
# ... and without 委员会: '政协隆阳区五届四次会议', '政协马关县第九届一次会议'.
SESSION_LONG_RE = re.compile(
    rf"(?:中国人民政治协商会议|政协)(?P<place>[{HAN}]{{1,12}}?(?:自治区|省|市|州|县|区|旗|盟)|全国)"
    rf"[ \t]*第?(?P<term>[{CN_NUM}\d]{{1,4}})[ \t]*届(?:(?:全国)?委员会)?[ \t]*"
    rf"第?(?P<sess>[{CN_NUM}\d]{{1,3}})[ \t]*次(?:全体)?会议"
)
# The ordinal first: '政协第十一届花都区委员会第三次会议' (政协第十四届全国委员会 is SESSION_SHORT_RE's).
SESSION_ORDINAL_RE = re.compile(
    rf"(?:中国人民政治协商会议|政协)[ \t]*第?(?P<term>[{CN_NUM}\d]{{1,4}})[ \t]*届[ \t]*"
    rf"(?P<place>[{HAN}]{{1,12}}?(?:自治区|省|市|州|县|区|旗|盟))委员会[ \t]*"
    rf"第?(?P<sess>[{CN_NUM}\d]{{1,3}})[ \t]*次(?:全体)?会议"
)
# The term before 政协: '市十三届政协三次会议'.
SESSION_TERM_FIRST_RE = re.compile(
    rf"(?P<level>自治区|省|市|州|县|区|旗|盟)[ \t]*第?(?P<term>[{CN_NUM}\d]{{1,4}})[ \t]*届[ \t]*政协[ \t]*"
    rf"第?(?P<sess>[{CN_NUM}\d]{{1,3}})[ \t]*次(?:全体)?会议"
)
# The place lost (mirrors replace it): '政协……第十四届委员会第二次会议' gives the session only.
SESSION_PLACELESS_RE = re.compile(
    rf"政协[^\n。]{{0,60}}?第(?P<term>[{CN_NUM}\d]{{1,4}})[ \t]*届[ \t]*委员会[ \t]*"
    rf"第(?P<sess>[{CN_NUM}\d]{{1,3}})[ \t]*次(?:全体)?会议"
)
# Titles wrap after the session ('对市政协十届五次会议' / '第110号提案的答复'): a line break may come first.
NUMBER_AFTER_SESSION_RE = re.compile(
    rf"\s{{0,6}}(?:提案)?(?:第|编号)?[ \t]*(?P<num>{NUM})[ \t]*号"
)
# A reference to a proposal by its number, in two patterns searched side by side (proposal_ref):
# each starts with what the search can skip to in C (a literal; a character class), which one
# pattern of both kinds of start cannot.
PROPOSAL_REF_RE = re.compile(
    rf"第[ \t]*(?P<n1>{NUM})[ \t]*号[ \t]*(?:提案|建议|议案)"
    rf"|提案(?:第|编号[ \t]*:?)[ \t]*(?P<n2>{NUM})[ \t]*号"
    rf"|提案[ \t]*\((?P<n4>{NUM})\)[ \t]*号"       # '提案(70)号'
)
# '55号提案': NUM not preceded by a letter, digit or dot (checked after NUM's first character).
NUMBERED_PROPOSAL_RE = re.compile(r"(?P<n3>[0-9A-Za-z](?<![0-9A-Za-z.].)(?:[0-9A-Za-z.\-]{0,14}[0-9A-Za-z])?)"
                                  r"[ \t]*号[ \t]*提案")


def proposal_ref(text: str, pos: int = 0, endpos: int | None = None) -> tuple[str, int, int] | None:
    """The first proposal number referred to in text[pos:endpos] ('第55号提案', '提案第55号',
    '55号提案', '提案(70)号'): (number, its start, its end), or None."""
    endpos = len(text) if endpos is None else endpos
    found = [m for m in (PROPOSAL_REF_RE.search(text, pos, endpos), NUMBERED_PROPOSAL_RE.search(text, pos, endpos))
             if m]
    if not found:
        return None
    m = min(found, key=lambda match: match.start())
    key = next(k for k, v in m.groupdict().items() if v)
    return m.group(key), m.start(key), m.end(key)


PAREN_NUMBER_RE = re.compile(rf"第[ \t]*(?P<num>{NUM})[ \t]*号")

# '你提出的《关于…的提案》(第55号)', '你们提出的“关于…”的提案'
PROPOSED_RE = re.compile(
    r"(?:你|您|贵|委员|同志|代表)[们会单位党派委组织]{0,2}[ \t]*(?:[在于][^\n。]{0,40}?)?"
    r"(?:领衔|联名)?(?:提出|所提|提交|提)的?[^\n。《“\"「]{0,40}?"
    r"(?:《(?P<t>[^》\n]{2,150})》|[“\"「](?P<t2>[^”\"」\n]{2,150})[”\"」])"
    r"(?:[ \t]*\((?P<paren>[^()\n]{1,60})\))?"
)
PROPOSED_PLAIN_RE = re.compile(
    r"(?:你|您|贵)[们会]?(?:领衔|联名)?(?:提出|所提)的[ \t]*(?P<t>关于[^\n。,《》]{2,80}?的(?:提案|建议))"
    r"(?:[ \t]*\((?P<paren>[^()\n]{1,60})\))?"
)
# A proposal title in 《》 anywhere in the letter: '集体提案《关于…的提案》收悉', '第0479号《关于…的提案》由我委…'.
QUOTED_PROPOSAL_TITLE_RE = re.compile(r"《(?P<t>关于[^》\n]{2,150}?(?:提案|建议|议案))》")
# '关于“加大河道治理投入”的提案': the quotes are inside the title.
INNER_QUOTED_TAIL_RE = re.compile(r"[”\"」][ \t]*(?P<tail>的(?:提案|建议))")
# A party or people's organisation named as the proposer: '九三学社提出的', '民进楚雄州委提出的'.
COLLECTIVE_PROPOSED_RE = re.compile(
    rf"(?P<org>(?:民革|民盟|民建|民进|农工党|致公党|九三学社|台盟|工商联)[{HAN}]{{0,12}}?)(?:提出|所提)的"
)
REPLY_PHRASE_RE = re.compile(
    r"现(?:将[^\n。]{0,20}?)?答复如下|答复如下|函复如下|现答复|此复|特此函告|特此答复|特此函复|"
    r"收悉|交由[^\n。]{1,30}?办理|已交我[们局委厅办]"
)

REPLY_TITLE_RE = re.compile(
    r"(?:关于|对)[^\n]{0,100}?(?:提案|建议|议案)[^\n]{0,40}?"
    r"(?:答复|复函|函|办理意见|办理情况|办理结果|意见|报告)(?:的函|函|书)?\)?$"
)
OTHER_TITLE_RE = re.compile(
    r"[^,。:;!?\n]{2,58}?(?:工作总结|总结|报告|实施方案|方案|通知|意见|决定|办法|规定|通报|纪要|公告|措施)"
)
ISSUED_TITLE_RE = re.compile(r"(?:现将|将|特将)《(?P<t>[^》\n]{2,80})》(?:印发|转发|发给)")
NOTICE_RE = re.compile(r"印发|转发")
NOTICE_ACTION_RE = re.compile(r"(?:请|望)[^\n。]{0,8}?(?:抓好|贯彻|遵照|结合实际|组织实施|落实|执行)")

CO_AGENCY_RES = (
    Guarded(re.compile(
        r"(?:经与|经同|并与|会同|商请|经商)(?P<v>[^。;\n:,]{2,80}?)(?:等(?:部门|单位))?"
        r"(?:共同|一起|联合|认真|进行|反复)*(?:研究|会商|协商|商议|沟通|办理)"
    ), "经与", "经同", "并与", "会同", "商请", "经商"),
    Guarded(re.compile(r"(?:会办|协办)单位(?:为|是|有)?[ \t]*:?[ \t]*(?P<v>[^。;\n)]{2,80})"), "办单位"),
)
# '市财政局(会办)': the agency is the run of Han characters (2 to 40, the nearest ones) before the mark.
# Found from the mark backwards (fields.co_agencies_marked): a pattern that starts with the run
# would try every Han character of the letter as the start of one.
CO_AGENCY_MARK_RE = Guarded(re.compile(r"\((?:会办|协办)(?:单位)?\)"), "(会办", "(协办")
CO_AGENCY_MARKED_MAX = 40

_BUTTONS = r"【?(?:打印|关闭|返回顶部|关闭窗口|打印本页|打印此页|收藏|返回|大|中|小)】?"
# Page furniture, as what a line contains anywhere and what a line starts with (or is).
_FURNITURE_ANYWHERE = (
    r"当前的?位置", r"[>»][ \t]*政务公开", r"扫一扫", r"字体[ \t]*:?[ \t]*[\[【]", r"字号[ \t]*:?[ \t]*[\[【大中小]",
    r"还剩\d+页未读", r"继续阅读", r"本资源只提供", r"浏览次数", r"访问次数", r"阅读次数", r"点击数[:]", r"网站地图",
    r"版权所有", r"ICP备", r"网站标识码", r"公网安备",
)
_FURNITURE_LINE_START = (
    r"首页[ \t]*(?:>|»|/)", r"(?:微信|微博|QQ空间|QQ|分享)$", r"分享(?:到)?[ \t]*:", rf"{_BUTTONS}(?:[ \t]*{_BUTTONS})*$",
    r"文本内容[ \t]*:", r"(?:上一篇|下一篇)[ \t]*:", r"(?:个人认证|优秀文档|获得点赞)", r"中国政府网",
    r"相关(?:链接|文章|阅读|稿件)[ \t]*:?$",
)
# One line (stripped) is furniture when this finds something in it.
FURNITURE_RE = re.compile("|".join(_FURNITURE_ANYWHERE + tuple(f"^{p}" for p in _FURNITURE_LINE_START)))
# The same over many lines joined by newlines (model.furniture_lines), in two passes: without the
# anchored alternatives, the search skips in C to the characters a match can start with.
FURNITURE_ANYWHERE_RE = re.compile("|".join(_FURNITURE_ANYWHERE))
FURNITURE_LINE_START_RE = re.compile("^(?:" + "|".join(_FURNITURE_LINE_START) + ")", re.M)

# Links to the previous/next page name other letters' sessions and numbers: never the letter's own.
# A line that starts with one (after spaces): the pattern has no ^ so that the search skips in C to
# its first characters; parser._mask_nav_links checks that only spaces come before it.
NAV_LINK_RE = re.compile(r"(?:上一条|下一条|上一篇|下一篇|上篇|下篇|前一篇|后一篇)[ \t]*[::]")
NAV_LINK_WORDS = ("一条", "一篇", "上篇", "下篇")  # each link word above holds one of these

# People's congress suggestions (人大代表建议) are answered in the same form, but are not proposals.
PEOPLES_CONGRESS_RE = re.compile(r"人大|人民代表大会")
CPPCC_RE = re.compile(r"政协|政治协商")
# Co-handling opinions (会办意见), written to the lead agency or, for a co-handler's part, to the proposer.
# A lead's reply may mention its co-handlers' opinions ('各会办单位…提出会办意见'): only the
# letter's own kind counts ('…提案的协办意见' as its title, '提出如下会办意见', '供你单位…参考').
OPINION_RE = Guarded(re.compile(
    r"(?:提案|建议)的?(?:会办|协办)意见|如下(?:会办|协办)意见|(?:会办|协办)意见如下|"
    r"供你(?:单位|局|委|厅|办)[^\n。]{0,12}?参考|"
    r"我(?:局|委|办|厅|单位|部门|中心)[^\n。]{0,6}?(?:为|作为|系|是)(?:本提案的)?(?:会办|协办)单位"
), "办意见", "供你", "办单位")
LEAD_NAMED_RE = Guarded(re.compile(
    rf"由(?P<lead>[{HAN}()]{{2,40}}?)主办[,、。;]?[ \t]*(?:我|本)(?:局|委|办|厅|单位|部门|中心)(?:负责)?(?:会办|协办)"
), "主办")

# Placeholders of a template (范文, 格式): each slot a letter fills in. One masked slot is a
# redaction ('****委员:' on a published letter); several make a template, not a letter.
_PH = r"(?:[Xx×*＊][ \t]?){2,}"
PLACEHOLDER_SLOT_RES = (
    re.compile(rf"{_PH}(?:委员|同志|代表)"),                               # the proposer
    re.compile(rf"{_PH}(?:局|委(?!员)|厅|办|政府|单位)"),                   # the agency
    re.compile(rf"第[ \t]*{_PH}号"),                                        # the number
    re.compile(r"(?:[Xx×][ \t]?){1,2}届(?:[Xx×][ \t]?){1,2}次"),           # the session
    re.compile(r"(?:20|19)?[Xx×]{2}年|[Xx×]{1,2}月[Xx×]{1,2}日"),           # the date
    re.compile(rf"关于{_PH}的(?:提案|建议)"),                                # the title
)
TEMPLATE_MIN_SLOTS = 2
# A cheap test before the slots.
PLACEHOLDER_HINT_RE = Guarded(re.compile(r"[Xx×*＊][ \t]?[Xx×*＊]|[Xx×]届|[Xx×]月"), "X", "x", "×", "*", "＊")

LOST_CHAR_RE = re.compile(rf"(?<=[{HAN}])\?+|\?+(?=[{HAN}])|\ufffd")
DOC_LINE_TAIL_RE = re.compile(r"联系|电话|抄送|此件|附件|印发|^\(|^【")
CLOSING_RE = re.compile(r"此复|特此函告|特此答复|特此函复|以上答复|感谢[^\n]{0,20}(?:关心|支持|理解)")
