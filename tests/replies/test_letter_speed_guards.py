"""Patterns tried only where their literals occur (replies.letters.patterns.Guarded, issue 10): a
guard may skip a text only when the pattern cannot match there, so every match of every guarded
pattern must hold one of its literals. Checked on the evaluation pages, the bundled corpus, made-up
letters and short made-up strings, and the guarded search against the plain one on random ranges."""
import random
import sys
from pathlib import Path

import pytest
from django.conf import settings

from replies.letters import fields, glosses, header, patterns, proposal, recognition
from replies.letters.normalize import normalize
from replies.letters.patterns import Guarded

BASE = Path(settings.BASE_DIR)
MODULES = (patterns, header, fields, proposal, recognition)


def guarded_patterns() -> dict[str, Guarded]:
    found = {}
    for module in MODULES:
        for name, value in vars(module).items():
            values = value if isinstance(value, tuple) else (value,)
            for i, item in enumerate(values):
                if isinstance(item, Guarded):
                    found.setdefault(id(item), (f"{module.__name__}.{name}" + (f"[{i}]" if len(values) > 1 else ""),
                                                item))
    return dict(found.values())


GUARDS = guarded_patterns()


def sample_texts() -> list[str]:
    sys.path.insert(0, str(BASE / "benchmarks"))
    from import_corpus import make_letters

    from replies.importing.formats import extract_document

    files = sorted((BASE / "tests" / "replies" / "evaluation" / "pages").iterdir()) + sorted(
        (BASE / "fixtures" / "corpus").iterdir())
    items = [(f.name, f.read_bytes()) for f in files if f.is_file()] + make_letters(300)
    return [normalize(extract_document(data, name).text) for name, data in items]


@pytest.fixture(scope="module")
def texts():
    return sample_texts()


def test_the_guards_are_found():
    assert len(GUARDS) >= 12, sorted(GUARDS)


# One made-up string per guarded pattern that it matches, with the literal the match holds.
MADE_UP = {
    "OPINION_RE": "现将我局对该提案的会办意见函告如下",
    "LEAD_NAMED_RE": "该提案由市教育体育局主办,我局会办",
    "PLACEHOLDER_HINT_RE": "XX委员:",
    "CLASS_RE": "办理结果:B类",
    "DISCLOSURE_RE": "此件公开发布",
    "DISCLOSURE_REASON_RE": "不予公开的理由:涉及个人信息",
    "_UNIT_RE": "联系单位:市财政局",
    "_PERSON_RE": "联系人:张三",
    "_PHONE_RE": "联系电话:0874-1234567",
    "CC_RE": "抄送:市政协提案委",
    "CO_AGENCY_RES[0]": "经与市财政局共同研究",
    "CO_AGENCY_RES[1]": "会办单位:市财政局",
    "CO_AGENCY_MARK_RE": "市财政局(会办)",
}


@pytest.mark.parametrize("name", sorted(GUARDS))
def test_a_made_up_match_is_found_through_the_guard(name):
    short = name.rsplit(".", 1)[1]
    text = MADE_UP[short]
    guard = GUARDS[name]
    assert guard.regex.search(text), f"{name} should match {text!r}"
    assert guard.search(text) is not None
    assert [m.span() for m in guard.finditer(text)] == [m.span() for m in guard.regex.finditer(text)]
    # Without its literals (each replaced by look-alike characters) neither finds anything.
    for literal in guard.literals:
        text = text.replace(literal, "〇" * len(literal))
    assert guard.search(text) is None and guard.regex.search(text) is None


@pytest.mark.parametrize("name", sorted(GUARDS))
def test_every_match_on_real_and_made_up_letters_holds_a_literal(name, texts):
    guard, matches = GUARDS[name], 0
    for text in texts:
        for m in guard.regex.finditer(text):
            matches += 1
            assert any(literal in m.group() for literal in guard.literals), (name, m.group())
    MATCHED[name] = matches


MATCHED: dict[str, int] = {}


def test_most_guards_matched_on_the_samples(texts):
    """The check above has something to check: most guarded patterns match somewhere in them."""
    for name, guard in GUARDS.items():
        MATCHED.setdefault(name, sum(1 for text in texts for _ in guard.regex.finditer(text)))
    assert sum(1 for n in MATCHED.values() if n) >= len(GUARDS) - 4, MATCHED


@pytest.mark.parametrize("name", sorted(GUARDS))
def test_the_guarded_search_is_the_plain_search(name, texts):
    guard, rng = GUARDS[name], random.Random(name)
    for text in texts:
        for _ in range(5):
            start = rng.randrange(0, max(1, len(text)))
            end = rng.randrange(start, len(text) + 1)
            plain = guard.regex.search(text, start, end)
            found = guard.search(text, start, end)
            assert (found and found.span()) == (plain and plain.span())
            assert [m.span() for m in guard.finditer(text, start, end)] == [
                m.span() for m in guard.regex.finditer(text, start, end)]


@pytest.mark.parametrize("text", [
    "關(guān)于(yú)加(jiā)強(qiáng)", "(a)(b)(c)", "（mǎ）", "", "无括号", "(de)(app)(le) (hǎo)(hǎo)(hǎo)",
    "(zhōng(wén)", "（ā）(é)（ǐ)",
])
def test_glosses_counted_at_brackets_are_the_pattern_s_matches(text):
    plain = sum(1 for _ in glosses._TONED_GLOSS_RE.finditer(text))
    assert glosses._toned_glosses(text, 100) == plain
    assert glosses._toned_glosses(text, 2) == min(plain, 2)
