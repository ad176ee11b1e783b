"""decode_document: bytes of a file -> text, or a typed, readable refusal."""
from pathlib import Path

import pytest

from replies.letters import UnreadableDocument, decode_document, parse_letter

SAMPLES = Path(__file__).resolve().parent / "letters"
CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"


def read_sample(name: str) -> str:
    return decode_document((SAMPLES / name).read_bytes(), name)


def test_gb18030_file_is_decoded_and_parsed():
    raw = (SAMPLES / "letter_gb18030.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the sample really is not UTF-8
    text = read_sample("letter_gb18030.txt")
    assert text.startswith("曲靖市教育体育局关于市政协六届三次会议第12号提案的答复")
    parsed = parse_letter(text)
    assert parsed.kind == "reply"
    assert parsed.proposal_number == "12"
    assert parsed.proposers == ["李华"]
    assert parsed.doc_number == "曲教体函〔2024〕31号"
    assert parsed.contact == {"unit": None, "person": "赵敏", "phone": "0874-3123456"}


def test_utf8_bom_is_stripped():
    assert (SAMPLES / "letter_utf8_bom.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    text = read_sample("letter_utf8_bom.txt")
    assert not text.startswith("\ufeff")
    parsed = parse_letter(text)
    assert parsed.title == "楚雄州教育体育局关于州政协十一届二次会议第0056号提案的复函"
    assert parsed.committee == "楚雄州政协"
    assert parsed.proposers == ["民盟楚雄州委"]
    assert parsed.proposer_kinds == ["collective"]


def test_html_page_is_reduced_to_text():
    text = read_sample("letter_page.html")
    assert "<" not in text and "var a" not in text and ".x{" not in text
    assert "“双减”" in text and "&ldquo;" not in text and "&amp;" not in text
    assert "王小明委员：\n" in text  # block elements become lines
    parsed = parse_letter(text)
    assert parsed.kind == "reply"
    assert parsed.title == "昆明市教育局关于市政协十三届二次会议第0088号提案的答复"
    assert parsed.proposal_title == "关于推进“双减”工作的提案"
    assert parsed.doc_number == "昆教复〔2023〕88号"
    assert parsed.index_number == "11530000MB1234567X/2023-00012"
    assert parsed.published_on.isoformat() == "2023-08-01"
    assert parsed.signed_on.isoformat() == "2023-07-20"
    assert parsed.lead_agency == "昆明市教育局"
    assert parsed.lead_agency_aliases == ["市教育局"]
    assert parsed.co_agencies == ["市财政局"]
    assert parsed.contact == {"unit": None, "person": "周丽", "phone": "0871-63111222"}
    assert "扫一扫" not in parsed.body and "打印本页" not in parsed.body
    assert "索引号" not in parsed.body


def test_html_detected_by_content_without_html_suffix():
    data = "<html><body><p>甲</p><p>乙</p><script>x()</script></body></html>".encode()
    text = decode_document(data, "page.txt")
    assert [line for line in text.splitlines() if line] == ["甲", "乙"]


def test_unclosed_head_does_not_swallow_the_page():
    data = "<html><head><title>t<body><p>正文</p></body></html>".encode()
    assert "正文" in decode_document(data, "x.html")


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", "\u3000\u3000\n".encode("utf-8"), b"\xef\xbb\xbf"])
def test_empty_files_are_refused(data):
    with pytest.raises(UnreadableDocument) as err:
        decode_document(data, "empty.txt")
    assert err.value.reason.startswith("empty file")


def test_empty_sample_file_is_refused():
    with pytest.raises(UnreadableDocument, match="empty file"):
        read_sample("empty.txt")


def test_html_without_text_is_refused():
    with pytest.raises(UnreadableDocument, match="empty file"):
        decode_document(b"<html><body><script>x()</script></body></html>", "a.html")


@pytest.mark.parametrize("name", ["binary.bin", "binary_nul.txt"])
def test_binary_files_are_refused(name):
    with pytest.raises(UnreadableDocument) as err:
        read_sample(name)
    assert err.value.reason.startswith("binary file, not text")
    assert str(err.value) == err.value.reason


def test_control_characters_mean_binary():
    data = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 20 + "正文".encode()
    with pytest.raises(UnreadableDocument, match="binary file, not text"):
        decode_document(data, "x.txt")


def test_pdf_signature_is_named():
    with pytest.raises(UnreadableDocument, match="PDF"):
        decode_document(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "letter.pdf")


def test_undecodable_bytes_are_refused():
    # 0x80 alone is invalid in UTF-8 and in GB18030/GBK.
    data = "第55号提案".encode("utf-8") + b"\x80\x80\xff"
    with pytest.raises(UnreadableDocument, match="undecodable bytes"):
        decode_document(data, "x.txt")


def test_utf16_with_bom_is_read():
    data = "\ufeff陈丽琴委员：".encode("utf-16-le")
    assert decode_document(data, "x.txt") == "陈丽琴委员："


def test_crlf_line_endings_become_newlines():
    assert decode_document("甲\r\n乙\r丙".encode(), "x.txt") == "甲\n乙\n丙"


def test_corpus_files_decode_unchanged():
    for path in sorted(CORPUS.glob("*.txt")):
        data = path.read_bytes()
        assert decode_document(data, path.name) == data.decode("utf-8")
