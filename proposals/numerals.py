"""Chinese numerals for labels such as 六届三次会议."""

_DIGITS = "零一二三四五六七八九"


def to_chinese_numeral(value: int) -> str:
    """1 -> 一, 10 -> 十, 13 -> 十三, 20 -> 二十, 24 -> 二十四 (enough for terms and sessions)."""
    if value < 0 or value >= 100:
        return str(value)
    if value < 10:
        return _DIGITS[value]
    tens, ones = divmod(value, 10)
    prefix = "" if tens == 1 else _DIGITS[tens]
    return f"{prefix}十{_DIGITS[ones] if ones else ''}"
