"""parse_letter / to_report on the corpus and on hand-written variants of reply letters."""
import datetime as dt
import hashlib
import random
import time
from pathlib import Path

import pytest

from replies.letters import ParsedLetter, Span, decode_document, parse_letter, to_report
from replies.letters.normalize import cn_to_int, normalize
from replies.letters.parser import _parse

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"
NO_CONTACT = {"unit": None, "person": None, "phone": None}


def corpus_report(prefix: str) -> tuple[dict, ParsedLetter]:
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    data = path.read_bytes()
    parsed = parse_letter(decode_document(data, path.name))
    report = to_report(parsed, file=str(path), sha256=hashlib.sha256(data).hexdigest())
    assert report.pop("file") == str(path)
    assert report.pop("sha256") == hashlib.sha256(data).hexdigest()
    return report, parsed


def letter(*, title="曲靖市人民政府关于市政协六届三次会议第55号提案办理意见的函",
           salutation="陈丽琴委员:", opening="你提出的《关于重视农村教育的提案》收悉,现答复如下:",
           body="一、工作开展情况。我们做了大量工作。", agency="曲靖市人民政府",
           date="2024年10月20日", header="", tail="") -> str:
    parts = [header, title, "", salutation, "", opening, "", body, "", "感谢你对政府工作的关心和支持。",
             "", agency, date, tail]
    return "\n".join(p for p in parts if p is not None)


# --- the corpus ------------------------------------------------------------------------

def test_corpus_000_qujing_reply():
    report, parsed = corpus_report("000")
    assert report == {
        "kind": "reply",
        "reason": None,
        "committee": "曲靖市政协",
        "session": "六届三次会议",
        "term": 6,
        "session_number": 3,
        "proposal_number": "55",
        "proposal_title": "关于重视农村教育 提倡集中办学的提案",
        "proposers": ["陈丽琴"],
        "proposers_more": False,
        "lead_agency": "曲靖市人民政府",
        "co_agencies": [],
        "doc_number": "曲政函〔2024〕257号",
        "signed_on": "2024-10-20",
        "published_on": "2024-10-21",
        "signer": None,
        "contact": {"unit": "市政府办公室秘书三科", "person": None, "phone": "0874-3121678"},
        "cc": [],
        "classification": None,
        "disclosure": "主动公开",
        "warnings": ["committee inferred from agency place ('曲靖市人民政府' -> '曲靖市政协')"],
    }
    assert parsed.title == "曲靖市人民政府关于市政协六届三次会议第55号提案办理意见的函"
    assert parsed.proposer_kinds == ["member"]
    assert parsed.salutation == "陈丽琴委员:"
    assert parsed.issuing_body == "曲靖市人民政府"
    assert parsed.body.startswith("曲靖市人民政府关于市政协六届三次会议第55号提案办理意见的函\n\n陈丽琴委员:")
    assert parsed.body.endswith("(联系单位:市政府办公室秘书三科 联系电话:0874—3121678)")
    assert "发布时间" not in parsed.body and "法定主动" not in parsed.body


def test_corpus_002_chongqing_reply():
    report, parsed = corpus_report("002")
    assert report == {
        "kind": "reply",
        "reason": None,
        "committee": "重庆市政协",
        "session": "五届三次会议",
        "term": 5,
        "session_number": 3,
        "proposal_number": "0325",
        "proposal_title": "关于促进基础教育优质均衡发展的建议",
        "proposers": ["陈平"],
        "proposers_more": False,
        "lead_agency": "重庆市教育委员会",
        "co_agencies": ["市委编办", "市人力社保局"],
        "doc_number": "渝教提函〔2020〕93号",
        "signed_on": "2020-04-14",
        "published_on": "2020-08-03",
        "signer": None,
        "contact": NO_CONTACT,
        "cc": [],
        "classification": None,
        "disclosure": None,
        "warnings": [
            "signature date read from run-together digits '2020414'",
            "committee inferred from agency place ('重庆市教育委员会' -> '重庆市政协')",
        ],
    }
    assert parsed.lead_agency_aliases == ["市教委"]
    assert parsed.written_on == dt.date(2020, 8, 3)
    assert parsed.index_number == "11500000009276804M/2020-03351"
    # 国发〔2016〕40号 and 渝府发〔2017〕43号 are cited policies, not the letter's number.
    assert "国发" not in parsed.doc_number
    assert parsed.body.startswith("重庆市教育委员会关于市政协五届三次会议第0325号提案办理情况的答复函\n\n渝教提函〔2020〕93号")
    assert parsed.body.rstrip().endswith("2020414")
    assert "扫一扫" not in parsed.body and "线索征集" not in parsed.body and "索引号" not in parsed.body


def test_corpus_004_chuxiong_reply():
    report, parsed = corpus_report("004")
    assert report == {
        "kind": "reply",
        "reason": None,
        "committee": "楚雄市政协",
        "session": "十届一次会议",
        "term": 10,
        "session_number": 1,
        "proposal_number": "78",
        "proposal_title": "关于落实双减政策提高教育质量",
        "proposers": ["民进楚雄州委"],
        "proposers_more": False,
        "lead_agency": "楚雄市教育体育局",
        "co_agencies": [],
        "doc_number": None,  # the header says '号:' with nothing after it
        "signed_on": "2022-06-28",
        "published_on": "2022-07-28",
        "signer": None,
        "contact": NO_CONTACT,
        "cc": [],
        "classification": None,
        "disclosure": None,
        "warnings": ["committee inferred from agency place ('楚雄市教育体育局' -> '楚雄市政协')"],
    }
    assert parsed.proposer_kinds == ["collective"]
    assert parsed.salutation == "尊敬的民进楚雄州委:"
    assert parsed.index_number == "cxs010-/2022-0728005"
    assert parsed.body.startswith("楚雄市教育体育局关于对市政协十届一次会议第78号提案的答复\n\n尊敬的民进楚雄州委:")
    assert "字体" not in parsed.body and "发表时间" not in parsed.body
    assert parsed.body.endswith("2022年6月28日")


def test_corpus_001_work_summary_is_other():
    report, parsed = corpus_report("001")
    assert report["kind"] == "other"
    assert report["reason"] == "work summary (工作总结)"
    for key in ("committee", "session", "term", "session_number", "proposal_number",
                "proposal_title", "lead_agency", "doc_number", "signed_on", "published_on",
                "signer", "classification", "disclosure"):
        assert report[key] is None, key
    assert report["proposers"] == [] and report["co_agencies"] == [] and report["cc"] == []
    assert report["proposers_more"] is False
    assert report["contact"] == NO_CONTACT
    assert parsed.title == "县市区推进义务教育基本均衡发展工作总结"
    assert "还剩35页未读" not in parsed.body and "个人认证" not in parsed.body


def test_corpus_003_traditional_policy_notice_is_other():
    report, parsed = corpus_report("003")
    assert report["kind"] == "other"
    assert report["reason"] == "policy document (印发 notice)"
    assert report["doc_number"] == "市委办发〔2024〕2号"
    assert parsed.document_date == dt.date(2024, 1, 5)
    assert parsed.title == "张掖市加快构建优质均衡的基本公共教育服务体系具体措施"
    assert parsed.issuing_body == "中共张掖市委办公室"
    assert report["proposal_number"] is None and report["proposers"] == []
    assert report["committee"] is None and report["lead_agency"] is None
    assert report["disclosure"] == "主动公开"  # breadcrumb: 法定主动公開內容
    assert any("Traditional" in w for w in report["warnings"])
    assert any("characters lost in conversion ('?')" in w for w in report["warnings"])
    assert any("issuing body partly lost" in w for w in report["warnings"])
    # The original (Traditional) text is kept; spans index it.
    assert parsed.source_text.startswith("首頁 > 政務公開")
    s = parsed.spans["doc_number"]
    assert parsed.source_text[s.start:s.end] == "市委辦發〔2024〕2號"
    assert parsed.body.startswith("市委辦發〔2024〕2號")


def test_report_keys_and_order():
    report = to_report(parse_letter(letter()), file="a.txt", sha256="0" * 64)
    assert list(report) == [
        "file", "sha256", "kind", "reason", "committee", "session", "term", "session_number",
        "proposal_number", "proposal_title", "proposers", "proposers_more", "lead_agency",
        "co_agencies", "doc_number", "signed_on", "published_on", "signer", "contact", "cc",
        "classification", "disclosure", "warnings",
    ]
    assert list(report["contact"]) == ["unit", "person", "phone"]


# --- spans -----------------------------------------------------------------------------

def _span_values(parsed: ParsedLetter):
    for name, span in parsed.spans.items():
        spans = span if isinstance(span, list) else [span]
        if name.startswith("contact."):
            values = [parsed.contact[name.split(".", 1)[1]]]
        else:
            value = getattr(parsed, name)
            values = value if isinstance(value, list) else [value]
        for s, v in zip(spans, values):
            yield name, s, v


@pytest.mark.parametrize("prefix", ["000", "002", "003", "004"])
def test_spans_point_at_the_printed_values(prefix):
    _, parsed = corpus_report(prefix)
    assert_spans(parsed)


@pytest.mark.parametrize("name", ["TRADITIONAL", "PAGE", "PORTAL", "HEADER"])
def test_spans_on_variant_letters(name):
    text = {"TRADITIONAL": TRADITIONAL, "PAGE": PAGE, "PORTAL": PORTAL,
            "HEADER": letter(header=HEADER_BLOCK, tail="抄送:市政协提案委,市政府办公室。")}[name]
    assert_spans(parse_letter(text))


def assert_spans(parsed):
    assert parsed.spans
    for name, span, value in _span_values(parsed):
        assert isinstance(span, Span) and 0 <= span.start < span.end <= len(parsed.source_text)
        printed = normalize(parsed.source_text[span.start:span.end])
        if name == "committee":
            assert printed.endswith("政协")
        elif isinstance(value, dt.date):
            assert str(value.year) in printed or "〇" in printed
        elif name == "contact.phone":
            assert printed.replace("—", "-") == value
        elif name == "doc_number":
            assert printed.replace(" ", "") .startswith(value[:2])
        elif name == "disclosure":
            assert "公开" in printed
        else:
            assert str(value) in printed or cn_to_int(printed) == value, (name, printed, value)


def test_spans_cover_proposer_names_and_session():
    _, parsed = corpus_report("000")
    text = parsed.source_text
    (s,) = parsed.spans["proposers"]
    assert text[s.start:s.end] == "陈丽琴"
    s = parsed.spans["session"]
    assert text[s.start:s.end] == "六届三次会议"
    s = parsed.spans["proposal_number"]
    assert text[s.start:s.end] == "55"
    s = parsed.spans["signed_on"]
    assert text[s.start:s.end] == "2024年10月20日"


# --- variants ----------------------------------------------------------------------------

TRADITIONAL = """首頁 > 政務公開 > 建議提案
雲南省教育廳關於省政協十二屆五次會議第0123號提案的答復
雲教函〔2023〕45號
張偉委員：
您提出的《關於加強鄉村教師隊伍建設的提案》收悉。經與省財政廳、省人力資源和社會保障廳共同研究辦理，現答復如下：
一、工作開展情況
按照《國務院辦公廳關於印發鄉村教師支持計劃的通知》（國辦發〔2015〕43號）要求，做了大量工作。
感謝您對教育工作的關心和支持。
雲南省教育廳
2023年6月30日
（聯繫人：李明　聯繫電話：0871－65141234）
抄送：省政協提案委員會，省政府辦公廳。
"""


def test_traditional_letter_is_matched_in_simplified_with_original_spans():
    parsed = parse_letter(TRADITIONAL)
    assert parsed.kind == "reply"
    assert parsed.title == "云南省教育厅关于省政协十二届五次会议第0123号提案的答复"
    assert parsed.committee == "云南省政协"
    assert (parsed.term, parsed.session_number, parsed.proposal_number) == (12, 5, "0123")
    assert parsed.proposers == ["张伟"]
    assert parsed.proposal_title == "关于加强乡村教师队伍建设的提案"
    assert parsed.lead_agency == "云南省教育厅"
    assert parsed.co_agencies == ["省财政厅", "省人力资源和社会保障厅"]
    assert parsed.doc_number == "云教函〔2023〕45号"
    assert parsed.signed_on == dt.date(2023, 6, 30)
    assert parsed.contact == {"unit": None, "person": "李明", "phone": "0871-65141234"}
    assert parsed.cc == ["省政协提案委员会", "省政府办公厅"]
    assert parsed.source_text == TRADITIONAL
    s = parsed.spans["proposers"][0]
    assert TRADITIONAL[s.start:s.end] == "張偉"
    s = parsed.spans["lead_agency"]
    assert TRADITIONAL[s.start:s.end] == "雲南省教育廳"
    assert parsed.body.startswith("雲南省教育廳關於")
    assert any("Traditional" in w for w in parsed.warnings)


def test_normalize_keeps_length():
    for text in (TRADITIONAL, "髮型與頭髮、乾隆、著作、瞭解", "ＡＢＣ１２３：（）\u3000"):
        assert len(normalize(text)) == len(text)
    assert normalize("ＡＢＣ１２３：（）\u3000") == "ABC123:() "


def test_collective_proposer_and_gui_hui():
    parsed = parse_letter(letter(
        salutation="九三学社曲靖市委员会:",
        opening="贵会提出的《关于发展数字经济的提案》(第2025D048号)收悉。经认真研究,现答复如下:",
        title="曲靖市工业和信息化局关于市政协六届三次会议第2025D048号提案的答复",
        agency="曲靖市工业和信息化局"))
    assert parsed.proposers == ["九三学社曲靖市委员会"]
    assert parsed.proposer_kinds == ["collective"]
    assert parsed.proposal_number == "2025D048"
    assert parsed.lead_agency == "曲靖市工业和信息化局"


@pytest.mark.parametrize("salutation,names,kinds,more", [
    ("尊敬的陈磊、卢晓辉等委员:", ["陈磊", "卢晓辉"], ["member", "member"], True),
    ("尊敬的陈磊委员、卢晓辉委员:", ["陈磊", "卢晓辉"], ["member", "member"], False),
    ("陈 平委员:", ["陈平"], ["member"], False),
    ("王芳 李强 赵刚委员:", ["王芳", "李强", "赵刚"], ["member"] * 3, False),
    ("张三等委员:", ["张三"], ["member"], True),
    ("民建长春市委员会:", ["民建长春市委员会"], ["collective"], False),
    ("市工商联:", ["市工商联"], ["collective"], False),
    ("经济界别委员小组:", ["经济界别委员小组"], ["collective"], False),
])
def test_salutation_variants(salutation, names, kinds, more):
    parsed = parse_letter(letter(salutation=salutation))
    assert parsed.proposers == names
    assert parsed.proposer_kinds == kinds
    assert parsed.proposers_more is more
    for span, name in zip(parsed.spans["proposers"], names):
        assert parsed.source_text[span.start:span.end].replace(" ", "") == name


@pytest.mark.parametrize("printed,expected,warned", [
    ("2020414", dt.date(2020, 4, 14), "run-together digits '2020414'"),
    ("20211026", dt.date(2021, 10, 26), "run-together digits '20211026'"),
    ("二〇二四年十月二十日", dt.date(2024, 10, 20), None),
    ("二〇二〇年四月十四日", dt.date(2020, 4, 14), None),
    ("2020.4.14", dt.date(2020, 4, 14), None),
    ("2020-04-14", dt.date(2020, 4, 14), None),
    ("2020/4/14", dt.date(2020, 4, 14), None),
    ("２０２４年１０月２０日", dt.date(2024, 10, 20), None),
    ("   2024年 10月 2日", dt.date(2024, 10, 2), None),
])
def test_signature_dates(printed, expected, warned):
    parsed = parse_letter(letter(date=printed))
    assert parsed.signed_on == expected
    if warned:
        assert any(warned in w for w in parsed.warnings)
    else:
        assert not any("date" in w for w in parsed.warnings)
    s = parsed.spans["signed_on"]
    assert parsed.source_text[s.start:s.end] == printed.strip()


def test_ambiguous_run_together_date_without_publication_is_left_for_review():
    # 2020-01-14 or 2020-11-04: with nothing to choose by, a guess would be an invented value
    # (issue 10); the field stays empty and the warnings say why.
    parsed = parse_letter(letter(date="2020114"))
    assert parsed.signed_on is None and "signed_on" not in parsed.spans
    assert any("ambiguous" in w for w in parsed.warnings)
    assert any("signed_on left empty for review" in w for w in parsed.warnings)


def test_ambiguous_run_together_date_prefers_reading_before_publication():
    text = letter(header="发布日期:2020-11-20", date="2020114")
    parsed = parse_letter(text)
    assert parsed.signed_on == dt.date(2020, 11, 4)
    assert any("ambiguous" in w for w in parsed.warnings)


def test_signature_after_publication_is_warned():
    parsed = parse_letter(letter(header="发布时间:2024-01-02", date="2024年10月20日"))
    assert any("after publication" in w for w in parsed.warnings)


def test_missing_signature_date_is_warned():
    parsed = parse_letter(letter(date=""))
    assert parsed.signed_on is None
    assert "no signature date" in parsed.warnings


HEADER_BLOCK = """办理结果:A   是否同意公开【主动公开】
签发人:王强
文号:昆教复〔2023〕12号
"""


def test_header_block_with_classification_disclosure_signer():
    parsed = parse_letter(letter(
        header=HEADER_BLOCK, title="昆明市教育局关于昆明市政协十三届二次会议第6.11号提案的答复",
        agency="昆明市教育局"))
    report = to_report(parsed, file="x", sha256="y")
    assert report["classification"] == "A"
    assert report["disclosure"] == "主动公开"
    assert report["signer"] == "王强"
    assert report["doc_number"] == "昆教复〔2023〕12号"
    assert report["committee"] == "昆明市政协"
    assert report["proposal_number"] == "6.11"
    assert not any("inferred" in w for w in report["warnings"])
    assert "签发人" not in parsed.body and "办理结果" not in parsed.body


@pytest.mark.parametrize("header,expected", [
    ("分类标识【D】", "D"),
    ("(C)", "C"),
    ("答复类别: B类", "B"),
    ("办理结果:A", "A"),
    ("【B】", "B"),
    ("", None),
])
def test_classification_variants(header, expected):
    assert parse_letter(letter(header=header)).classification == expected


@pytest.mark.parametrize("marker,expected", [
    ("是否同意公开【主动公开】", "主动公开"),
    ("公开类型: 依申请公开", "依申请公开"),
    ("公开方式:不予公开", "不予公开"),
    ("法定主动\n公开内容", "主动公开"),
    ("", None),
])
def test_disclosure_variants(marker, expected):
    assert parse_letter(letter(header=marker)).disclosure == expected


def test_disclosure_note_in_tail_and_reason():
    parsed = parse_letter(letter(tail="(此件不予公开)"))
    assert parsed.disclosure == "不予公开"
    parsed = parse_letter(letter(header="是否同意公开【不予公开】 不予公开理由:涉及个人隐私"))
    assert parsed.disclosure == "不予公开"
    assert parsed.disclosure_reason == "涉及个人隐私"


@pytest.mark.parametrize("opening,expected", [
    ("你提出的《关于X的提案》收悉。经与市委编办、市人力社保局共同研究办理,现答复如下:",
     ["市委编办", "市人力社保局"]),
    ("你提出的《关于X的提案》收悉。我局会同市财政局、市住房和城乡建设局认真研究办理,现答复如下:",
     ["市财政局", "市住房和城乡建设局"]),
    ("你提出的《关于X的提案》收悉。市交通运输局(会办单位)提出了意见,现答复如下:", ["市交通运输局"]),
    ("你提出的《关于X的提案》收悉。协办单位:市发展改革委、市科技局。现答复如下:",
     ["市发展改革委", "市科技局"]),
    ("你提出的《关于X的提案》收悉。经与市财政局和市税务局共同研究,现答复如下:",
     ["市财政局", "市税务局"]),
    ("你提出的《关于X的提案》收悉。我们会同相关部门认真研究办理,现答复如下:", []),
    ("你提出的《关于X的提案》收悉。经与市政府共同研究办理,现答复如下:", []),  # the lead itself
])
def test_co_handling_agencies(opening, expected):
    assert parse_letter(letter(opening=opening)).co_agencies == expected


PAGE = """中国政府网 XX市人民政府网
您当前的位置: 首页>政务公开>建议提案办理复函
[ 索引号 ] 1153/2024-001 [ 发文字号 ]
[ 发布机构 ] 市教育局 [ 发布日期 ] 2024-09-01
字体:[ 大 中 小 ]
分享到:
曲靖市教育局关于对市政协六届三次会议第0007号提案的答复
曲教复[2024]7号
刘洋委员:
你提出的《关于改善学校食堂的提案》收悉,现答复如下:
一、工作开展情况。学校食堂全部实现明厨亮灶。
感谢你对教育工作的关心和支持。
曲靖市教育局
2024年8月20日
联系单位:市教育局体卫艺科
联系人:杨帆
联系电话:0874-3999999
抄送:市政协提案委,市政府办公室。
扫一扫在手机打开当前页
【打印本页】 【关闭窗口】
微信
微博
"""


def test_page_furniture_is_left_out_of_the_body():
    parsed = parse_letter(PAGE)
    assert parsed.kind == "reply"
    assert parsed.doc_number == "曲教复〔2024〕7号"
    assert parsed.proposal_number == "0007"
    assert parsed.lead_agency == "曲靖市教育局"
    assert parsed.lead_agency_aliases == ["市教育局"]
    assert parsed.published_on == dt.date(2024, 9, 1)
    assert parsed.contact == {"unit": "市教育局体卫艺科", "person": "杨帆", "phone": "0874-3999999"}
    assert parsed.cc == ["市政协提案委", "市政府办公室"]
    assert parsed.body.splitlines()[0] == "曲靖市教育局关于对市政协六届三次会议第0007号提案的答复"
    assert parsed.body.splitlines()[-1] == "抄送:市政协提案委,市政府办公室。"
    for junk in ("当前的位置", "索引号", "字体", "分享到", "扫一扫", "打印", "微信", "微博", "中国政府网"):
        assert junk not in parsed.body


def test_lost_characters_are_warned_and_handled():
    parsed = parse_letter(letter(
        title="曲靖市人民政府关于市政协六届三次会议第55号提案办理意见的?",
        body="一、工作开展情况。我们做了大量工?,取得??成效。"))
    assert parsed.kind == "reply"
    assert parsed.proposal_number == "55"
    assert any("characters lost in conversion ('?')" in w for w in parsed.warnings)


@pytest.mark.parametrize("printed", [
    "曲政函〔2024〕257号", "曲政函[2024]257号", "曲政函【2024】257号", "曲政函(2024)257号",
    "曲政函（2024）257号", "曲政函［2024］257号", "曲政函 〔２０２４〕 ２５７ 号", "曲政函﹝2024﹞257号",
])
@pytest.mark.parametrize("placement", ["header", "line"])
def test_doc_number_bracket_styles(printed, placement):
    if placement == "header":
        text = letter(header=f"发布时间:2024-10-21   索引号:   文号:{printed}   来源:曲靖市人民政府")
    else:
        text = letter(title="曲靖市人民政府关于市政协六届三次会议第55号提案办理意见的函\n" + printed)
    parsed = parse_letter(text)
    assert parsed.doc_number == "曲政函〔2024〕257号"
    s = parsed.spans["doc_number"]
    assert parsed.source_text[s.start:s.end].strip() == printed.strip()


def test_cited_policy_numbers_are_not_the_letter_number():
    parsed = parse_letter(letter(body="按照《国务院关于X的意见》(国发〔2016〕40号)要求,\n渝府发〔2017〕43号\n做好工作。"))
    assert parsed.doc_number is None


def test_empty_doc_number_header_is_none():
    assert parse_letter(letter(header="号:\n文号:")).doc_number is None


@pytest.mark.parametrize("title,committee,term,session,number", [
    ("国家发展改革委关于全国政协十四届二次会议第01234号提案的答复",
     "全国政协", 14, 2, "01234"),
    ("教育部关于政协第十四届全国委员会第二次会议第01234号提案的答复",
     "全国政协", 14, 2, "01234"),
    ("云南省教育厅关于省政协十二届五次会议第0123号提案的答复", "云南省政协", 12, 5, "0123"),
    ("云南省教育厅关于政协云南省第十二届委员会第五次会议第0123号提案的答复", "云南省政协", 12, 5, "0123"),
    ("昆明市教育局关于昆明市政协十三届二次会议第0088号提案的答复", "昆明市政协", 13, 2, "0088"),
    ("会泽县教育体育局关于县政协十届二十次会议第15号提案的答复", "会泽县政协", 10, 20, "15"),
    ("曲靖市麒麟区教育体育局关于区政协二十一届一次会议第9号提案的答复", "麒麟区政协", 21, 1, "9"),
])
def test_committee_naming(title, committee, term, session, number):
    agency = title.split("关于")[0]
    parsed = parse_letter(letter(title=title, agency=agency))
    assert (parsed.committee, parsed.term, parsed.session_number, parsed.proposal_number) == (
        committee, term, session, number)
    assert parsed.lead_agency == agency


def test_committee_without_place_and_agency_is_null():
    parsed = parse_letter(letter(title="关于市政协六届三次会议第55号提案的答复", agency=""))
    assert parsed.committee is None
    assert parsed.session == "六届三次会议"


def test_reply_without_title_is_recognised_from_its_text():
    text = "陈丽琴委员:\n你提出的关于重视农村教育的提案(第55号)收悉,现答复如下:\n一、……\n曲靖市人民政府\n2024年10月20日"
    parsed = parse_letter(text)
    assert parsed.kind == "reply"
    assert parsed.proposal_number == "55"
    assert parsed.proposal_title == "关于重视农村教育的提案"
    assert parsed.lead_agency == "曲靖市人民政府"


@pytest.mark.parametrize("text,reason", [
    ("某某市2023年教育工作总结\n一、基本情况。今年以来,全市教育工作取得新成效。", "work summary (工作总结)"),
    ("市政府办公室关于印发《XX方案》的通知\n各县区人民政府:\n现将《XX方案》印发给你们,请认真贯彻执行。", "policy document (印发 notice)"),
    ("今天天气很好。", "no proposal reference (第N号提案) and no reply phrasing"),
])
def test_other_documents(text, reason):
    parsed = parse_letter(text)
    assert parsed.kind == "other"
    assert parsed.reason == reason
    report = to_report(parsed, file="x", sha256="y")
    assert report["proposal_number"] is None and report["proposers"] == []


@pytest.mark.parametrize("contact,expected", [
    ("(联系单位:市政府办公室秘书三科 联系电话:0874—3121678)",
     {"unit": "市政府办公室秘书三科", "person": None, "phone": "0874-3121678"}),
    ("联系人:张三  联系电话:0871-63123456",
     {"unit": None, "person": "张三", "phone": "0871-63123456"}),
    ("(联系人:欧阳明华,电话:13800138000)",
     {"unit": None, "person": "欧阳明华", "phone": "13800138000"}),
    ("联系人及电话:李四 0874-3111111",
     {"unit": None, "person": "李四", "phone": "0874-3111111"}),
])
def test_contact_variants(contact, expected):
    assert parse_letter(letter(tail=contact)).contact == expected


# --- robustness and speed ----------------------------------------------------------------

def test_parse_never_raises_on_random_text():
    rng = random.Random(20240601)
    alphabet = ("市政协六届三次会议第55号提案关于的答复函委员尊敬等:：()（）〔〕[]【】《》“”\"?\n 0123456789"
                "年月日〇一二十号文号索引号发布时间抄送联系电话人单位,，、。ABCD" + "".join(map(chr, range(32, 127))))
    for _ in range(300):
        n = rng.randrange(0, 400)
        text = "".join(rng.choice(alphabet) for _ in range(n))
        parsed = _parse(text)  # the unguarded parser: a crash here is a bug, not a warning
        assert parsed.kind in ("reply", "other")
        assert parsed.source_text == text
    for _ in range(50):
        text = "".join(chr(rng.randrange(1, 0x10000)) for _ in range(rng.randrange(0, 300)))
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        _parse(text)
    corpus = (CORPUS / "000_0e82f41fc8321ae9.txt").read_text(encoding="utf-8")
    for _ in range(30):
        cut = sorted(rng.randrange(len(corpus)) for _ in range(2))
        _parse(corpus[:cut[0]] + corpus[cut[1]:])


def test_parse_letter_accepts_odd_input():
    assert parse_letter("").kind == "other"
    assert parse_letter(None).kind == "other"
    assert parse_letter("\n\n\n").body == ""


def test_parse_is_fast_enough():
    """Not a benchmark: guards against quadratic or backtracking patterns."""
    texts = [decode_document(p.read_bytes(), p.name) for p in sorted(CORPUS.glob("*.txt"))]
    big = "\n".join(texts) * 3  # ~170 KB, far larger than any letter
    adversarial = "关于" * 5000 + "对" * 5000 + "市政协" * 2000 + "(" * 3000 + "第" * 3000
    start = time.perf_counter()
    for text in texts * 4 + [big, adversarial]:
        parse_letter(text)
    assert time.perf_counter() - start < 10


PORTAL = """提案编号:第0418号    提案人:孙丽、周杰等
提案标题:《关于加快老旧小区改造的提案》
办理单位:曲靖市住房和城乡建设局    答复时间:2024-06-30
答复内容:
经认真研究,现将办理情况答复如下:一、工作开展情况。全市改造老旧小区120个。
"""


def test_portal_fields_give_the_proposal_reference():
    parsed = parse_letter(PORTAL)
    assert parsed.kind == "reply"
    assert parsed.proposal_number == "0418"
    assert parsed.proposers == ["孙丽", "周杰"] and parsed.proposers_more is True
    assert parsed.proposal_title == "关于加快老旧小区改造的提案"
    assert parsed.lead_agency == "曲靖市住房和城乡建设局"
    assert parsed.signed_on == dt.date(2024, 6, 30)


def test_title_wrapped_over_two_lines_and_inline_salutation():
    text = ("曲靖市人民政府关于市政协六届三次会议\n第55号提案办理意见的函\n"
            "陈丽琴委员:你提出的《关于重视农村教育的提案》收悉,现答复如下:一、……\n曲靖市人民政府\n2024年10月20日")
    parsed = parse_letter(text)
    assert parsed.title == "曲靖市人民政府关于市政协六届三次会议第55号提案办理意见的函"
    assert parsed.salutation == "陈丽琴委员:"
    assert parsed.proposers == ["陈丽琴"]
    assert parsed.proposal_number == "55"
    assert parsed.committee == "曲靖市政协"


def test_npc_suggestion_reply_is_not_a_proposal():
    parsed = parse_letter(letter(title="曲靖市教育局关于市人大六届三次会议第12号建议的答复",
                                 salutation="张三代表:", agency="曲靖市教育局"))
    assert parsed.kind == "other"
    assert "人大" in parsed.reason


def test_heading_with_colon_is_not_a_salutation():
    text = "主要做法:今年以来,我们做了大量工作,取得了明显成效。\n曲靖市人民政府\n2024年10月20日"
    parsed = parse_letter(text)
    assert parsed.salutation is None and parsed.proposers == []
