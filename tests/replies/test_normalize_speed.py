"""The parser's speed-ups change nothing it reads (issue 10): Traditional->Simplified goes
through OpenCC only for the lines that hold a character OpenCC may change, the binary
check of a file counts its control bytes in C, co-handlers marked '(会办)' are found from the
mark backwards and page furniture is found in one pass over the short lines. Each is checked
against the plain way."""
import random
import re
import subprocess
from pathlib import Path

import opencc
import pytest
from django.conf import settings

from replies.letters import decoding
from replies.letters import normalize as N

CORPUS = Path(settings.BASE_DIR) / "fixtures" / "corpus"
OPENCC_SHARE = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
OPENCC_DICT = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"
T2S = opencc.OpenCC("t2s")


def plain(text: str) -> tuple[str, int]:
    """What normalize_with_count did before: the whole text through OpenCC."""
    simplified = T2S.convert(text)
    assert len(simplified) == len(text)
    changed = 0 if simplified == text else sum(1 for a, b in zip(text, simplified) if a != b)
    return N.fold_width(simplified), changed


@pytest.mark.skipif(not OPENCC_DICT.exists(), reason="the OpenCC wheel ships no opencc_dict tool")
def test_every_character_opencc_may_change_is_known(tmp_path):
    """Read OpenCC's own t2s dictionaries: every character a key changes is in the set."""
    config = (OPENCC_SHARE / "t2s.json").read_text(encoding="utf-8")
    names = ["CJK_Compatibility_Ideographs", "TSPhrases", "TSCharactersExt", "TSCharacters"]
    assert all(f"{name}.ocd2" in config for name in names)
    known = N.t2s_changed_characters()
    for name in names:
        out = tmp_path / f"{name}.txt"
        subprocess.run([str(OPENCC_DICT), "-i", str(OPENCC_SHARE / f"{name}.ocd2"), "-o", str(out), "-f", "ocd2",
                        "-t", "text"], check=True, capture_output=True, timeout=60,
                       env={"LD_LIBRARY_PATH": str(OPENCC_DICT.parent.parent / "lib64")})
        for line in out.read_text(encoding="utf-8").splitlines():
            key, values = line.split("\t")
            value = values.split(" ")[0]
            changed = set(key) if len(key) != len(value) else {a for a, b in zip(key, value) if a != b}
            assert changed <= known, f"{name}: {key} -> {value}: {''.join(changed - known)} missing"


def test_the_corpus_normalises_as_before():
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert N.normalize_with_count(text) == plain(text), path.name


def test_mixed_and_traditional_lines_normalise_as_before():
    rng = random.Random(10)
    convertible = sorted(N.t2s_changed_characters())
    common = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
    for _ in range(300):
        lines = []
        for _ in range(rng.randint(1, 12)):
            length = rng.randint(0, 60)
            pool = common if rng.random() < 0.5 else common + "".join(rng.choices(convertible, k=40))
            lines.append("".join(rng.choices(pool, k=length)))
        text = "\n".join(lines)
        assert N.normalize_with_count(text) == plain(text), text
    for text in ("答覆如下\n批覆\n", "什麼\n於是\n臺灣", "乾燥\n乾隆", "", "\n\n", "𠮷野家\n家"):
        assert N.normalize_with_count(text) == plain(text), text


def test_the_control_byte_count_is_the_plain_one():
    rng = random.Random(3)
    plain_controls = frozenset(set(range(0x00, 0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B})
    for _ in range(200):
        sample = bytes(rng.choices(range(256), k=rng.randint(1, 300)))
        expected = sum(1 for b in sample if b in plain_controls)
        assert len(sample) - len(sample.translate(None, decoding._CONTROL_BYTES)) == expected


# --- one-pass scans, each checked against the pattern it replaces -----------------------------------

from replies.letters import patterns as P  # noqa: E402
from replies.letters.fields import co_agencies_marked  # noqa: E402
from replies.letters.model import Lines  # noqa: E402

CO_AGENCY_PATTERN = re.compile(r"(?P<v>[\u3400-\u9fff]{2,40})\((?:会办|协办)(?:单位)?\)")


@pytest.mark.parametrize("text", [
    "经研究,市财政局(会办)、市人社局(协办单位)意见如下",
    "局(会办)",  # one character is not a name
    "(会办)市财政局(会办)",
    "甲乙丙" * 20 + "(会办)",  # longer than 40: the nearest 40
    "市财政局(会办)(会办)市教育局(协办)",
    "市财政局 (会办)",  # a space between: not a mark
])
def test_marked_co_agencies_are_what_the_pattern_finds(text):
    expected = [(m.start("v"), m.group("v")) for m in CO_AGENCY_PATTERN.finditer(text)]
    assert co_agencies_marked(text, 0, len(text)) == expected
    assert co_agencies_marked(text, 3, len(text) - 1) == [(m.start("v"), m.group("v"))
                                                          for m in CO_AGENCY_PATTERN.finditer(text, 3, len(text) - 1)]


def test_marked_co_agencies_match_the_pattern_on_random_text():
    rng = random.Random(7)
    alphabet = ["市", "财", "政", "局", "(会办)", "(协办单位)", "(", ")", " ", "\n", "a", "会", "办"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert co_agencies_marked(text, 0, len(text)) == [(m.start("v"), m.group("v"))
                                                          for m in CO_AGENCY_PATTERN.finditer(text)], text


def test_furniture_lines_are_those_the_pattern_finds_line_by_line():
    pages = [p.read_text(encoding="utf-8") for p in sorted(
        (Path(settings.BASE_DIR) / "tests" / "replies" / "evaluation" / "pages").glob("*.txt"))]
    pages.append("  首页 > 政务公开\n扫一扫在手机打开当前页\n【打印】 【关闭】\n" + "正文" * 100 + "\n\n分享到:\n")
    flagged = 0
    for text in pages:
        lines = Lines(N.normalize(text))
        expected = [e - s <= 160 and bool(P.FURNITURE_RE.search(lines.norm[s:e].strip())) for s, e in lines.bounds]
        assert lines.furniture == expected
        flagged += sum(expected)
    assert flagged > 20  # the pages do carry furniture: the comparison is not of empty lists


_NUM = r"[0-9A-Za-z](?:[0-9A-Za-z.\-]{0,14}[0-9A-Za-z])?"
# The reference pattern as one expression, as it was before it was split in two (patterns.proposal_ref).
PROPOSAL_REF_ONE_PATTERN = re.compile(
    rf"第[ \t]*(?P<n1>{_NUM})[ \t]*号[ \t]*(?:提案|建议|议案)"
    rf"|提案(?:第|编号[ \t]*:?)[ \t]*(?P<n2>{_NUM})[ \t]*号"
    rf"|(?<![0-9A-Za-z.])(?P<n3>{_NUM})[ \t]*号[ \t]*提案"
    rf"|提案[ \t]*\((?P<n4>{_NUM})\)[ \t]*号"
)


def one_pattern_ref(text, pos=0, endpos=None):
    m = PROPOSAL_REF_ONE_PATTERN.search(text, pos, len(text) if endpos is None else endpos)
    if not m:
        return None
    key = next(k for k in ("n1", "n2", "n3", "n4") if m.group(k))
    return m.group(key), m.start(key), m.end(key)


@pytest.mark.parametrize("text", [
    "对第55号提案的答复", "提案第0325号", "提案编号:2025D048号", "关于1055号提案", "A1.5号提案", "x55号提案",
    "提案(70)号", "第6.11号建议", "见2024年第3号文件", "12号提案与第13号提案", "", "号提案",
])
def test_a_proposal_reference_is_what_the_one_pattern_found(text):
    assert P.proposal_ref(text) == one_pattern_ref(text)
    assert P.proposal_ref(text, 1, max(1, len(text) - 1)) == one_pattern_ref(text, 1, max(1, len(text) - 1))


def test_proposal_references_match_the_one_pattern_on_random_text():
    rng = random.Random(11)
    alphabet = ["第", "号", "提案", "建议", "编号:", "(", ")", "1", "2", "A", ".", " ", "\n", "x"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert P.proposal_ref(text) == one_pattern_ref(text), text


def test_navigation_lines_are_masked_only_at_the_start_of_a_line():
    from replies.letters.parser import _mask_nav_links

    text = "正文第一段\n  上一条:关于第12号提案的答复\n见下一条:第13号\n下一篇:第14号\n"
    masked = _mask_nav_links(text, Lines(text))
    assert len(masked) == len(text)
    assert masked.split("\n") == ["正文第一段", " " * len("  上一条:关于第12号提案的答复"), "见下一条:第13号",
                                  " " * len("下一篇:第14号"), ""]
