"""The shared cache of the public's API reads (config/public_cache.py, issue 13): the public gets
the same answer faster (no view, no query), revalidates with its entity tag, and nobody signed in,
nothing written and nothing private ever comes from it."""
import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.db import connection
from rest_framework.authtoken.models import Token

from proposals.models import Proposal
from tests.factories import make_cast, proposal_at

pytestmark = pytest.mark.django_db
P = Proposal.Status


def public_proposal(cast) -> Proposal:
    """A closed proposal the public may read (answered by a published, public reply: the flag the
    reply services keep, set here directly)."""
    proposal = proposal_at(cast, P.CLOSED)
    Proposal.objects.filter(pk=proposal.pk).update(answered_publicly=True)
    return proposal


@pytest.fixture
def cached(settings):
    settings.PUBLIC_API_CACHE_SECONDS = 30
    cast = make_cast()
    public_proposal(cast)
    return cast


def get(client, path, **headers):
    return client.get(path, HTTP_ACCEPT="application/json", **headers)


def test_the_second_public_read_is_the_first_answer_without_a_query(cached):
    client = Client()
    first = get(client, "/api/proposals/")
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = get(client, "/api/proposals/")
    assert second.status_code == 200 and second["X-Cache"] == "hit"
    assert second.content == first.content and second["Content-Type"] == first["Content-Type"]
    assert len(queries) == 0
    assert "public" in second["Cache-Control"] and "max-age=30" in second["Cache-Control"]
    assert "Accept-Language" in second["Vary"] and "Authorization" in second["Vary"]


def test_the_entity_tag_gives_a_304(cached):
    client = Client()
    tag = get(client, "/api/proposals/")["ETag"]
    assert tag.startswith('W/"')
    again = get(client, "/api/proposals/", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    assert get(client, "/api/proposals/", HTTP_IF_NONE_MATCH='W/"other"').status_code == 200


def test_the_key_holds_the_query_the_language_and_the_format(cached):
    client = Client()
    chinese = get(client, "/api/proposals/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = get(client, "/api/proposals/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["X-Cache"] == "miss" and english.content != chinese.content
    assert get(client, "/api/proposals/?page_size=1")["X-Cache"] == "miss"
    assert get(client, "/api/proposals/", HTTP_ACCEPT_LANGUAGE="en")["X-Cache"] == "hit"


def test_a_signed_in_reader_never_gets_the_public_answer(cached):
    proposal_at(cached, P.ASSIGNED)  # in handling: not the public's
    public = get(Client(), "/api/proposals/")
    assert public.json()["count"] == 1
    token = Token.objects.create(user=cached.staff)
    staff = get(Client(), "/api/proposals/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert "X-Cache" not in staff and "private" in staff["Cache-Control"]
    assert staff.content != public.content  # staff see more than the public
    session = Client()
    session.force_login(cached.staff)
    answer = get(session, "/api/proposals/")
    assert "X-Cache" not in answer and answer.content != public.content


def test_errors_writes_and_exports_are_not_kept(cached):
    client = Client()
    assert get(client, "/api/proposals/?cursor=made-up").status_code == 400
    assert "X-Cache" not in get(client, "/api/proposals/?cursor=made-up")
    assert get(client, "/api/proposals/999999/").status_code == 404
    assert "X-Cache" not in get(client, "/api/proposals/999999/")
    assert "X-Cache" not in client.post("/api/proposals/", {}, content_type="application/json")
    export = client.get("/api/proposals/?format=csv")
    assert export.status_code == 200 and "X-Cache" not in export


def test_a_kept_answer_is_at_most_the_set_age_old(cached, settings):
    """Within the set seconds the public sees the answer it was given; with the cache off (or once
    the answer has expired) it sees the step at once."""
    client = Client()
    before = get(client, "/api/proposals/").json()["count"]
    assert before == 1
    public_proposal(cached)
    assert get(client, "/api/proposals/").json()["count"] == before  # kept
    settings.PUBLIC_API_CACHE_SECONDS = 0
    assert get(client, "/api/proposals/").json()["count"] == before + 1
