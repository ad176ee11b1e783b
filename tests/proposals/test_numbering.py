"""Automatic numbering (issue 8, finding B): a draft left without a number gets the next one of
its session, found by the database; when another draft takes that number in the meantime, the
next one is tried instead of telling the user about a number they never typed. A number the
user typed that is taken is still refused on the field "number".

The retry is exercised on any database through services.numbering.NUMBER_CHOSEN_HOOKS (the
moment between choosing a number and inserting it), and on PostgreSQL with real concurrent
connections.
"""
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals import services
from proposals.models import Proposal
from proposals.naturalsort import natural_sort_key
from proposals.services import ConcurrentChange, InvalidInput
from proposals.services import numbering
from tests.api_support import client_for
from tests.factories import make_cast
from tests.proposals.test_concurrency import _leave_the_database_as_found, race  # noqa: F401 - fixture

P = Proposal.Status


def draft(cast, number=""):
    return services.proposal_create(actor=cast.staff, session=cast.session, title="关于……的提案",
                                    proposers=[cast.proposer], number=number)


def taken_by_someone_else(session, number):
    """Another draft of the session, written by another request, holding ``number``."""
    Proposal.objects.create(session=session, number=number, number_sort=natural_sort_key(number),
                            title="同时起草的提案", status=P.DRAFT)


@pytest.mark.django_db
@pytest.mark.parametrize("existing, expected", [
    ((), "1"),
    (("9", "10", "2025D048"), "11"),
    (("0325", "12"), "0326"),  # compared as integers, the padding kept
    (("0999",), "1000"),
    (("6.11", "2025D048", "A3"), "1"),  # other schemes are not continued
    (("7", "1234567890123456789"), "8"),  # longer than a bigint: not a number the session counts with
])
def test_the_automatic_number_follows_the_largest_all_digit_number(cast, existing, expected):
    for number in existing:
        draft(cast, number)
    assert draft(cast).number == expected


@pytest.mark.django_db
def test_the_next_number_is_found_by_the_database_in_one_row(cast):
    for number in ("1", "2", "3", "0004", "2025D048"):
        draft(cast, number)
    with CaptureQueriesContext(connection) as queries:
        assert numbering.next_number(cast.session) == "0005"
    assert len(queries.captured_queries) == 1
    sql = queries.captured_queries[0]["sql"].upper()
    assert "LIMIT 1" in sql, "the numbers of the session must not all be loaded into Python"


@pytest.mark.django_db
def test_the_number_of_another_session_does_not_count(cast):
    draft(make_cast(), "41")
    assert draft(cast).number == "1"


@pytest.mark.django_db
def test_an_automatic_number_taken_in_the_meantime_is_retried_with_the_next(cast, monkeypatch):
    draft(cast, "4")
    competitors = []

    def competing_draft(session, number):
        if not competitors:  # the other request wins the first number only
            taken_by_someone_else(session, number)
            competitors.append(number)

    monkeypatch.setattr(numbering, "NUMBER_CHOSEN_HOOKS", [competing_draft])
    proposal = draft(cast)
    assert competitors == ["5"]
    assert proposal.number == "6"
    assert sorted(Proposal.objects.filter(session=cast.session).values_list("number", flat=True)) == ["4", "5", "6"]
    assert proposal.events.filter(action="create").count() == 1


@pytest.mark.django_db
def test_automatic_numbering_gives_up_after_a_few_clashes_with_a_conflict_not_a_field_error(cast, monkeypatch):
    chosen = []

    def always_first(session, number):
        chosen.append(number)
        taken_by_someone_else(session, number)

    monkeypatch.setattr(numbering, "NUMBER_CHOSEN_HOOKS", [always_first])
    with pytest.raises(ConcurrentChange):
        draft(cast)
    assert len(chosen) == numbering.AUTOMATIC_NUMBER_ATTEMPTS
    assert not Proposal.objects.filter(title="关于……的提案").exists()


@pytest.mark.django_db
def test_a_typed_number_that_is_taken_is_refused_on_its_field(cast, monkeypatch):
    draft(cast, "0325")
    with pytest.raises(InvalidInput) as error:
        draft(cast, " 0325 ")
    assert error.value.field == "number" and "0325" in str(error.value.message)
    # Taken between the check and the insert: the same answer, about the number the user typed.
    monkeypatch.setattr(numbering, "NUMBER_CHOSEN_HOOKS", [taken_by_someone_else])
    with pytest.raises(InvalidInput) as error:
        draft(cast, "56")
    assert error.value.field == "number" and "56" in str(error.value.message)
    assert not Proposal.objects.filter(title="关于……的提案", number="56").exists()


@pytest.mark.django_db
def test_the_api_numbers_past_a_clash_and_refuses_a_typed_number_on_its_field(cast, monkeypatch):
    client = client_for(cast.proposer_user)
    draft(cast, "8")
    monkeypatch.setattr(numbering, "NUMBER_CHOSEN_HOOKS", [
        lambda session, number: None if Proposal.objects.filter(session=session, number="9").exists()
        else taken_by_someone_else(session, number)])
    response = client.post("/api/proposals/", {"session": cast.session.pk, "title": "关于……的提案"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["number"] == "10"
    response = client.post("/api/proposals/", {"session": cast.session.pk, "title": "关于……的提案", "number": "9"},
                           format="json")
    assert response.status_code == 400
    assert response.json()["number"] == ["本次会议已有第9号提案"]


# --- real concurrent connections (PostgreSQL) --------------------------------------------------

@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs concurrent connections (run with DATABASE_URL=postgres://…)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_drafts_numbered_at_the_same_moment_all_get_their_own_number(monkeypatch):
    cast = make_cast()
    draft(cast, "0041")
    writers = 4
    # Every writer chooses its number before any of them inserts: they all choose 0042.
    everyone_has_chosen = threading.Barrier(writers, timeout=30)
    chosen = threading.local()

    def wait_for_the_others(session, number):
        if not getattr(chosen, "first", None):
            chosen.first = number
            everyone_has_chosen.wait()

    monkeypatch.setattr(numbering, "NUMBER_CHOSEN_HOOKS", [wait_for_the_others])
    results = race(*[lambda: draft(cast)] * writers)

    assert [kind for kind, _ in results] == ["ok"] * writers, results
    numbers = sorted(value.number for _, value in results)
    assert numbers == ["0042", "0043", "0044", "0045"]
    assert Proposal.objects.filter(session=cast.session).count() == writers + 1
