"""Natural order of proposal numbers as printed: 9 < 10 < 0325 < 2025D048; 6.11 after 6.9."""
import re

_RUN = re.compile(r"(\d+)")


def natural_sort_key(number: str) -> str:
    """A string whose ordinary ordering is the natural ordering of ``number``
    (digit runs zero-padded to 10 places, so the database can sort and index it)."""
    parts = _RUN.split(number.strip())
    return "".join(part.zfill(10) if part.isdigit() else part.upper() for part in parts)[:96]
