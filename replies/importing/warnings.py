"""The importer's warnings in the reader's language.

The parser is pure and writes its warnings as plain English lines (they are also what the
command line and the tests read); a person reads them here, matched against this catalogue
and written again in their own language (Chinese by default). A line the catalogue does not
know is shown as it is."""
from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# (pattern of the English line, its words for a reader; groups fill the placeholders)
CATALOGUE = [
    (r"Traditional characters converted to Simplified for matching \((?P<n>\d+) characters\)",
     _("繁体字已转为简体以便识别(%(n)s 个字)")),
    (r"characters lost in conversion \('\?'\): (?P<lost>.*)", _("转换中丢失的字符(显示为“?”):%(lost)s")),
    (r"issuing body partly lost in conversion \('\?'\): '(?P<line>.*)'", _("发文机关部分字符丢失(“?”):%(line)s")),
    (r"no lead agency found", _("未找到主办单位")),
    (r"committee inferred from agency place \('(?P<lead>.*)' -> '(?P<committee>.*)'\)",
     _("政协由承办单位所在地推断(%(lead)s → %(committee)s)")),
    (r"committee named only as '(?P<level>.*)政协' and no agency place to complete it",
     _("来函只写“%(level)s政协”,且无法从承办单位推断所在地")),
    (r"no proposal number found", _("未找到提案号")),
    (r"no signature date", _("未找到成文日期")),
    (r"signature date (?P<signed>\S+) is after publication (?P<published>\S+)",
     _("成文日期 %(signed)s 晚于发布日期 %(published)s")),
    (r"signature date (?P<signed>\S+) is more than a year before publication",
     _("成文日期 %(signed)s 早于发布日期一年以上")),
    (r"implausible (?P<name>.+): (?P<value>\S+)", _("日期不合常理(%(name)s):%(value)s")),
    (r"run-together date '(?P<run>.*)' is ambiguous \((?P<readings>.*)\); chose (?P<chosen>\S+)",
     _("连写日期“%(run)s”有多种读法(%(readings)s),已取 %(chosen)s")),
    (r"(?P<field>\S+) longer than (?P<limit>\d+) characters: cut", _("%(field)s 超过 %(limit)s 个字符,已截断")),
    (r"proposal title not found in the letter", _("来函中未找到提案案由")),
    (r"not linked to a proposal: the letter does not give (?P<missing>.*)",
     _("未关联到提案:来函未写明 %(missing)s")),
    (r"co-handling agency '(?P<name>.*)' recorded as '(?P<qualified>.*)': its official full name is not in the "
     r"letter", _("会办单位“%(name)s”记为“%(qualified)s”:来函未写明其正式全称")),
    (r"no proposer named in the letter", _("来函未写明提案人")),
    # The letter parser's evidence and recognition (issue 10, replies.letters).
    (r"(?P<field>\S+) left empty for review \((?P<how>.*), confidence (?P<confidence>[\d.]+)\): '(?P<value>.*)'",
     _("%(field)s 识别把握不足(%(how)s,置信度 %(confidence)s),留空待核对:“%(value)s”")),
    (r"pinyin glosses removed for matching \((?P<n>\d+) characters\)", _("已去除拼音注音以便识别(%(n)s 个字符)")),
    (r"co-handling opinion: the lead agency is not named", _("会办意见:未写明主办单位")),
    (r"file too large: (?P<size>\d+) bytes \(the limit is (?P<limit>\d+)\)",
     _("文件过大:%(size)s 字节(上限 %(limit)s 字节),不是一封答复函")),
    (r"cannot read file: (?P<reason>.*)", _("无法读取文件:%(reason)s")),
    # Files that are not read (replies.importing.formats, pdf_text, docx_text).
    (r"unsupported file format \((?P<what>.*)\): convert it to PDF or DOCX",
     _("不支持的文件格式(%(what)s):请转换为 PDF 或 DOCX 后再导入")),
    (r"scanned PDF without a text layer \((?P<pages>\d+) pages?\): run text recognition \(OCR\) first",
     _("扫描件,无文字层(共 %(pages)s 页):请先做文字识别(OCR)")),
    (r"PDF text cannot be decoded: (?P<bad>\d+) of (?P<total>\d+) characters have no Unicode value in their font; "
     r"run text recognition \(OCR\) first",
     _("PDF 的文字无法解码(%(total)s 个字符中有 %(bad)s 个在字体中没有 Unicode 编码):请先做文字识别(OCR)")),
    (r"encrypted PDF: it cannot be read without its password", _("PDF 文件已加密,没有密码无法读取")),
    (r"PDF too long: more than (?P<limit>\d+) pages", _("PDF 页数过多:超过 %(limit)s 页")),
    (r"unreadable PDF: (?P<detail>.*)", _("无法读取 PDF 文件:%(detail)s")),
    (r"DOCX without text, only images \(a scan\?\): run text recognition \(OCR\) first",
     _("DOCX 文件中没有文字,只有图片(扫描件?):请先做文字识别(OCR)")),
    (r"unreadable DOCX: (?P<detail>.*)", _("无法读取 DOCX 文件:%(detail)s")),
    (r"no date in the letter: assignment date set to the import date", _("来函没有日期:交办日期记为导入日期")),
    (r"co-handling agencies differ from the letter \(recorded: (?P<recorded>.*); letter: (?P<letter>.*)\): "
     r"left as recorded", _("会办单位与来函不一致(已录入:%(recorded)s;来函:%(letter)s),保留已录入的")),
]
_COMPILED = [(re.compile(f"^{pattern}$"), words) for pattern, words in CATALOGUE]


def warning_text(line: str) -> str:
    """One warning in the active language."""
    for pattern, words in _COMPILED:
        match = pattern.match(line)
        if match:
            return str(words) % match.groupdict() if match.groupdict() else str(words)
    return line


def warning_texts(lines) -> list[str]:
    return [warning_text(line) for line in lines or ()]
