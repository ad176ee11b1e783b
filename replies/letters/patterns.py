"""Regular expressions shared by the parser. Compiled once; all run on normalised text
and are written to stay linear (bounded repeats, no nested quantifiers)."""
from __future__ import annotations

import re

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
SESSION_LONG_RE = re.compile(
    rf"(?:中国人民政治协商会议|政协)(?P<place>[{HAN}]{{1,12}}?(?:自治区|省|市|州|县|区|旗|盟)|全国)"
    rf"[ \t]*第?(?P<term>[{CN_NUM}\d]{{1,4}})[ \t]*届(?:全国)?委员会[ \t]*"
    rf"第?(?P<sess>[{CN_NUM}\d]{{1,3}})[ \t]*次(?:全体)?会议"
)
NUMBER_AFTER_SESSION_RE = re.compile(
    rf"[ \t]*(?:提案)?(?:第|编号)?[ \t]*(?P<num>{NUM})[ \t]*号"
)
PROPOSAL_REF_RE = re.compile(
    rf"第[ \t]*(?P<n1>{NUM})[ \t]*号[ \t]*(?:提案|建议|议案)"
    rf"|提案(?:第|编号[ \t]*:?)[ \t]*(?P<n2>{NUM})[ \t]*号"
    rf"|(?<![0-9A-Za-z.])(?P<n3>{NUM})[ \t]*号[ \t]*提案"
)
PAREN_NUMBER_RE = re.compile(rf"第[ \t]*(?P<num>{NUM})[ \t]*号")

# '你提出的《关于…的提案》(第55号)', '你们提出的“关于…”的提案'
PROPOSED_RE = re.compile(
    r"(?:你|您|贵|委员|同志|代表)[们会单位党派委组织]{0,2}[ \t]*(?:在[^\n。]{0,40}?)?"
    r"(?:领衔|联名)?(?:提出|所提|提交|提)的?[^\n。《“\"「]{0,40}?"
    r"(?:《(?P<t>[^》\n]{2,150})》|[“\"「](?P<t2>[^”\"」\n]{2,150})[”\"」])"
    r"(?:[ \t]*\((?P<paren>[^()\n]{1,60})\))?"
)
PROPOSED_PLAIN_RE = re.compile(
    r"(?:你|您|贵)[们会]?(?:领衔|联名)?(?:提出|所提)的[ \t]*(?P<t>关于[^\n。,《》]{2,80}?的(?:提案|建议))"
    r"(?:[ \t]*\((?P<paren>[^()\n]{1,60})\))?"
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
    re.compile(
        r"(?:经与|经同|并与|会同|商请|经商)(?P<v>[^。;\n:,]{2,80}?)(?:等(?:部门|单位))?"
        r"(?:共同|一起|联合|认真|进行|反复)*(?:研究|会商|协商|商议|沟通|办理)"
    ),
    re.compile(r"(?:会办|协办)单位(?:为|是|有)?[ \t]*:?[ \t]*(?P<v>[^。;\n)]{2,80})"),
    re.compile(rf"(?P<v>[{HAN}]{{2,40}})\((?:会办|协办)(?:单位)?\)"),
)

_BUTTONS = r"【?(?:打印|关闭|返回顶部|关闭窗口|打印本页|打印此页|收藏|返回|大|中|小)】?"
FURNITURE_RE = re.compile(
    r"您?当前的?位置|^首页[ \t]*(?:>|»|/)|[>»][ \t]*政务公开|扫一扫|^(?:微信|微博|QQ空间|QQ|分享)$|"
    r"^分享(?:到)?[ \t]*:|字体[ \t]*:?[ \t]*[\[【]|字号[ \t]*:?[ \t]*[\[【大中小]|"
    rf"^{_BUTTONS}(?:[ \t]*{_BUTTONS})*$|"
    r"还剩\d+页未读|继续阅读|本资源只提供|^文本内容[ \t]*:|浏览次数|访问次数|阅读次数|点击数[:]|"
    r"^(?:上一篇|下一篇)[ \t]*:|^(?:个人认证|优秀文档|获得点赞)|^中国政府网|网站地图|版权所有|ICP备|"
    r"网站标识码|公网安备|^相关(?:链接|文章|阅读|稿件)[ \t]*:?$"
)

LOST_CHAR_RE = re.compile(rf"(?<=[{HAN}])\?+|\?+(?=[{HAN}])|\ufffd")
DOC_LINE_TAIL_RE = re.compile(r"联系|电话|抄送|此件|附件|印发|^\(|^【")
CLOSING_RE = re.compile(r"此复|特此函告|特此答复|特此函复|以上答复|感谢[^\n]{0,20}(?:关心|支持|理解)")
