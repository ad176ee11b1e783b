"""The schema tells the truth (issue 9, item 7): real answers of the API, for every role, validate
against the OpenAPI schema the API publishes — status code, content type and body — with
Schemathesis's own response validation. The CI's fuzzing gate (.ci/fuzz_api.py) does the same
with generated requests against a live server; these are the answers that once failed it."""
import json

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.core.wsgi import get_wsgi_application
from rest_framework.authtoken.models import Token
from werkzeug.test import Client

from replies.demo import DEMO_USERS

ROLES = ["anonymous", *DEMO_USERS]  # staff, liaison, member
LISTS = ["/api/proposals/", "/api/assignments/", "/api/replies/", "/api/proposers/", "/api/events/",
         "/api/feedback/", "/api/contacts/", "/api/extension-requests/", "/api/reference-documents/",
         "/api/committees/", "/api/sessions/", "/api/agencies/", "/api/calendar-days/?year=2024"]


@pytest.fixture(scope="module")
def api(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        path = tmp_path_factory.mktemp("schema") / "schema.json"
        call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    return schemathesis.openapi.from_dict(json.loads(path.read_text()))


@pytest.fixture
def demo(db):
    call_command("setup_demo", "--force", stdout=open("/dev/null", "w"))
    return {role: Token.objects.get_or_create(user__username=role, defaults={"user_id": _user_id(role)})[0].key
            for role in DEMO_USERS}


def _user_id(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username).pk


def _client(token):
    headers = {"Authorization": f"Token {token}"} if token else {}
    client = Client(get_wsgi_application())

    def get(url):
        # As Django's own test client does: a request ending must not close the test's connection
        # (it holds the test's transaction; with persistent connections on PostgreSQL it would).
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return client.get(url, headers={**headers, "Accept": "application/json"})
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return get


def _validate(api, template, response):
    path = template.split("?")[0]
    # Schemathesis validates the body of a documented status; the status must be documented first.
    assert str(response.status_code) in api.raw_schema["paths"][path]["get"]["responses"], (path, response.status_code)
    api[path]["GET"].validate_response(response)  # raises with every violation it finds


@pytest.mark.parametrize("role", ROLES)
def test_every_list_and_detail_answer_matches_the_schema(api, demo, role):
    get = _client(demo.get(role))
    checked = 0
    for url in LISTS:
        response = get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        _validate(api, url, response)
        base = url.split("?")[0]
        for row in response.json["results"]:
            detail = get(f"{base}{row['id']}/")
            assert detail.status_code == 200
            _validate(api, base + "{id}/", detail)
            checked += 1
    stats = get("/api/stats/?group_by=agency")
    _validate(api, "/api/stats/", stats)
    assert checked > 0  # the demo committee and the corpus give every role something to read


@pytest.mark.parametrize(("url", "status"), [
    ("/api/proposals/?status=bogus", 400),
    ("/api/proposals/?page=999", 404),
    ("/api/proposals/?cursor=not-a-cursor&pagination=cursor", 400),
    ("/api/proposals/999999/", 404),
    ("/api/calendar-days/?year=0", 400),
])
def test_error_answers_are_documented_json(api, demo, url, status):
    response = _client(demo["staff"])(url)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    _validate(api, url.split("?")[0].replace("999999/", "{id}/"), response)


def test_a_wrong_token_is_a_documented_401(api, demo):
    response = _client("0" * 40)("/api/proposals/")
    assert response.status_code == 401
    _validate(api, "/api/proposals/", response)


def test_every_operation_documents_the_shared_errors(api):
    raw = api.raw_schema
    for path, operations in raw["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            documented = set(operation["responses"])
            assert {"401", "429"} <= documented, (method, path)
            if "{" in path:
                assert "404" in documented, (method, path)
            if method != "get":
                assert {"400", "403"} <= documented, (method, path)
