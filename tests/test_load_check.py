"""The load test's consistency check (benchmarks/load_actors.check, issue 13) finds what it is
there to find: writes answered 2xx that are missing or written twice, writes refused yet written,
and events that are not those of the run's writes. The writes are made by the services, as the
server would make them, and described as the load test's client records them."""
import sys
import uuid
from pathlib import Path

import pytest

from proposals import services
from proposals.models import Assignment, ContactLog, Proposal
from tests.factories import assignment_at, make_cast, proposal_at

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import load_actors  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    """A cast, an assignment to acknowledge, one to record contacts on, and the event watermark."""
    cast = make_cast()
    to_acknowledge = assignment_at(cast, Assignment.Status.ASSIGNED)
    current = assignment_at(cast, Assignment.Status.ACKNOWLEDGED)
    return cast, to_acknowledge, current, load_actors.counts()


def contact(cast, assignment, status=201):
    marker = f"load {uuid.uuid4().hex}"
    row = services.contact_record(actor=cast.liaison, assignment=assignment, stage="during", form="phone",
                                  date=assignment.assigned_on, note=marker)
    return {"kind": "contact", "path": "/api/contacts/", "marker": marker, "status": status, "answer": {"id": row.pk}}


def draft(cast, status=201):
    marker = f"关于负载测试{uuid.uuid4().hex}的提案"
    proposal = services.proposal_create(actor=cast.proposer_user, session=cast.session, title=marker)
    return {"kind": "draft", "path": "/api/proposals/", "marker": marker, "status": status, "answer": {"id": proposal.pk}}


def acknowledge(cast, assignment, status=200):
    services.assignment_acknowledge(actor=cast.liaison, assignment=assignment)
    return {"kind": "acknowledge", "path": f"/api/assignments/{assignment.pk}/acknowledge/", "target": assignment.pk,
            "status": status}


def test_a_clean_run_passes(run):
    cast, to_acknowledge, current, before = run
    writes = [acknowledge(cast, to_acknowledge), contact(cast, current), draft(cast)]
    writes.append({"kind": "contact", "path": "/api/contacts/", "marker": "load never-sent", "status": -1})
    result = load_actors.check(writes, before)
    assert result["ok"], result
    assert result["events"] == {"acknowledge": 1, "contact": 1, "create": 1}


def test_a_write_written_twice_is_found(run):
    cast, _, current, before = run
    write = contact(cast, current)
    ContactLog.objects.create(assignment=current, stage="during", form="phone", date=current.assigned_on,
                              note=write["marker"])
    result = load_actors.check([write], before)
    assert not result["ok"]
    assert any("written 2 times" in p for p in result["problems"])


def test_an_answered_write_missing_is_found(run):
    cast, _, current, before = run
    write = draft(cast)
    write["marker"] = "关于从未写入的提案"
    result = load_actors.check([write], before)
    assert not result["ok"]
    assert any("not in the database" in p for p in result["problems"])


def test_a_refused_write_that_was_written_is_found(run):
    cast, _, current, before = run
    result = load_actors.check([contact(cast, current, status=400)], before)
    assert not result["ok"]
    assert any("written anyway" in p for p in result["problems"])


def test_events_that_are_not_the_writes_are_found(run):
    cast, to_acknowledge, current, before = run
    writes = [contact(cast, current)]
    services.assignment_acknowledge(actor=cast.liaison, assignment=to_acknowledge)  # a write nobody sent
    result = load_actors.check(writes, before)
    assert not result["ok"]
    assert any("events of the run" in p for p in result["problems"])


def test_a_timed_out_write_that_was_applied_is_counted_not_failed(run):
    cast, _, current, before = run
    result = load_actors.check([contact(cast, current, status=0)], before)
    assert result["ok"], result
    assert "whose answer timed out were applied" in result["summary"]


def test_the_run_s_drafts_are_cleaned_up_and_nothing_else(run):
    cast, _, current, before = run
    kept = Proposal.objects.count()
    draft(cast)
    draft(cast)
    assert Proposal.objects.count() == kept + 2
    assert load_actors.clean_up() >= 2
    assert Proposal.objects.count() == kept
    assert Proposal.objects.filter(title__startswith="关于负载测试").count() == 0
