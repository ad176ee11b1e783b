"""PDF and Word files go through the same importer as pages and text (issue 10): the command,
the admin's import pages and the fixtures; a scan, a .doc or an image is refused with a
reason that says what to do, never guessed."""
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from proposals.models import Proposal
from replies.demo import ensure_groups
from replies.importing import Importer
from replies.importing import service as S
from replies.importing.formats import extract_document, sniff
from replies.importing.warnings import warning_text
from replies.letters import UnreadableDocument
from replies.models import Reply, SourceDocument
from tests.factories import staff_user
from tests.replies import letter_files as L

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(scope="module")
def pdf():
    return L.letter_pdf()


@pytest.fixture(scope="module")
def docx():
    return L.letter_docx()


# --- reading --------------------------------------------------------------------------------

def test_the_pdf_wraps_inside_the_date_and_the_document_number(pdf):
    """The test PDF is as hard as a published one: read line by line, the fields are cut."""
    from pdfminer.high_level import extract_text

    raw = extract_text(io.BytesIO(pdf))
    assert "发布时间:2024-10-\n" in raw and "〔2024〕2\n" in raw
    assert "— 1 —" in raw


def test_a_pdf_is_read_in_reading_order_with_wrapped_lines_joined(pdf):
    extracted = extract_document(pdf, "答复.pdf")
    text = extracted.text
    assert "发布时间:2024-10-21 成文日期:2024年10月20日 文号:曲政函〔2024〕257号 来源:曲靖市人民政府" in text
    assert L.ACROSS in text  # joined across the page break, page number left out
    assert "— 1 —" not in text and "— 2 —" not in text
    # Centred title lines, the salutation, a section heading and the signature stay lines of their own.
    lines = text.split("\n")
    for line in [*L.TITLE, L.SALUTATION, L.SECTION, *L.SIGNATURE, L.CONTACT]:
        assert line in lines
    assert extracted.pages == 2
    assert [(r.kind, r.number) for r in extracted.regions] == [("page", 1), ("page", 2)]
    page2 = extracted.regions[1]
    assert text[page2.start:page2.end].endswith(L.CONTACT)
    assert L.ACROSS.startswith(text[text.index("跨页段落开始"):page2.start])  # the page breaks inside it


def test_a_docx_is_read_with_its_tables_in_document_order(docx):
    extracted = extract_document(docx, "复函.docx")
    lines = extracted.text.split("\n")
    assert lines[:3] == ["文号  渝教提函〔2020〕93号", "发布日期  2020-08-03", "公开方式  主动公开"]
    assert "陈平委员:" in lines and "2020年4月14日" in lines
    kinds = [(r.kind, r.number) for r in extracted.regions]
    assert kinds[0] == ("table", 1) and kinds[1:4] == [("paragraph", 1), ("paragraph", 2), ("paragraph", 3)]
    first = extracted.regions[1]
    assert extracted.text[first.start:first.end] == "重庆市教育委员会关于市政协五届三次会议第0325号提案的复函"


@pytest.mark.parametrize("name, data, reason", [
    ("scan.pdf", L.scanned_pdf(), "scanned PDF without a text layer (1 page): run text recognition (OCR) first"),
    ("letter.doc", L.legacy_doc(), "unsupported file format (.doc): convert it to PDF or DOCX"),
    ("letter.wps", b"anything", "unsupported file format (.wps): convert it to PDF or DOCX"),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "unsupported file format (.jpg): convert it to PDF or DOCX"),
    ("letter", L.legacy_doc(), "unsupported file format (Office 97-2003: .doc/.xls/.wps): convert it to PDF or DOCX"),
    ("renamed.docx", L.legacy_doc(), "unsupported file format (Office 97-2003: .doc/.xls/.wps): convert it to PDF "
                                     "or DOCX"),
    ("broken.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "unreadable PDF: damaged or not a PDF"),
    ("page.pdf", b"<html><body>404</body></html>", "unreadable PDF: not a PDF file (no %PDF header)"),
    ("broken.docx", b"PK\x03\x04garbage", "unreadable DOCX: not a Word (.docx) package"),
])
def test_files_that_cannot_be_read_say_why(name, data, reason):
    with pytest.raises(UnreadableDocument) as raised:
        extract_document(data, name)
    assert raised.value.reason.startswith(reason)
    assert warning_text(raised.value.reason) != raised.value.reason  # the admin shows it in Chinese


def test_the_refusals_in_chinese():
    assert warning_text("unsupported file format (.doc): convert it to PDF or DOCX") == \
        "不支持的文件格式(.doc):请转换为 PDF 或 DOCX 后再导入"
    assert warning_text("scanned PDF without a text layer (3 pages): run text recognition (OCR) first") == \
        "扫描件,无文字层(共 3 页):请先做文字识别(OCR)"


def test_a_file_without_a_known_suffix_is_read_by_its_first_bytes(pdf, docx):
    assert sniff(pdf) == "pdf" and sniff(docx) == "docx" and sniff("陈丽琴委员:".encode()) is None
    assert "曲政函〔2024〕257号" in extract_document(pdf, "download").text
    assert extract_document(docx, "download").format == "docx"


def test_a_text_file_with_pdf_bytes_is_still_refused_as_binary():
    """A .txt is read as text (issue 3's rule): bytes that are not text are refused as such."""
    with pytest.raises(UnreadableDocument, match="binary file, not text"):
        extract_document(b"%PDF-1.4\n\x00\x01binary", "scan.txt")


# --- importing ------------------------------------------------------------------------------

def test_a_pdf_letter_is_imported_with_its_fields_and_pages(pdf):
    outcome = Importer().import_bytes(pdf, "曲靖答复.pdf")
    assert outcome.status == S.CREATED, outcome.report["warnings"]
    row = outcome.report
    assert (row["kind"], row["proposal_number"], row["session"], row["lead_agency"]) == (
        "reply", "55", "六届三次会议", "曲靖市人民政府")
    assert (row["doc_number"], row["published_on"], row["signed_on"]) == ("曲政函〔2024〕257号", "2024-10-21",
                                                                          "2024-10-20")
    assert row["proposers"] == ["陈丽琴"] and row["proposal_title"] == "关于重视农村教育 提倡集中办学的提案"
    source = outcome.source
    layout = source.parsed["source_layout"]
    assert layout["format"] == "pdf" and layout["pages"] == 2
    start, end = source.spans["doc_number"]
    assert source.text[start:end] == "曲政函〔2024〕257号"  # spans point into the extracted text
    reply = Reply.objects.get(assignment__proposal__number="55")
    assert reply.doc_number == "曲政函〔2024〕257号"
    assert L.ACROSS in reply.body


def test_a_docx_letter_is_imported_with_its_fields(docx):
    outcome = Importer().import_bytes(docx, "重庆复函.docx")
    assert outcome.status == S.CREATED, outcome.report["warnings"]
    row = outcome.report
    assert (row["proposal_number"], row["lead_agency"], row["signed_on"]) == ("0325", "重庆市教育委员会", "2020-04-14")
    assert row["doc_number"] == "渝教提函〔2020〕93号" and row["co_agencies"] == ["市人力社保局"]
    assert outcome.source.parsed["source_layout"]["format"] == "docx"


def test_the_size_limit_applies_to_the_file(pdf, monkeypatch):
    monkeypatch.setattr(S, "MAX_DOCUMENT_BYTES", len(pdf) - 1)
    outcome = Importer().import_bytes(pdf, "big.pdf")
    assert outcome.status == S.UNREADABLE and outcome.reason.startswith("file too large")


def test_the_command_imports_pdf_and_docx_and_fails_on_the_others(tmp_path, pdf, docx):
    folder = tmp_path / "attachments"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(pdf)
    (folder / "b.docx").write_bytes(docx)
    (folder / "c.doc").write_bytes(L.legacy_doc())
    (folder / "d.pdf").write_bytes(L.scanned_pdf())
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_corpus", str(folder), "--report", str(tmp_path / "report.json"), stdout=out, stderr=err)
    assert raised.value.returncode == 1
    assert f"{folder / 'c.doc'}: unsupported file format (.doc): convert it to PDF or DOCX" in err.getvalue()
    assert f"{folder / 'd.pdf'}: scanned PDF without a text layer (1 page)" in err.getvalue()
    assert "4 files: 2 created, 2 unreadable; 2 not imported, exit status 1" in out.getvalue()
    assert set(Proposal.objects.values_list("number", flat=True)) == {"55", "0325"}
    report = {r["file"].rsplit("/", 1)[-1]: r for r in json.loads((tmp_path / "report.json").read_text())}
    assert report["c.doc"]["kind"] == "unreadable" and report["a.pdf"]["doc_number"] == "曲政函〔2024〕257号"


def test_a_fixture_of_imported_files_keeps_their_layout(tmp_path, pdf, docx):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.pdf").write_bytes(pdf)
    (tmp_path / "in" / "b.docx").write_bytes(docx)
    fixture = tmp_path / "files.json"
    call_command("import_corpus", str(tmp_path / "in"), "--dry-run", "--fixtures", str(fixture), stdout=io.StringIO())
    assert SourceDocument.objects.count() == 0
    call_command("loaddata", str(fixture), verbosity=0)
    formats = {s.file_name: s.parsed["source_layout"]["format"] for s in SourceDocument.objects.all()}
    assert formats == {"a.pdf": "pdf", "b.docx": "docx"}


# --- the admin ------------------------------------------------------------------------------

@pytest.fixture
def staff_client(client):
    ensure_groups()
    client.force_login(staff_user())
    return client


def test_the_import_form_previews_pdf_and_docx_and_refuses_the_others(staff_client, pdf, docx):
    files = [SimpleUploadedFile("答复.pdf", pdf, content_type="application/pdf"),
             SimpleUploadedFile("复函.docx", docx), SimpleUploadedFile("旧版.doc", L.legacy_doc()),
             SimpleUploadedFile("扫描.pdf", L.scanned_pdf(), content_type="application/pdf")]
    response = staff_client.post(reverse("admin:replies_sourcedocument_import"), {"files": files})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<mark class="span-doc-number" title="文号">曲政函〔2024〕257号</mark>' in page
    assert '<span class="import-region import-region-page">第 2 页</span>' in page
    assert '<span class="import-region import-region-table">表格 1</span>' in page
    assert "PDF 文字层,2 页" in page and "DOCX,8 段,1 个表格" in page
    assert "不支持的文件格式(.doc):请转换为 PDF 或 DOCX 后再导入" in page
    assert "扫描件,无文字层(共 1 页):请先做文字识别(OCR)" in page
    assert [bool(p["token"]) for p in response.context["previews"]] == [True, True, False, False]
    tokens = [p["token"] for p in response.context["previews"] if p["token"]]
    staff_client.post(reverse("admin:replies_sourcedocument_import_confirm"), {"file": tokens})
    assert set(SourceDocument.objects.values_list("file_name", flat=True)) == {"答复.pdf", "复函.docx"}


def test_the_source_page_shows_the_pages_beside_the_spans(staff_client, pdf):
    source = Importer().import_bytes(pdf, "曲靖答复.pdf").source
    page = staff_client.get(reverse("admin:replies_sourcedocument_source", args=[source.pk])).content.decode()
    assert '<mark class="span-doc-number" title="文号">曲政函〔2024〕257号</mark>' in page
    assert '<span class="import-region import-region-page">第 1 页</span>' in page
    assert '<span class="import-region import-region-page">第 2 页</span>' in page
    assert "文件格式:PDF 文字层,2 页" in page
    assert 'href="#span-doc_number-0">原文位置</a>(第 1 页)' in page
