"""The API's orjson renderer (proposals/api/renderers.py, issue 13) writes byte for byte what DRF's
JSONRenderer writes: for every kind of value a serializer hands it, and for real answers of the
API, role by role."""
import datetime
import decimal
import enum
import uuid
import zoneinfo

import pytest
from django.db import models, transaction
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from proposals.api.renderers import FastJSONRenderer
from tests.api_support import ROLES, build_world, client_for

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Colour(models.TextChoices):
    RED = "red", "红"


class Size(enum.IntEnum):
    BIG = 3


VALUES = {
    "chinese": "关于加强农村义务教育学校建设的提案",
    "control": "tab\tnewline\nquote\"backslash\\",
    "separators": "line\u2028paragraph\u2029end",
    "emoji and astral": "𠀀😀",
    "datetime with microseconds": datetime.datetime(2024, 5, 21, 9, 30, 1, 123456, tzinfo=SHANGHAI),
    "datetime in UTC": datetime.datetime(2024, 5, 21, 1, 30, tzinfo=datetime.timezone.utc),
    "naive datetime": datetime.datetime(2024, 5, 21, 9, 30),
    "date": datetime.date(2024, 5, 21),
    "time": datetime.time(9, 30, 1, 500),
    "timedelta": datetime.timedelta(days=2, seconds=5),
    "decimal": decimal.Decimal("12.50"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy translation": gettext_lazy("提案"),
    "safe string": mark_safe("<b>粗</b>"),
    "text choice": Colour.RED,
    "int enum": Size.BIG,
    "int keys": {1: "a", 2: {3: "b"}},
    "tuple and set": {"t": (1, 2), "s": frozenset({7})},
    "numbers": [0, -1, 2**53 + 1, 1.5, 0.0001, 0.3333, 123456789.125, True, False, None],
    "nested DRF containers": ReturnDict({"rows": ReturnList([ReturnDict({"a": 1}, serializer=None)], serializer=None)},
                                        serializer=None),
    "empty": {"list": [], "dict": {}, "string": ""},
}


@pytest.mark.parametrize("name", list(VALUES))
def test_each_value_is_written_as_drf_writes_it(name):
    data = {"value": VALUES[name]}
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_a_float_in_exponent_form_is_the_same_number():
    """The one difference: json writes 1e-07 where orjson writes 1e-7 (no figure of the API is
    that small: rates are rounded to 4 places)."""
    import json

    data = {"value": [1e-7, 1e22, 2.5e-300]}
    assert json.loads(FastJSONRenderer().render(data)) == json.loads(JSONRenderer().render(data))


def test_an_indented_document_parses_to_the_same():
    import json

    data = {"rows": [{"title": "提案", "on": datetime.date(2024, 5, 21)}]}
    fast = FastJSONRenderer().render(data, "application/json; indent=4")
    assert b"\n  " in fast  # indented (by two spaces: orjson's only indent)
    assert json.loads(fast) == json.loads(JSONRenderer().render(data))


def test_no_content_is_empty():
    assert FastJSONRenderer().render(None) == b"" == JSONRenderer().render(None)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_real_answers_are_the_bytes_drf_would_write(world, role, settings):
    """The settings name the orjson renderer; each answer's data rendered by DRF's own renderer is
    the body the API sent."""
    assert settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"][0] == "proposals.api.renderers.FastJSONRenderer"
    client = client_for(world.user(role))
    paths = ["/api/proposals/", f"/api/proposals/{world.assigned.pk}/", "/api/assignments/", "/api/replies/",
             "/api/stats/?group_by=agency", "/api/proposals/?page_size=abc&year=1"]
    compared = 0
    for path in paths:
        response = client.get(path, HTTP_ACCEPT="application/json")
        assert response["Content-Type"].startswith("application/json")
        if getattr(response, "data", None) is None:
            continue
        assert response.content == JSONRenderer().render(response.data), path
        compared += 1
    assert compared >= 5
