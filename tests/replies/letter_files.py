"""Reply letters as a committee publishes them: PDF (reportlab, with a text layer in the
built-in Chinese font STSong-Light) and Word .docx (python-docx), made in the test.

The PDF is set as published letters are: body lines justified to the right margin, first
lines of paragraphs indented two characters, the title centred on two lines, the signature
right-aligned, a page number at the foot of each page, and lines wrapped wherever the margin
falls, inside a date ("2024-10-" + "21") and a document number ("曲政函〔2024〕2" + "57号").
"""
from __future__ import annotations

import io

FONT = "STSong-Light"
SIZE = 14
LEFT = 72
WIDTH = 306          # the text column; each justified line is stretched to it
LEADING = 26

META_LINES = [       # one paragraph, wrapped by hand at the places a real page wraps it
    "索引号:11530300-2024-001234567 发布时间:2024-10-",
    "21 成文日期:2024年10月20日 文号:曲政函〔2024〕2",
    "57号 来源:曲靖市人民政府",
]
TITLE = ["曲靖市人民政府关于市政协六届三次会议", "第55号提案办理意见的函"]
SALUTATION = "陈丽琴委员:"
OPENING = "你提出的《关于重视农村教育 提倡集中办学的提案》(第55号),交由曲靖市人民政府办理,经认真研究,现答复如下:"
SECTION = "一、工作开展情况"
FILLER = ("曲靖市高度重视区域内城乡义务教育一体化发展工作,严格落实县域内城乡义务教育一体化改革发展的实施意见,"
          "着力提升义务教育均衡发展水平,加快义务教育标准化学校建设,建立健全义务教育治理体系。")
# Spans the page break: its lines on page 2 carry on the sentence begun on page 1.
ACROSS = "跨页段落开始," + "统筹推进城乡义务教育一体化改革发展," * 6 + "跨页段落结束。"
CLOSING = "感谢你对政府工作的关心和支持。"
SIGNATURE = ["曲靖市人民政府", "2024年10月20日"]
CONTACT = "(联系单位:市政府办公室秘书三科 联系电话:0874—3121678)"


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _width(text: str) -> float:
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.stringWidth(text, FONT, SIZE)


def wrap(text: str, indent: float = 2 * SIZE) -> list[tuple[float, str]]:
    """(indent, line) for a paragraph wrapped at the column width, character by character."""
    lines, current, indent_now = [], "", indent
    for ch in text:
        if indent_now + _width(current + ch) > WIDTH:
            lines.append((indent_now, current))
            current, indent_now = "", 0
        current += ch
    lines.append((indent_now, current))
    return lines


class _Pages:
    def __init__(self, canvas, page_height):
        self.canvas, self.height, self.page, self.y = canvas, page_height, 1, page_height - 72

    def _room(self):
        if self.y < 100:
            self._number()
            self.canvas.showPage()
            self.page += 1
            self.y = self.height - 72

    def _number(self):
        self.canvas.setFont(FONT, 10)
        self.canvas.drawCentredString(LEFT + WIDTH / 2, 50, f"— {self.page} —")

    def paragraph(self, lines, justify_last=False):
        for i, (indent, line) in enumerate(lines):
            self._room()
            self.canvas.setFont(FONT, SIZE)
            last = i == len(lines) - 1
            spare = WIDTH - indent - _width(line)
            space = spare / (len(line) - 1) if (not last or justify_last) and len(line) > 1 else 0
            self.canvas.drawString(LEFT + indent, self.y, line, charSpace=space)
            self.y -= LEADING

    def centred(self, line):
        self._room()
        self.canvas.setFont(FONT, SIZE)
        self.canvas.drawCentredString(LEFT + WIDTH / 2, self.y, line)
        self.y -= LEADING

    def right(self, line):
        self._room()
        self.canvas.setFont(FONT, SIZE)
        self.canvas.drawRightString(LEFT + WIDTH - 2 * SIZE, self.y, line)
        self.y -= LEADING

    def finish(self):
        self._number()
        self.canvas.save()


def letter_pdf(*, filler_paragraphs: int = 3) -> bytes:
    """A two-page reply letter (with the default filler) with a text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _font()
    buffer = io.BytesIO()
    pages = _Pages(canvas.Canvas(buffer, pagesize=A4), A4[1])
    pages.paragraph([(0, line) for line in META_LINES])
    pages.y -= LEADING / 2
    for line in TITLE:
        pages.centred(line)
    pages.paragraph([(0, SALUTATION)])
    pages.paragraph(wrap(OPENING))
    pages.paragraph([(2 * SIZE, SECTION)])
    for _ in range(filler_paragraphs):
        pages.paragraph(wrap(FILLER))
    pages.paragraph(wrap(ACROSS))
    pages.paragraph(wrap(CLOSING))
    for line in SIGNATURE:
        pages.right(line)
    pages.paragraph([(0, CONTACT)])
    pages.finish()
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """One page holding only a picture of text, as a scanner makes it: no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    picture = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(picture)
    for y in range(60, 760, 30):
        draw.line((50, y, 550, y), fill=0, width=6)  # lines of "text"
    image = io.BytesIO()
    picture.save(image, format="PNG")
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawImage(ImageReader(io.BytesIO(image.getvalue())), 40, 40, width=500, height=700)
    page.save()
    return buffer.getvalue()


def letter_docx() -> bytes:
    """A reply letter as a Word file: the metadata in a table, then the letter's paragraphs."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    for row, (label, value) in zip(table.rows, [("文号", "渝教提函〔2020〕93号"), ("发布日期", "2020-08-03"),
                                                ("公开方式", "主动公开")]):
        row.cells[0].text, row.cells[1].text = label, value
    document.add_paragraph("")
    document.add_paragraph("重庆市教育委员会关于市政协五届三次会议第0325号提案的复函")
    document.add_paragraph("")
    document.add_paragraph("陈平委员:")
    document.add_paragraph("您提出的《关于加强中小学劳动教育的提案》(第0325号)收悉。经与市人力社保局共同研究办理,"
                           "现答复如下:")
    document.add_paragraph("一、工作开展情况")
    document.add_paragraph("我委高度重视中小学劳动教育,将其纳入全市教育事业发展规划。")
    document.add_paragraph("感谢您对教育工作的关心和支持。")
    document.add_paragraph("重庆市教育委员会")
    document.add_paragraph("2020年4月14日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def legacy_doc() -> bytes:
    """The first bytes of a Word 97-2003 file (an OLE compound document)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "陈丽琴委员".encode("utf-16-le") * 10
