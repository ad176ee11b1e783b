"""A list request costs the same number of queries whatever the page size (1 or 100)."""
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.api_support import bulk_proposals, client_for

N = 110
LISTS = ["proposals", "assignments", "replies", "feedback", "contacts", "events", "proposers", "agencies",
         "sessions", "committees", "calendar-days", "reference-documents"]


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield bulk_proposals(N)
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "liaison", "proposer", "anonymous"])
@pytest.mark.parametrize("resource", LISTS)
def test_queries_do_not_grow_with_the_page(cast, resource, role, django_assert_num_queries):
    client = client_for(cast.actor(role))
    url = f"/api/{resource}/"
    client.get(url, {"page_size": 1})  # warm the per-user caches (permissions, agencies)
    with CaptureQueriesContext(connection) as one_row:
        small = client.get(url, {"page_size": 1})
    assert small.status_code == 200
    with django_assert_num_queries(len(one_row.captured_queries)):
        large = client.get(url, {"page_size": 100})
    rows = large.json()["results"]
    assert len(rows) == min(100, large.json()["count"])
    if resource in ("proposals", "assignments", "replies") and role in ("staff", "liaison", "anonymous"):
        assert len(rows) == 100, "the page must really hold 100 rows for the count to mean something"


@pytest.mark.django_db
def test_filtered_and_searched_lists_too(cast, django_assert_num_queries):
    client = client_for(cast.staff)
    params = {"agency": cast.agency.name, "status": "replied", "q": "项", "ordering": "-number"}
    client.get("/api/proposals/", {**params, "page_size": 1})
    with CaptureQueriesContext(connection) as one_row:
        client.get("/api/proposals/", {**params, "page_size": 1})
    with django_assert_num_queries(len(one_row.captured_queries)):
        assert len(client.get("/api/proposals/", {**params, "page_size": 100}).json()["results"]) == 100
