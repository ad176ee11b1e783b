"""The pattern classes of issue 10, each on a short made-up letter.

Every rule here was added because several real published pages (tests/replies/evaluation/)
showed the pattern; the strings below are invented, so a rule is tested on what it claims to
recognise and not on one page."""
import datetime as dt

import pytest

from replies.letters import parse_letter
from replies.letters.glosses import strip_glosses
from replies.letters.model import REVIEW_THRESHOLD

BODY = "一、工作开展情况。我们做了大量工作,取得了一定成效,下一步将继续推进相关工作,感谢您的关心和支持。"


def letter(*lines: str) -> str:
    return "\n".join(lines)


def reply(title="某县教育局关于县政协九届二次会议第12号提案的答复", salutation="王一委员:",
          opening="您提出的《关于改善乡村学校条件的提案》收悉,现答复如下:", tail=("某县教育局", "2023年6月1日"),
          header=()) -> str:
    return letter(*header, title, salutation, opening, BODY, *tail)


# --- Traditional mirrors with pinyin glosses ------------------------------------------------

GLOSSED = letter(
    "某縣林業局關(guān)於縣政協(xié)九屆二次會(huì)議第7號(hào)提案的答復(fù)",
    "張三委員:",
    "您提出的《關(guān)於加強(qiáng)森林防火的提案》收悉,現(xiàn)答復(fù)如下:",
    BODY,
    "某縣林業局",
    "2021年6月21日",
)


def test_glosses_are_removed_and_offsets_kept():
    clean, index = strip_glosses(GLOSSED)
    assert "(guān)" not in clean and "關於" in clean
    assert len(index) == len(clean) + 1
    assert all(GLOSSED[index[i]] == ch for i, ch in enumerate(clean))


def test_a_glossed_traditional_reply_reads_like_a_simplified_one():
    parsed = parse_letter(GLOSSED)
    assert parsed.kind == "reply" and parsed.letter_type == "reply"
    assert (parsed.term, parsed.session_number, parsed.proposal_number) == (9, 2, "7")
    assert parsed.proposal_title == "关于加强森林防火的提案"
    assert parsed.proposers == ["张三"]
    assert parsed.source_text == GLOSSED
    s = parsed.spans["proposal_title"]
    assert parsed.source_text[s.start:s.end] == "關(guān)於加強(qiáng)森林防火的提案"
    assert any("pinyin glosses removed" in w for w in parsed.warnings)


def test_toneless_words_in_brackets_are_not_glosses():
    text = "请下载(app)查看,点击(more)"
    assert strip_glosses(text) == (text, None)


# --- page furniture naming other letters ----------------------------------------------------

def test_previous_and_next_links_give_no_field():
    text = letter("张三委员:", "你提出的《关于安装饮水设备的提案》,已交我们研究办理,现答复如下:", BODY,
                  "某县水务局", "2020年9月27日",
                  "上一条:某县水务局关于对某县第九届政协第四次会议第9号提案的答复 |",
                  "下一篇:某县城管局对政协某县九届四次会议第156号提案的答复")
    parsed = parse_letter(text)
    assert parsed.kind == "reply"
    assert parsed.proposal_number is None and parsed.term is None and parsed.committee is None
    assert parsed.lead_agency == "某县水务局"


# --- co-handling opinions -------------------------------------------------------------------

def test_an_opinion_to_the_lead_agency_has_lead_and_writer_the_right_way_round():
    text = letter("| 标 题 | 对市政协十三届三次会议第8206号提案的协办意见 | |",
                  "| 文 号 | 某景函〔2019〕35号 | 主 题 词 | |",
                  "市市场监督管理局:",
                  "经研究,现对九三学社提出的关于《关于加强基层食品安全监管的提案》提出如下协办意见,供你单位答复委员时参考:",
                  BODY, "某风景区管理委员会", "2019年6月5日")
    parsed = parse_letter(text)
    assert parsed.letter_type == "opinion"
    assert parsed.kind == "other" and "会办意见" in parsed.reason   # kept for reference by the importer
    assert parsed.lead_agency == "市市场监督管理局"
    assert parsed.issuing_body == "某风景区管理委员会" and parsed.co_agencies == ["某风景区管理委员会"]
    assert parsed.proposers == ["九三学社"] and parsed.proposer_kinds == ["collective"]
    assert (parsed.term, parsed.session_number, parsed.proposal_number) == (13, 3, "8206")
    assert parsed.doc_number == "某景函〔2019〕35号"


def test_a_co_handler_writing_to_the_proposer_names_the_lead():
    text = reply(title="某县财政局关于县政协九届二次会议第12号提案的答复",
                 opening="您提出的《关于改善乡村学校条件的提案》收悉。该提案由某县教育局主办,我局会办,现将会办情况答复如下:",
                 tail=("某县财政局", "2023年6月1日"))
    parsed = parse_letter(text)
    assert parsed.letter_type == "opinion"
    assert parsed.lead_agency == "某县教育局"
    assert parsed.issuing_body == "某县财政局"


def test_a_lead_reply_mentioning_the_co_handlers_opinions_stays_a_reply():
    text = reply(opening="您提出的《关于改善乡村学校条件的提案》收悉。该提案由我局主办,各会办单位积极配合并提出会办意见,"
                         "现答复如下:")
    parsed = parse_letter(text)
    assert parsed.letter_type == "reply" and parsed.kind == "reply"
    assert parsed.lead_agency == "某县教育局"


# --- look-alikes ----------------------------------------------------------------------------

@pytest.mark.parametrize("title, salutation", [
    ("某县水务局对某县第十八届人民代表大会第四次会议第42号建议案的答复", "李四代表:"),
    ("关于对市十五届人大一次会议第40号建议办理情况的答复", "王五、赵六代表:"),
    ("对某市第十四届人民代表大会第四次会议第86号建议的会办意见", "市旅游局:"),
])
def test_people_s_congress_replies_are_refused(title, salutation):
    parsed = parse_letter(reply(title=title, salutation=salutation,
                                opening="您提出的“关于修建河堤的建议”收悉,现答复如下:"))
    assert parsed.kind == "other" and parsed.letter_type == "other"
    assert "people's congress" in parsed.reason


def test_templates_with_placeholders_are_refused():
    text = letter("XX局关于XX政协X届X次会议第XX号提案的答复", "XX委员:",
                  "您提出的《关于XXXX的提案》收悉,现答复如下:", BODY, "XX局", "20XX年X月X日")
    parsed = parse_letter(text)
    assert parsed.kind == "other" and "template" in parsed.reason


def test_a_masked_proposer_is_a_redaction_not_a_template():
    parsed = parse_letter(reply(salutation="****委员:"))
    assert parsed.kind == "reply"
    assert parsed.proposers == []            # the name is not in the letter: nothing invented


# --- proposers that are not individual members ----------------------------------------------

@pytest.mark.parametrize("salutation, names, kinds", [
    ("某乡政协联络组:", ["某乡政协联络组"], ["collective"]),
    ("农工党某区委:", ["农工党某区委"], ["collective"]),
    ("尊敬的陈一、李二、王三委员", ["陈一", "李二", "王三"], ["member"] * 3),   # colon lost
    ("致公党某市委员会", ["致公党某市委员会"], ["collective"]),              # colon lost
    ("释义 | 王福英、王玉琴委员:", ["王福英", "王玉琴"], ["member", "member"]),  # table cell before it
])
def test_proposers_of_every_kind(salutation, names, kinds):
    parsed = parse_letter(reply(salutation=salutation))
    assert parsed.proposers == names
    assert parsed.proposer_kinds == kinds


def test_a_closing_line_is_not_a_salutation():
    text = letter("某县教育局关于县政协九届二次会议第12号提案的答复", "您提出的关于改善乡村学校条件的提案收悉,现答复如下:",
                  "一、工作情况。已完成改造。", "衷心感谢各位委员", "某县教育局", "2023年6月1日")
    assert parse_letter(text).proposers == []


# --- proposal titles ------------------------------------------------------------------------

@pytest.mark.parametrize("opening, title", [
    ("您提出的关于“加大河道治理投入”的提案收悉,现答复如下:", "关于“加大河道治理投入”的提案"),
    ("您提出的关于 “强化公园科普功能”的提案收悉,现答复如下:", "关于 “强化公园科普功能”的提案"),
    ("您提出的“盘活公共资源,缓解停车难问题”的提案已收悉,现答复如下:", "盘活公共资源,缓解停车难问题"),
    ("《关于更新补充农村中小学图书的建议》收悉,现就提案办理情况答复如下:", "关于更新补充农村中小学图书的建议"),
    ("您于县政协十一届二次会议期间所提的《关于加强电动车管理的建议》收悉,现答复如下:", "关于加强电动车管理的建议"),
    ("您提出的关于加强垃圾分类工作的建议提案收悉,现答复如下:", "关于加强垃圾分类工作的建议"),
])
def test_proposal_titles(opening, title):
    assert parse_letter(reply(opening=opening)).proposal_title == title


def test_a_collective_proposal_without_salutation():
    text = letter("政协某自治区第十二届委员会第三次会议的集体提案《关于支持民族医药发展的提案》收悉,现答复如下。",
                  BODY, "某自治区卫生健康委员会", "2020年9月27日")
    parsed = parse_letter(text)
    assert parsed.kind == "reply"
    assert parsed.committee == "某自治区政协" and (parsed.term, parsed.session_number) == (12, 3)
    assert parsed.proposal_title == "关于支持民族医药发展的提案"
    assert parsed.proposers == [] and parsed.proposal_number is None


# --- sessions and proposal numbers ----------------------------------------------------------

@pytest.mark.parametrize("title, committee, term, session, number", [
    ("关于对政协某某区五届四次会议第54057号提案的答复", "某某区政协", 5, 4, "54057"),
    ("某县林业局关于对政协某某县第九届一次会议第38号委员提案的答复函", "某某县政协", 9, 1, "38"),
    ("某区卫生健康局关于政协第十一届某某区委员会第三次会议第3011号提案答复的函", "某某区政协", 11, 3, "3011"),
    ("某县教育体育局关于对政协某某县第十届委员会五次会议49号提案的答复函", "某某县政协", 10, 5, "49"),
    ("关于县政协十届五次会议第D022号提案的答复", None, 10, 5, "D022"),
    ("关于市政协四届二次会议第2024087号提案的答复", None, 4, 2, "2024087"),
])
def test_sessions_and_numbers(title, committee, term, session, number):
    parsed = parse_letter(reply(title=title, tail=("2023年6月1日",)))
    assert parsed.committee == committee
    assert (parsed.term, parsed.session_number, parsed.proposal_number) == (term, session, number)


def test_the_term_printed_before_the_committee():
    parsed = parse_letter(reply(title="对市十三届政协三次会议第457号提案的答复函", tail=("某某市体育局", "2024年5月23日")))
    assert (parsed.term, parsed.session_number, parsed.proposal_number) == (13, 3, "457")
    assert parsed.committee == "某某市政协"      # completed with the agency's place, and warned about
    assert parsed.evidence["committee"]["confidence"] < 1


def test_a_committee_whose_place_a_mirror_replaced():
    parsed = parse_letter(reply(title="对政协365bet_官网app第十四届委员会第二次会议第606号提案的答复"))
    assert parsed.committee is None
    assert (parsed.term, parsed.session_number, parsed.proposal_number) == (14, 2, "606")


def test_a_number_printed_after_the_word_proposal():
    parsed = parse_letter(reply(title="某县林草局政协提案办理结果",
                                opening="你们提出的关于建设防火通道的提案(70)号,已交我局办理,现答复如下:"))
    assert parsed.proposal_number == "70"
    assert parsed.proposal_title == "关于建设防火通道的提案"


def test_a_title_wrapped_onto_a_spaced_out_line():
    text = letter("某街道办事处", "对某某市政协十届三次会议第18号提案的", "答 复", "李一委员:",
                  "您提出的《关于规范路灯安装的提案》收悉。现答复如下:", BODY, "2024年8月14日")
    parsed = parse_letter(text)
    assert parsed.committee == "某某市政协" and parsed.proposal_number == "18"
    assert parsed.lead_agency == "某街道办事处"       # printed on the line above the title


# --- document numbers and classifications ---------------------------------------------------

@pytest.mark.parametrize("header, doc, cls", [
    (("舞建提字〔2021〕19号 签发人:付某",), "舞建提字〔2021〕19号", None),
    (("某建复〔2017〕5号(B类)",), "某建复〔2017〕5号", "B"),
    (("类 别:B", "某交函〔2023〕34号"), "某交函〔2023〕34号", "B"),
    (("B1类", "某教函〔2023〕13号"), "某教函〔2023〕13号", "B"),
    (("A",), None, "A"),
    (("| 文号 | 某林草发〔2021〕92号 | 浏览量 |",), "某林草发〔2021〕92号", None),
    (("分类标识【D】",), None, "D"),
])
def test_document_numbers_and_classifications(header, doc, cls):
    parsed = parse_letter(reply(header=header))
    assert parsed.doc_number == doc
    assert parsed.classification == cls


# --- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("printed, date", [
    ("2023526", dt.date(2023, 5, 26)),
    ("202472", dt.date(2024, 7, 2)),
    ("20211022", dt.date(2021, 10, 22)),
    ("二00七年七月十七日", dt.date(2007, 7, 17)),
])
def test_signature_dates_with_lost_month_or_day(printed, date):
    assert parse_letter(reply(tail=("某县教育局", printed))).signed_on == date


def test_an_ambiguous_run_together_date_is_left_for_review():
    parsed = parse_letter(reply(tail=("某县教育局", "2020114")))   # 2020-01-14 or 2020-11-04
    assert parsed.signed_on is None and parsed.document_date is None
    assert parsed.evidence["signed_on"]["confidence"] < REVIEW_THRESHOLD
    assert any("signed_on left empty for review" in w for w in parsed.warnings)
    # With a publication date to choose by, the reading is kept.
    chosen = parse_letter(reply(header=("发布时间:2020-12-01",), tail=("某县教育局", "2020114")))
    assert chosen.signed_on == dt.date(2020, 11, 4)


# --- the writing agency ---------------------------------------------------------------------

def test_a_pronoun_is_not_a_co_handling_agency():
    parsed = parse_letter(reply(opening="您提出的《关于改善乡村学校条件的提案》收悉。我局于6月召开会议专题研究,并与您进行沟通,现答复如下:"))
    assert parsed.co_agencies == []


def test_the_agency_from_the_contact_line():
    parsed = parse_letter(reply(title="对市政协十届五次会议第110号提案的答复",
                                tail=("2021年7月20日", "联系单位:某市住房和城乡建设局", "联系电话:8122694")))
    assert parsed.lead_agency == "某市住房和城乡建设局"
    assert parsed.committee == "某市政协"


@pytest.mark.parametrize("source", ["来源:农业农村部网站", "来源: 某县文化和旅游局", "信息来源:某市人民政府"])
def test_a_source_line_never_names_the_writer(source):
    parsed = parse_letter(reply(title="关于县政协十届五次会议第22号提案的答复", header=(source,), tail=("2021年9月7日",)))
    assert parsed.lead_agency is None and parsed.issuing_body is None


def test_the_publishing_body_in_a_table_row():
    parsed = parse_letter(reply(title="关于加强垃圾分类工作的建议的答复",
                                header=("公开日期  2018-12-14  发布机构  某区综合行政执法局",), tail=()))
    assert parsed.lead_agency == "某区综合行政执法局"
    assert parsed.evidence["lead_agency"]["how"] == "header:source"


def test_every_field_says_how_it_was_found():
    parsed = parse_letter(reply(header=("某教提函〔2023〕7号",)))
    for name in ("committee", "term", "session_number", "proposal_number", "proposal_title", "proposers",
                 "lead_agency", "signed_on"):
        evidence = parsed.evidence[name]
        assert evidence["how"] and 0 < evidence["confidence"] <= 1, name
        if evidence["span"]:
            s, e = evidence["span"]
            assert s < e <= len(parsed.source_text)
