"""The importer's warnings reach a person in their language (issue 8: they were English only):
every warning line the importer writes is in the catalogue, and the admin shows it in Chinese
by default, in English on request."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from replies.importing import Importer
from replies.importing.warnings import CATALOGUE, warning_text
from replies.demo import ensure_groups
from tests.factories import staff_user

BASE = Path(settings.BASE_DIR)
CHONGQING = "002_ba5137bdd0dec010.txt"  # warns about a co-handling agency's full name


def _warning_sources():
    """The English warning lines written in the code (f-strings as patterns)."""
    found = []
    for path in [*(BASE / "replies" / "letters").glob("*.py"), *(BASE / "replies" / "importing").glob("*.py")]:
        if path.name == "warnings.py":
            continue
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"(?:b\.warn|warnings\.append)\(\s*((?:f?\"[^\"]*\"\s*)+)", text):
            found.append((path.name, call.group(1)))
    return found


@pytest.mark.parametrize("where, source", _warning_sources())
def test_every_warning_the_code_writes_is_in_the_catalogue(where, source):
    pieces = re.findall(r'f?"([^"]*)"', source)
    line = "".join(pieces)
    sample = re.sub(r"\{[^}]*\}", "7", line)
    with translation.override("zh-hans"):
        assert warning_text(sample) != sample, f"{where}: {line!r} has no entry in replies/importing/warnings.py"


def test_a_warning_in_chinese_and_in_english():
    line = "signature date 2024-10-20 is after publication 2024-10-01"
    with translation.override("zh-hans"):
        assert warning_text(line) == "成文日期 2024-10-20 晚于发布日期 2024-10-01"
    with translation.override("en"):
        assert "2024-10-20" in warning_text(line) and "成文" not in warning_text(line)
    assert len(CATALOGUE) >= 19


@pytest.mark.django_db
def test_the_source_page_shows_warnings_in_the_readers_language(client):
    outcome = Importer().import_bytes((BASE / "fixtures" / "corpus" / CHONGQING).read_bytes(), CHONGQING)
    assert outcome.source.warnings
    ensure_groups()
    client.force_login(staff_user())
    url = reverse("admin:replies_sourcedocument_source", args=[outcome.source.pk])
    page = client.get(url).content.decode()
    assert "its official full name is not in the letter" not in page
    assert "来函未写明其正式全称" in page
