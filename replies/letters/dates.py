"""Dates as printed in letters: '2024年10月20日', '2020-08-03', '二〇二四年十月二十日',
'2020.4.14', and run-together signature dates such as '2020414' or '20211026'."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .normalize import cn_to_int

_CN_YEAR = "〇零○O0一二三四五六七八九"
_CN_SMALL = "一二三四五六七八九十"

DATE_PATTERN = (
    r"(?P<y>(?:19|20)\d{2})[ \t]*(?:年|[-/.])[ \t]*(?P<m>\d{1,2})[ \t]*(?:月|[-/.])[ \t]*(?P<d>\d{1,2})(?![\d])[ \t]*日?"
    rf"|(?P<cy>[{_CN_YEAR}]{{4}})[ \t]*年[ \t]*(?P<cm>[{_CN_SMALL}]{{1,3}})[ \t]*月[ \t]*(?P<cd>[{_CN_SMALL}]{{1,3}})[ \t]*日"
)
DATE_RE = re.compile(DATE_PATTERN)
RUN_TOGETHER_PATTERN = r"(?<!\d)(?P<run>(?:19|20)\d{4,6})(?!\d)"
# A line that is only a date (signature dates stand alone, sometimes after the agency).
DATE_LINE_RE = re.compile(
    rf"\s*(?:(?P<agency>[^\d\s][^\n]{{1,60}}?)\s+)?(?:{DATE_PATTERN}|{RUN_TOGETHER_PATTERN})\s*"
)


@dataclass(frozen=True)
class DateReading:
    value: dt.date | None
    start: int
    end: int
    printed: str
    warnings: tuple[str, ...] = ()


def _make(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def run_together_readings(run: str) -> list[dt.date]:
    """All valid dates for digits like '2020114' (2020-01-14 and 2020-11-04)."""
    year, rest = int(run[:4]), run[4:]
    readings = []
    for m_len in (1, 2):
        d_len = len(rest) - m_len
        if d_len not in (1, 2):
            continue
        date = _make(year, int(rest[:m_len]), int(rest[m_len:]))
        if date and date not in readings:
            readings.append(date)
    return readings


def reading_from_match(m: re.Match, reference: dt.date | None = None) -> DateReading:
    """Interpret a match of DATE_RE or DATE_LINE_RE (offsets are the match's own)."""
    gd = m.groupdict()
    if gd.get("y"):
        start, end = m.start("y"), m.end("d")
        printed = m.string[start:m.end()].rstrip()
        value = _make(int(gd["y"]), int(gd["m"]), int(gd["d"]))
        warnings = () if value else (f"invalid date '{printed}'",)
        return DateReading(value, start, start + len(printed), printed, warnings)
    if gd.get("cy"):
        start = m.start("cy")
        end = m.end("cd") + 1  # the closing 日
        printed = m.string[start:end]
        # '二00七年': the zero of a Chinese-numeral year is sometimes typed as a digit.
        y, mo, d = cn_to_int(gd["cy"].replace("0", "〇")), cn_to_int(gd["cm"]), cn_to_int(gd["cd"])
        value = _make(y, mo, d) if None not in (y, mo, d) else None
        warnings = () if value else (f"invalid date '{printed}'",)
        return DateReading(value, start, end, printed, warnings)
    run = gd["run"]
    start, end = m.start("run"), m.end("run")
    readings = run_together_readings(run)
    if not readings:
        return DateReading(None, start, end, run, (f"unreadable run-together date '{run}'",))
    warnings = [f"signature date read from run-together digits '{run}'"]
    if len(readings) == 1:
        return DateReading(readings[0], start, end, run, tuple(warnings))
    if reference:
        before = [r for r in readings if r <= reference]
        chosen = max(before) if before else min(readings)
    else:
        chosen = readings[0]
    warnings.append(
        f"run-together date '{run}' is ambiguous ({', '.join(r.isoformat() for r in readings)}); "
        f"chose {chosen.isoformat()}"
    )
    return DateReading(chosen, start, end, run, tuple(warnings))


def find_date(text: str, reference: dt.date | None = None) -> DateReading | None:
    """The first printed date in ``text`` (no run-together digits)."""
    m = DATE_RE.search(text)
    return reading_from_match(m, reference) if m else None
