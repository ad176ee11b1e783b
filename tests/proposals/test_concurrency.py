"""Two people acting on the same object at the same moment, on real concurrent PostgreSQL
connections: exactly one of them wins, the other is told (TransitionNotAllowed or
ConcurrentChange), and the data show one move, not two.

The services lock the proposal row first (SELECT … FOR UPDATE), then re-check the state and
move it with a conditional UPDATE. SQLite has no row locks to test (it serialises every
writer on the whole database), so these tests run on PostgreSQL only.
"""
import datetime
import threading

import pytest
from django.db import connection, connections, transaction

from proposals import services
from proposals.models import Assignment, CalendarDay, Event, Proposal
from proposals.services import ConcurrentChange, InvalidInput, TransitionNotAllowed
from replies import services as reply_services
from replies.models import Feedback, Reply
from tests.factories import (
    WORKFLOW_ACKNOWLEDGED_ON,
    WORKFLOW_FEEDBACK_ON,
    ReplyFactory,
    assignment_at,
    lead_assignment,
    make_cast,
    proposal_at,
    reply_drafted,
)

P = Proposal.Status
A = Assignment.Status
REFUSALS = (TransitionNotAllowed, ConcurrentChange)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks and concurrent connections (run with DATABASE_URL=postgres://…); "
               "SQLite serialises all writers, so there is no race to test",
    ),
    # Committed data, visible to the other threads' connections; the seeded holiday calendar
    # is put back after each test for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module", autouse=True)
def _leave_the_database_as_found(django_db_setup, django_db_blocker):
    """serialized_rollback restores the migrated data (permissions, the holiday calendar) before
    each test here, but Django leaves the database flushed after the last one without running
    post_migrate. pytest-django runs the tests without a db mark after this module, and some of
    them build module-wide data that needs those rows: put them back once, at the end."""
    yield
    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents and not CalendarDay.objects.exists():
            _restore_empty_tables(contents)


def _restore_empty_tables(contents: str) -> None:
    """The serialized rows of the tables that are empty now. A later flush may have run
    post_migrate again (content types and permissions are back, under new ids) while the data
    migrations' rows (the holiday calendar) are not: restoring those tables alone never collides."""
    from django.core import serializers

    empty: dict[type, bool] = {}
    with transaction.atomic():
        for obj in serializers.deserialize("json", contents):
            model = type(obj.object)
            if model not in empty:
                empty[model] = not model._default_manager.exists()
            if empty[model]:
                obj.save()


def race(*calls, timeout=30):
    """Run ``calls`` at the same moment, each in its own thread with its own database
    connection. Returns [("ok", result) | ("error", exception)] in the order of ``calls``."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=timeout)
            results[index] = ("ok", call())
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return results


def one_winner(results, refusals=REFUSALS):
    """Exactly one call succeeded and every other was refused with one of ``refusals``."""
    winners = [i for i, (kind, _) in enumerate(results) if kind == "ok"]
    assert len(winners) == 1, results
    for kind, value in results:
        if kind == "error":
            assert isinstance(value, refusals), repr(value)
    return winners[0]


def test_the_same_reply_submitted_twice_at_once_is_submitted_once():
    cast = make_cast()
    draft = reply_drafted(cast, assignment_at(cast, A.ACKNOWLEDGED))
    def submit():
        return reply_services.reply_submit(actor=cast.liaison, reply=draft, on=datetime.date(2024, 5, 6))

    one_winner(race(submit, submit))

    assert Reply.objects.get(pk=draft.pk).status == Reply.Status.SUBMITTED
    assert Event.objects.filter(action="reply_submit").count() == 1
    assert Event.objects.filter(action="replied").count() == 1
    assert Proposal.objects.get(assignments=draft.assignment_id).status == P.REPLIED


def test_two_replies_for_the_same_assignment_at_once_only_one_is_the_answer():
    cast = make_cast()
    assignment = assignment_at(cast, A.ACKNOWLEDGED)
    first = reply_drafted(cast, assignment)
    second = ReplyFactory(assignment=assignment, round=2, body="另一份草稿")  # e.g. written in another window
    calls = [lambda reply=reply: reply_services.reply_submit(actor=cast.liaison, reply=reply,
                                                             on=datetime.date(2024, 5, 6))
             for reply in (first, second)]

    one_winner(race(*calls))

    assert Reply.objects.filter(assignment=assignment, status=Reply.Status.SUBMITTED).count() == 1
    assert Assignment.objects.get(pk=assignment.pk).status == A.REPLIED
    assert Event.objects.filter(action="reply_submit").count() == 1


def test_a_reply_and_a_withdrawal_at_once():
    cast = make_cast()
    proposal = proposal_at(cast, P.ASSIGNED)
    lead = lead_assignment(proposal)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead, on=WORKFLOW_ACKNOWLEDGED_ON)
    draft = reply_drafted(cast, lead)

    winner = one_winner(race(
        lambda: reply_services.reply_submit(actor=cast.liaison, reply=draft, on=datetime.date(2024, 5, 6)),
        lambda: services.proposal_withdraw(actor=cast.proposer_user, proposal=proposal, reason="撤案"),
    ))

    proposal.refresh_from_db()
    lead.refresh_from_db()
    draft.refresh_from_db()
    if winner == 0:  # answered first: withdrawal is no longer possible
        assert (proposal.status, lead.status, draft.status) == (P.REPLIED, A.REPLIED, Reply.Status.SUBMITTED)
        assert not Event.objects.filter(action="withdraw").exists()
    else:  # withdrawn first: the reply is not sent to a withdrawn proposal
        assert (proposal.status, lead.status, draft.status) == (P.WITHDRAWN, A.CANCELLED, Reply.Status.DRAFT)
        assert not Event.objects.filter(action="reply_submit").exists()


def test_two_acknowledges_at_once():
    cast = make_cast()
    assignment = assignment_at(cast, A.ASSIGNED)
    def acknowledge(actor):
        return services.assignment_acknowledge(actor=actor, assignment=assignment, on=WORKFLOW_ACKNOWLEDGED_ON)

    one_winner(race(lambda: acknowledge(cast.liaison), lambda: acknowledge(cast.staff)))

    assert Assignment.objects.get(pk=assignment.pk).status == A.ACKNOWLEDGED
    assert Event.objects.filter(action="acknowledge").count() == 1


@pytest.mark.parametrize("ratings", [("satisfied", "dissatisfied"), ("satisfied", "satisfied")])
def test_two_feedbacks_at_once(ratings):
    cast = make_cast()
    proposal = proposal_at(cast, P.REPLIED)
    reply = Reply.objects.get(assignment=lead_assignment(proposal))
    calls = [lambda rating=rating: reply_services.feedback_give(actor=cast.proposer_user, reply=reply, rating=rating,
                                                                on=WORKFLOW_FEEDBACK_ON)
             for rating in ratings]

    winner = one_winner(race(*calls), refusals=REFUSALS + (InvalidInput,))

    feedback = Feedback.objects.get()  # one rating, not two
    assert feedback.rating == ratings[winner]
    proposal.refresh_from_db()
    assert proposal.status == (P.CLOSED if ratings[winner] == "satisfied" else P.ASSIGNED)
    assert Event.objects.filter(action="feedback").count() == 1


def test_two_objection_decisions_at_once():
    cast = make_cast()
    assignment = assignment_at(cast, A.OBJECTED)

    winner = one_winner(race(
        lambda: services.assignment_decide_objection(actor=cast.staff, assignment=assignment, uphold=True,
                                                     new_agency=cast.spare_agency, note="改由其他单位办理"),
        lambda: services.assignment_decide_objection(actor=cast.staff, assignment=assignment, uphold=False),
    ))

    assignment.refresh_from_db()
    assert assignment.status == (A.REASSIGNED, A.ACKNOWLEDGED)[winner]
    assert Assignment.objects.filter(proposal=assignment.proposal_id).count() == (2, 1)[winner]


def test_steps_on_different_proposals_of_one_agency_at_once_keep_every_count():
    """The kept figures (replies.kept_figures): steps on four proposals of the same session and
    agency, at the same moment, add to the same kept counts; none is lost, and what is kept is a
    count from scratch (the additions are atomic upserts, taken in key order)."""
    from replies import kept_figures

    if not kept_figures.is_built():
        kept_figures.rebuild()
    cast = make_cast()
    replied = [lead_assignment(proposal_at(cast, P.ASSIGNED)) for _ in range(2)]
    for assignment in replied:
        services.assignment_acknowledge(actor=cast.liaison, assignment=assignment, on=WORKFLOW_ACKNOWLEDGED_ON)
    drafts = [reply_drafted(cast, assignment) for assignment in replied]
    urged = [lead_assignment(proposal_at(cast, P.ASSIGNED)) for _ in range(2)]

    results = race(
        *[lambda draft=draft: reply_services.reply_submit(actor=cast.liaison, reply=draft,
                                                         on=datetime.date(2024, 5, 6)) for draft in drafts],
        *[lambda a=a: services.assignment_urge(actor=cast.staff, assignment=a, message="请抓紧办理",
                                               on=datetime.date(2024, 5, 6)) for a in urged])

    assert [kind for kind, _ in results] == ["ok"] * 4, results
    counted, _ = kept_figures.counted_anew()
    assert kept_figures.kept_counts() == counted
    base = f"{cast.session.pk}|{cast.agency.pk}|"
    assert (counted[base + "replied"], counted[base + "urged"], counted[base + "assigned"]) == (2, 2, 4)
