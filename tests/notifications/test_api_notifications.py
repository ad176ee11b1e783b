"""/api/notifications/ and /api/notification-preferences/me/: one's own inbox and settings only
(another's notice is a 404, no login a 401), the filters, marking read, the settings checked and
obeyed by the next event; every answer as the published schema says."""
from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from werkzeug.test import Client

from notifications.models import Notification, NotificationPreference
from proposals import services
from proposals.models import Proposal
from tests.api_support import client_for
from tests.factories import lead_assignment, make_cast, proposal_at

K = Notification.Kind
LIST = "/api/notifications/"
ME = "/api/notification-preferences/me/"


@pytest.fixture
def cast(db):
    cast = make_cast()
    cast.liaison.email = "liaison@example.org"
    cast.liaison.save(update_fields=["email"])
    return cast


def notice(user, kind=K.URGE, *, read=False, channel=Notification.Channel.INBOX) -> Notification:
    return Notification.objects.create(recipient=user, channel=channel, kind=kind, status=Notification.Status.SENT,
                                       subject=f"【{kind}】第1号提案", body="正文……", link="/admin/",
                                       read_at=timezone.now() if read else None)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- who ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "url"), [
    ("get", LIST), ("get", f"{LIST}1/"), ("post", f"{LIST}1/read/"), ("post", f"{LIST}read-all/"),
    ("get", ME), ("put", ME), ("patch", ME),
])
def test_everything_needs_a_login(cast, method, url):
    response = getattr(client_for(None), method)(url, {})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated" and response["WWW-Authenticate"] == "Token"


def test_the_list_holds_ones_own_inbox_only_unread_first(cast):
    old = notice(cast.liaison, K.ASSIGNMENT_NEW)
    read = notice(cast.liaison, read=True)
    new = notice(cast.liaison)
    notice(cast.co_liaison)
    notice(cast.liaison, channel=Notification.Channel.EMAIL)  # the outbox is not the inbox
    response = client_for(cast.liaison).get(LIST)
    assert ids(response) == [new.pk, old.pk, read.pk]
    row = response.json()["results"][0]
    assert row == {"id": new.pk, "kind": "urge", "kind_label": "催办", "subject": "【urge】第1号提案", "body": "正文……",
                   "link": "/admin/", "proposal": None, "assignment": None, "created_at": row["created_at"],
                   "read_at": None, "unread": True}
    assert ids(client_for(cast.staff).get(LIST)) == []  # staff read their own too, not everybody's


@pytest.mark.parametrize(("params", "expected"), [
    ({"unread": "true"}, ["urge", "new"]),
    ({"unread": "false"}, ["read"]),
    ({"kind": "urge"}, ["urge", "read"]),
    ({"kind": "urge,assignment_new"}, ["urge", "new", "read"]),
    ({"kind": "urge", "unread": "true"}, ["urge"]),
])
def test_filters(cast, params, expected):
    rows = {"new": notice(cast.liaison, K.ASSIGNMENT_NEW), "read": notice(cast.liaison, read=True),
            "urge": notice(cast.liaison)}
    assert ids(client_for(cast.liaison).get(LIST, params)) == [rows[name].pk for name in expected]


def test_an_unknown_kind_is_a_400_naming_the_filter(cast):
    response = client_for(cast.liaison).get(LIST, {"kind": "nonsense"})
    assert response.status_code == 400 and "kind" in response.json()


def test_another_users_notice_is_a_404_as_one_that_does_not_exist(cast):
    theirs = notice(cast.co_liaison)
    mail = notice(cast.liaison, channel=Notification.Channel.EMAIL)
    client = client_for(cast.liaison)
    for pk in (theirs.pk, mail.pk, 999999, "abc", 2 ** 70):
        assert client.get(f"{LIST}{pk}/").status_code == 404
        assert client.post(f"{LIST}{pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_reading_marks_read_once_and_read_all_ones_own(cast):
    mine, other = notice(cast.liaison), notice(cast.liaison, K.ASSIGNMENT_NEW)
    theirs = notice(cast.co_liaison)
    client = client_for(cast.liaison)
    assert client.get(f"{LIST}{mine.pk}/").json()["unread"] is True  # reading the detail marks nothing
    first = client.post(f"{LIST}{mine.pk}/read/").json()
    assert first["unread"] is False and first["read_at"]
    assert client.post(f"{LIST}{mine.pk}/read/").json()["read_at"] == first["read_at"]
    assert client.post(f"{LIST}read-all/").json() == {"marked": 1}
    assert Notification.objects.get(pk=other.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.post(f"{LIST}read-all/").json() == {"marked": 0}


def test_the_list_costs_the_same_queries_for_one_row_or_many(cast, django_assert_num_queries):
    for _ in range(5):
        notice(cast.liaison)
    client = client_for(cast.liaison)
    client.get(LIST, {"page_size": 1})
    with CaptureQueriesContext(connection) as one_row:
        client.get(LIST, {"page_size": 1})
    with django_assert_num_queries(len(one_row.captured_queries)):
        assert len(client.get(LIST, {"page_size": 100}).json()["results"]) == 5


# --- settings ----------------------------------------------------------------------------------

DEFAULTS = {"language": "zh-hans", "email_kinds": None, "daily_digest": False, "quiet_start": None, "quiet_end": None}


def test_settings_read_the_defaults_until_saved_then_ones_own(cast):
    client = client_for(cast.liaison)
    assert client.get(ME).json() == DEFAULTS
    assert not NotificationPreference.objects.exists()
    saved = client.put(ME, {"language": "en", "email_kinds": ["urge", "assignment_new", "urge"], "daily_digest": True,
                            "quiet_start": "18:00", "quiet_end": "08:30"}, format="json")
    assert saved.status_code == 200
    assert saved.json() == {"language": "en", "email_kinds": ["assignment_new", "urge"], "daily_digest": True,
                            "quiet_start": "18:00", "quiet_end": "08:30"}
    assert client.get(ME).json() == saved.json()
    assert client_for(cast.co_liaison).get(ME).json() == DEFAULTS
    patched = client.patch(ME, {"quiet_start": None, "quiet_end": None, "email_kinds": None}, format="json")
    assert patched.json() == {**saved.json(), "quiet_start": None, "quiet_end": None, "email_kinds": None}
    assert client.patch(ME, {"daily_digest": False}, format="json").json()["language"] == "en"  # the rest stays
    assert NotificationPreference.objects.get().user == cast.liaison


@pytest.mark.parametrize(("body", "field"), [
    ({"quiet_start": "18:00"}, "quiet_end"),
    ({"quiet_end": "08:00"}, "quiet_start"),
    ({"quiet_start": "18:00", "quiet_end": "18:00"}, "quiet_end"),
    ({"quiet_start": "25:00", "quiet_end": "08:00"}, "quiet_start"),
    ({"language": "fr"}, "language"),
    ({"email_kinds": ["nonsense"]}, "email_kinds"),
    ({"email_kinds": "urge"}, "email_kinds"),
    ({"daily_digest": "perhaps"}, "daily_digest"),
])
def test_settings_are_checked(cast, body, field):
    response = client_for(cast.liaison).patch(ME, body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not NotificationPreference.objects.exists()


def test_a_list_sent_as_a_form_is_checked_item_by_item_in_plain_messages(cast):
    client = client_for(cast.liaison)
    response = client.put(ME, {"email_kinds": ["urge", "null"], "language": "en"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"email_kinds": ["第 2 项:“null” 不是合法选项。"]}
    response = client.put(ME, {"email_kinds": ["urge"], "quiet_start": "", "quiet_end": ""}, format="multipart")
    assert response.status_code == 200 and response.json()["email_kinds"] == ["urge"]


def test_options_describe_the_settings(cast):
    response = client_for(cast.liaison).options(ME)
    assert response.status_code == 200
    assert set(response.json()["actions"]["PUT"]) == set(DEFAULTS)
    assert client_for(None).options(ME).status_code in (200, 401)


def test_a_patch_is_checked_with_what_is_saved(cast):
    client = client_for(cast.liaison)
    client.put(ME, {"quiet_start": "18:00", "quiet_end": "08:30"}, format="json")
    response = client.patch(ME, {"quiet_end": None}, format="json")
    assert response.status_code == 400 and "quiet_end" in response.json()
    assert client.patch(ME, {"quiet_end": "07:00"}, format="json").json()["quiet_end"] == "07:00"


def test_the_next_event_obeys_the_settings(cast):
    assert client_for(cast.liaison).patch(ME, {"email_kinds": ["assignment_new"]}, format="json").status_code == 200
    assignment = lead_assignment(proposal_at(cast, Proposal.Status.ASSIGNED))
    services.assignment_urge(actor=cast.staff, assignment=assignment, message="请加快办理")
    mine = Notification.objects.filter(recipient=cast.liaison)
    assert sorted(mine.filter(channel="email").values_list("kind", flat=True)) == [K.ASSIGNMENT_NEW]
    assert sorted(mine.filter(channel="inbox").values_list("kind", flat=True)) == sorted([K.ASSIGNMENT_NEW, K.URGE])


# --- the schema --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def api(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        path = tmp_path_factory.mktemp("schema") / "schema.json"
        call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    return schemathesis.openapi.from_dict(json.loads(path.read_text()))


@pytest.fixture
def wsgi_client():
    """The WSGI application as a server runs it, through werkzeug (whose responses Schemathesis
    validates), in the test's transaction: as Django's own test client does, the connection is
    not closed at the start and end of each request (on PostgreSQL that would end the test's
    transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield Client(get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_answer_matches_the_schema(api, cast, wsgi_client):
    client = wsgi_client
    mine = notice(cast.liaison)
    theirs = notice(cast.co_liaison)
    token = Token.objects.create(user=cast.liaison).key
    calls = [
        ("GET", LIST, LIST, None, 200), ("GET", LIST + "?unread=true&kind=urge", LIST, None, 200),
        ("GET", LIST + "?kind=nonsense", LIST, None, 400), ("GET", LIST + "?page=9", LIST, None, 404),
        ("GET", f"{LIST}{mine.pk}/", LIST + "{id}/", None, 200),
        ("GET", f"{LIST}{theirs.pk}/", LIST + "{id}/", None, 404),
        ("POST", f"{LIST}{mine.pk}/read/", LIST + "{id}/read/", None, 200),
        ("POST", f"{LIST}{theirs.pk}/read/", LIST + "{id}/read/", None, 404),
        ("POST", f"{LIST}read-all/", f"{LIST}read-all/", None, 200),
        ("GET", ME, ME, None, 200),
        ("PUT", ME, ME, {"quiet_start": "18:00", "quiet_end": "08:30", "email_kinds": ["urge"]}, 200),
        ("PATCH", ME, ME, {"email_kinds": None}, 200),
        ("PATCH", ME, ME, {"quiet_end": None}, 400),
        ("PATCH", ME, ME, {"email_kinds": ["urge", "nonsense"]}, 400),
    ]
    for authorised in (True, False):
        headers = {"Accept": "application/json", **({"Authorization": f"Token {token}"} if authorised else {})}
        for method, url, path, body, status in calls:
            response = client.open(url, method=method, headers=headers,
                                   **({"json": body} if body is not None else {}))
            expected = status if authorised else 401
            assert response.status_code == expected, (method, url, response.get_data(as_text=True)[:300])
            assert str(expected) in api.raw_schema["paths"][path][method.lower()]["responses"], (method, path)
            api[path][method].validate_response(response)
