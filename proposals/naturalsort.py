"""Natural order of proposal numbers as printed: 9 < 10 < 0325 < 2025D048; 6.11 after 6.9."""
import re
import unicodedata

_RUN = re.compile(r"(\d+)")


def natural_sort_key(number: str) -> str:
    """A string whose ordinary ordering is the natural ordering of ``number``
    (digit runs zero-padded to 10 places, so the database can sort and index it).

    Full-width digits and letters (０３２５, Ｄ) are read as their ASCII forms first: a number
    copied from a letter sorts with the same number typed by hand.
    """
    text = unicodedata.normalize("NFKC", number or "").strip()
    parts = _RUN.split(text)
    return "".join(part.zfill(10) if part.isdigit() else part.upper() for part in parts)[:96]
