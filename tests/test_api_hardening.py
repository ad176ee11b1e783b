"""Hostile input is a 400 in JSON, never a 500 (issue 9, items 2 and 6, found by a fuzzer):
crafted cursors, out-of-range years and numbers, JSON nested too deep, dates the calendar
cannot compute with; every error under /api/ is JSON, Django's own 404 and 500 included.

The sweeps at the end enumerate every list and every write operation from the OpenAPI schema,
so that a new filter or action is fuzzed without anyone remembering to add it here."""
from __future__ import annotations

import base64
import datetime
import functools
import json

import jsonschema
import pytest
from django.core.cache import cache
from django.test import RequestFactory

from proposals import services
from proposals.api.errors import BAD_REQUEST_SCHEMA
from proposals.api.parsers import nesting_depth
from proposals.models import CalendarDay
from tests.api_support import build_world, client_for
from tests.factories import make_cast, proposal_at

FAR_FUTURE, FAR_PAST = "9999-12-31", "0001-01-01"


@functools.cache
def api_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operations(*methods: str) -> list[tuple[str, str, dict]]:
    return [(method, path, operation) for path, by_method in api_schema()["paths"].items()
            for method, operation in by_method.items() if method in methods]


def query_parameters(operation: dict) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]


def request_fields(operation: dict) -> list[str]:
    ref = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" not in ref:
        return []
    return list(api_schema()["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]].get("properties", {}))


LISTS = sorted(path for _method, path, op in operations("get") if "cursor" in query_parameters(op))
FILTERED = sorted((path, tuple(query_parameters(op))) for _method, path, op in operations("get")
                  if "{" not in path and query_parameters(op))
WRITES = sorted((method, path, tuple(request_fields(op))) for method, path, op in operations("post", "put", "patch"))


def assert_json_error(response, status=400) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def test_the_schema_enumerates_what_the_sweeps_need():
    assert len(LISTS) >= 12 and "/api/calendar-days/" in LISTS
    assert ("post", "/api/proposals/{id}/assign/", ("lead", "co", "separate", "assigned_on",
                                                    "allow_other_region")) in WRITES


# --- cursors -----------------------------------------------------------------------------------------

def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


BAD_CURSORS = ["garbage", b64("\x00\xff junk"), b64("p=abc&r=1"), b64("p=1e400"), b64("p=99999999999999999999999"),
               b64("o=-5"), b64("o=abc"), b64("r=1&r=2&p=x"), "%00", "x" * 5000]


@pytest.mark.parametrize("path", LISTS)
def test_a_crafted_cursor_is_a_400_naming_the_cursor_on_every_list(db, path):
    client = client_for(make_cast().staff)
    for cursor in BAD_CURSORS:
        body = assert_json_error(client.get(path, {"pagination": "cursor", "cursor": cursor}))
        assert list(body) == ["cursor"] and "游标" in body["cursor"][0], (cursor, body)


def test_the_cursors_a_list_hands_out_still_walk_it(db):
    cast = make_cast()
    for number in range(3):
        proposal_at(cast, "submitted", number=str(number + 1))
    client, seen, url = client_for(cast.staff), [], "/api/proposals/?pagination=cursor&page_size=2"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == 3 and seen == sorted(seen)


# --- years and numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("year", ["0", "-5", "99999", "1e20", "2024.5"])
@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_an_impossible_year_is_a_400_before_any_export_starts(db, year, fmt):
    assert CalendarDay.objects.exists()  # an export with rows to stream
    body = assert_json_error(client_for().get("/api/calendar-days/", {"year": year, "format": fmt}))
    assert list(body) == ["year"], body


def test_a_plausible_year_still_filters(db):
    for year in (2024, 2025):
        CalendarDay.objects.get_or_create(date=datetime.date(year, 10, 1), defaults={"kind": "holiday", "name": "国庆节"})
    response = client_for().get("/api/calendar-days/", {"year": "2025", "page_size": 1000})
    dates = [row["date"] for row in response.json()["results"]]
    assert "2025-10-01" in dates and all(d.startswith("2025-") for d in dates)


@pytest.mark.parametrize("path, name", [
    ("/api/sessions/", "year"), ("/api/sessions/", "term"), ("/api/replies/", "round"),
    ("/api/assignments/", "proposal_id"), ("/api/events/", "reply_id"), ("/api/contacts/", "assignment_id"),
    ("/api/feedback/", "reply_id"), ("/api/extension-requests/", "proposal_id")])
@pytest.mark.parametrize("value", ["99999999999999999999999", "1e20", "-1"])
def test_a_number_filter_out_of_range_is_a_400_naming_the_filter(db, path, name, value):
    body = assert_json_error(client_for(make_cast().staff).get(path, {name: value}))
    assert list(body) == [name], body


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_moment_beyond_the_calendar_is_a_400(db, value):
    body = assert_json_error(client_for(make_cast().staff).get("/api/events/", {"at_after": value}))
    assert list(body) == ["at_after"], body


# --- JSON nested too deep ----------------------------------------------------------------------------------

@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000,
                                  '{"title": ' + "[" * 65 + "]" * 65 + "}"])
def test_json_nested_too_deep_is_a_400_too_deep(db, body):
    client = client_for(make_cast().staff)
    answer = assert_json_error(client.post("/api/proposals/", body, content_type="application/json"))
    assert answer["code"] == "too_deep" and "64" in answer["detail"], answer


def test_json_nested_within_the_limit_reaches_the_serializer(db):
    client = client_for(make_cast().staff)
    nested = '{"title": "' + "[" * 70 + '", "x": ' + "[" * 60 + "]" * 60 + "}"  # brackets in a string do not count
    answer = assert_json_error(client.post("/api/proposals/", nested, content_type="application/json"))
    assert "code" not in answer and "session" in answer, answer


def test_the_depth_is_counted_outside_strings_in_one_pass():
    assert nesting_depth(br'{"a": "x\"[[[[\\", "b": [[1]]}', limit=64) == 3
    # Quotes and backslashes arranged to make a backtracking scanner quadratic: a few hundred
    # thousand of them must still be one quick pass.
    assert nesting_depth(b'"\\' * 300_000 + b"\\", limit=64) == 0
    assert nesting_depth(b'["' + b"[" * 300_000, limit=64) == 1


# --- dates a person sends ---------------------------------------------------------------------------------

def extension_request_of(world):
    return services.extension_request(actor=world.cast.liaison, assignment=world.lead, reason="需要调研",
                                      wanted_due_on=world.lead.due_on + datetime.timedelta(days=20))


# (who sends it, method, path, the body without the date, the date's field)
DATE_INPUTS = {
    "assign": ("staff", "post", lambda w: f"/api/proposals/{w.submitted.pk}/assign/",
               lambda w: {"lead": w.cast.agency.pk}, "assigned_on"),
    "extend": ("staff", "post", lambda w: f"/api/assignments/{w.lead.pk}/extend/", lambda w: {"reason": "调研"},
               "new_due_on"),
    "request-extension": ("liaison", "post", lambda w: f"/api/assignments/{w.lead.pk}/request-extension/",
                          lambda w: {"reason": "调研"}, "wanted_due_on"),
    "approve-extension": ("staff", "post", lambda w: f"/api/extension-requests/{extension_request_of(w).pk}/approve/",
                          lambda w: {}, "new_due_on"),
    "contact": ("liaison", "post", lambda w: "/api/contacts/",
                lambda w: {"assignment": w.lead.pk, "stage": "before", "form": "phone"}, "date"),
    "supervise": ("staff", "post", lambda w: f"/api/proposals/{w.assigned.pk}/supervise/",
                  lambda w: {"note": "督办"}, "date"),
    "reply-create": ("co_liaison", "post", lambda w: "/api/replies/",
                     lambda w: {"assignment": w.co.pk, "title": "答复", "body": "正文"}, "signed_on"),
    "reply-edit": ("liaison", "patch", lambda w: f"/api/replies/{w.draft_reply.pk}/", lambda w: {}, "signed_on"),
    "reply-correct-signed": ("staff", "post", lambda w: f"/api/replies/{w.public_reply.pk}/correct/",
                             lambda w: {"reason": "笔误"}, "signed_on"),
    "reply-correct-delivered": ("staff", "post", lambda w: f"/api/replies/{w.public_reply.pk}/correct/",
                                lambda w: {"reason": "笔误"}, "delivered_on"),
    "assignment-correct": ("staff", "post", lambda w: f"/api/assignments/{w.lead.pk}/correct/",
                           lambda w: {"reason": "笔误"}, "assigned_on"),
    "calendar-day": ("staff", "post", lambda w: "/api/calendar-days/", lambda w: {"kind": "holiday"}, "date"),
    "session-opened": ("staff", "patch", lambda w: f"/api/sessions/{w.cast.session.pk}/", lambda w: {}, "opened_on"),
    "session-reply-fixed": ("staff", "patch", lambda w: f"/api/sessions/{w.cast.session.pk}/", lambda w: {},
                            "reply_fixed_date"),
}


@pytest.mark.parametrize("value", [FAR_FUTURE, FAR_PAST])
@pytest.mark.parametrize("case", sorted(DATE_INPUTS))
def test_a_date_beyond_the_plausible_window_is_a_400_naming_its_field(db, case, value):
    world = build_world()
    role, method, path, body, field = DATE_INPUTS[case]
    response = getattr(client_for(world.user(role)), method)(path(world), {**body(world), field: value})
    answer = assert_json_error(response)
    assert field in answer and ("1980" in answer[field][0] or "2099" in answer[field][0]), answer


def test_a_plausible_date_still_goes_through(db):
    world = build_world()
    response = client_for(world.cast.liaison).post("/api/contacts/", {
        "assignment": world.lead.pk, "stage": "before", "form": "phone", "date": "2024-03-07"})
    assert response.status_code == 201, response.content


# --- every error under /api/ is JSON ------------------------------------------------------------------------

def test_an_unknown_api_path_is_a_json_404(db):
    answer = assert_json_error(client_for().get("/api/no-such-thing/"), status=404)
    assert answer["code"] == "not_found" and answer["detail"]


def test_an_unknown_page_elsewhere_is_the_sites_html_404(db):
    response = client_for().get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    assert "页面不存在" in response.content.decode()


def installed_handler500():
    """The view Django calls for an unexpected exception (config/urls.py); a test-only view that
    raises has no place in the production URLs, so the handler is called directly."""
    from django.urls import get_resolver

    return get_resolver().resolve_error_handler(500)


def test_an_unexpected_error_under_api_is_a_json_500():
    response = installed_handler500()(RequestFactory().get("/api/proposals/"))
    answer = assert_json_error(response, status=500)
    assert answer["code"] == "server_error" and "服务器" in answer["detail"] and "Traceback" not in answer["detail"]


def test_an_unexpected_error_elsewhere_is_the_sites_html_500():
    response = installed_handler500()(RequestFactory().get("/admin/"))
    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")
    assert "服务器内部错误" in response.content.decode()


@pytest.mark.django_db
def test_an_export_asks_the_database_before_the_download_starts():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = build_world()
    with CaptureQueriesContext(connection) as before_download:
        response = client_for(world.cast.staff).get("/api/proposals/", {"format": "csv"})
    assert response.status_code == 200
    assert any("proposals_proposal" in q["sql"] for q in before_download.captured_queries)
    assert b"".join(response.streaming_content)  # the rows come as the download is read


# --- the sweeps ------------------------------------------------------------------------------------------------

HOSTILE_QUERY_VALUES = [
    "99999999999999999999999", "-99999999999999999999999", "1e20", "-5", "0", "NaN", "Infinity", "\x00", "a\x01\x1f",
    "x" * 5000, "词 " * 1500, "[]", "{}", FAR_FUTURE, FAR_PAST, FAR_FUTURE + "T23:59:59-12:00",
    FAR_PAST + "T00:00:00+14:00", "2024-02-30", "𠀀", "%", ",,,", "/", "-",
]
HOSTILE_JSON_VALUES = [
    10 ** 30, -(10 ** 30), 1e308, -1, 0, "\x00", "a\x01\x1f", "x" * 100_000, [], {}, [[[]]], None, True, "",
    FAR_FUTURE, FAR_PAST, "2024-02-30", {"id": 1}, ["1", "x"], "99999999999999999999999",
]
HOSTILE_BODIES = [[], "x", 123, None, [{}]]


class Sweeper:
    """A client that hands back the 500 page instead of raising, so that a sweep reports every one,
    and that starts every request with fresh throttles (they count in the cache), so that every
    hostile value reaches the filters and serializers instead of a 429."""

    def __init__(self, user=None):
        self.client = client_for(user)
        self.client.raise_request_exception = False

    def __call__(self, method, *args, **kwargs):
        cache.clear()
        return getattr(self.client, method)(*args, **kwargs)


def five_hundreds(responses) -> list:
    """(what was sent, status, content type) of every answer that is a 5xx, not JSON, or throttled."""
    return [(sent, r.status_code, r.get("Content-Type")) for sent, r in responses if r.status_code >= 500
            or r.status_code == 429 or not r.get("Content-Type", "").startswith("application/json")]


def off_schema_400s(responses) -> list:
    """(what was sent, body) of every 400 whose body is not the documented error object
    (proposals.api.errors.BAD_REQUEST_SCHEMA: field -> list of reasons, or detail and code)."""
    validator = jsonschema.Draft202012Validator(BAD_REQUEST_SCHEMA)
    return [(sent, r.json()) for sent, r in responses if r.status_code == 400 and not validator.is_valid(r.json())]


@pytest.mark.parametrize("path, parameters", FILTERED, ids=[path for path, _ in FILTERED])
def test_hostile_values_in_every_filter_of_every_list_answer_json_without_a_5xx(db, path, parameters):
    world = build_world()
    clients = {"anonymous": Sweeper(), "staff": Sweeper(world.cast.staff)}
    sent = []
    for who, client in clients.items():
        for name in parameters:
            for value in HOSTILE_QUERY_VALUES:
                query = {name: value}
                if name == "cursor":
                    query["pagination"] = "cursor"
                if name != "format":
                    query["format"] = "json"
                sent.append(((who, name, value[:40]), client("get", path, query, HTTP_ACCEPT="application/json")))
    failures = five_hundreds(sent)
    assert not failures, "\n".join(map(repr, failures))


def object_ids(world) -> dict[str, int]:
    """An object of each resource, so that a write reaches its serializer instead of a 404."""
    day, _created = CalendarDay.objects.get_or_create(date=datetime.date(2024, 10, 1),
                                                      defaults={"kind": "holiday", "name": "国庆节"})
    return {
        "proposals": world.assigned.pk, "assignments": world.lead.pk, "replies": world.draft_reply.pk,
        "extension-requests": extension_request_of(world).pk, "calendar-days": day.pk,
        "committees": world.cast.session.committee_id, "sessions": world.cast.session.pk,
        "proposers": world.cast.proposer.pk, "agencies": world.cast.agency.pk,
    }


@pytest.mark.parametrize("method, path, fields", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_hostile_values_in_every_write_answer_json_without_a_5xx(db, method, path, fields):
    world = build_world()
    url = path.replace("{id}", str(object_ids(world).get(path.split("/")[2], 1)))
    staff, sent = Sweeper(world.cast.staff), []
    sent.append((("anonymous", None), Sweeper()(method, url, {"x": 1})))
    for body in HOSTILE_BODIES:
        sent.append((("staff", repr(body)), staff(method, url, body, format="json")))
    for name in fields:
        for value in HOSTILE_JSON_VALUES:
            sent.append((("staff", name, repr(value)[:40]), staff(method, url, {name: value}, format="json")))
    for hostile_id in ("99999999999999999999999", "-1", "%00", "1e20"):
        sent.append((("staff", hostile_id), staff(method, path.replace("{id}", hostile_id), {}, format="json")))
    failures = five_hundreds(sent)
    assert not failures, "\n".join(map(repr, failures))
    off_schema = off_schema_400s(sent)
    assert not off_schema, "\n".join(map(repr, off_schema))


def test_errors_of_list_items_are_flat_under_dotted_keys(db):
    """Found by the fuzzing gate: DRF nests a list's item errors ({"ids": {"1": [...]}}), which the
    documented error object does not allow."""
    world = build_world()
    response = client_for(world.cast.staff).post("/api/assignments/urge/", {"ids": [world.lead.pk, "x", 0.5],
                                                                          "message": "请加快办理"}, format="json")
    body = assert_json_error(response)
    assert set(body) == {"ids.1", "ids.2"} and all(isinstance(v, list) and v for v in body.values()), body

