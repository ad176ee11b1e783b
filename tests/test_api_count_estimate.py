"""Big lists are not counted row by row (proposals/api/pagination.py, issue 13): up to
API_EXACT_COUNT_LIMIT rows the count is exact; past it, on PostgreSQL, the planner's estimate,
flagged ``count_estimated``, and the page itself is the same. SQLite always counts."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.api.pagination import planner_estimate
from proposals.models import Proposal
from tests.api_support import client_for
from tests.factories import make_cast, proposal_at

pytestmark = pytest.mark.django_db
P = Proposal.Status


@pytest.fixture
def six():
    cast = make_cast()
    for _ in range(6):
        proposal_at(cast, P.SUBMITTED)
    return cast


def listed(cast, path="/api/proposals/"):
    response = client_for(cast.staff).get(path)
    assert response.status_code == 200
    return response.json()


def test_below_the_limit_the_count_is_exact_and_not_flagged(six, settings):
    settings.API_EXACT_COUNT_LIMIT = 6
    body = listed(six)
    assert body["count"] == 6 and "count_estimated" not in body and len(body["results"]) == 6


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's behaviour (PostgreSQL's is tested below)")
def test_sqlite_counts_exactly_past_the_limit(six, settings):
    settings.API_EXACT_COUNT_LIMIT = 3
    body = listed(six)
    assert body["count"] == 6 and "count_estimated" not in body


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_past_the_limit_postgresql_answers_with_the_estimate_flagged(six, settings):
    settings.API_EXACT_COUNT_LIMIT = 3
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE proposals_proposal")
    with CaptureQueriesContext(connection) as queries:
        body = listed(six)
    assert body["count_estimated"] is True
    assert body["count"] >= 4  # never below the limit it passed
    assert len(body["results"]) == 6  # the page is the real rows
    sql = [q["sql"] for q in queries]
    assert any("LIMIT 4" in q and "COUNT(" in q.upper() for q in sql), sql  # counted up to limit + 1 only
    assert any(q.startswith("EXPLAIN (FORMAT JSON)") for q in sql)
    assert not any("COUNT(" in q.upper() and "LIMIT" not in q for q in sql if "proposals_proposal" in q
                   and not q.startswith("EXPLAIN"))
    # A filter that leaves few rows is counted exactly again.
    proposal_at(six, P.WITHDRAWN)
    narrow = listed(six, "/api/proposals/?status=withdrawn")
    assert narrow["count"] == 1 and "count_estimated" not in narrow


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_the_estimate_follows_the_table(six):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE proposals_proposal")
    assert planner_estimate(Proposal.objects.all()) == 6
