"""One row looked up by id reads that row, whoever asks (proposals.visibility, issue 13).

The load test found each 签收 taking 2-4 s at 100,000 proposals: the liaison's assignment,
looked up by id, was filtered with ``proposal_id IN (every proposal the liaison may see)``,
which PostgreSQL can only answer by building that whole set first. Here the planner is told to
prefer indexes (as it does on big tables) and the rows each lookup reads from the proposals
table are counted from EXPLAIN ANALYZE: a lookup by id must read a handful, not the table.
"""
import pytest
from django.db import connection

from proposals.models import Assignment, Proposal
from proposals.selectors import visible_assignments, visible_events, visible_proposals, visible_supervision_logs
from tests.factories import ProposalFactory, make_cast, proposal_at

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="reads the PostgreSQL planner's plans"),
]
P = Proposal.Status
BACKGROUND = 60  # proposals answered publicly: everyone may see them, none is looked up


def rows_read(queryset, table: str) -> int:
    """Rows the executed plan read from ``table``: returned or removed by a filter, per loop."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
        cursor.execute("RESET enable_seqscan")
    if isinstance(plan, str):
        import json
        plan = json.loads(plan)

    def walk(node):
        read = 0
        if node.get("Relation Name") == table:
            read += (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
                     + node.get("Rows Removed by Index Recheck", 0)) * node.get("Actual Loops", 1)
        return read + sum(walk(child) for child in node.get("Plans", ()))

    return walk(plan[0]["Plan"])


@pytest.fixture
def world():
    cast = make_cast()
    mine = proposal_at(cast, P.ASSIGNED)  # signed by cast.proposer, assigned to cast.agency
    for n in range(BACKGROUND):
        ProposalFactory(session=cast.session, status=P.CLOSED, number=f"9{n:03d}")
    Proposal.objects.exclude(pk=mine.pk).update(answered_publicly=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE proposals_proposal")
        cursor.execute("ANALYZE proposals_assignment")
    return cast, mine, Assignment.objects.get(proposal=mine)


@pytest.mark.parametrize("role", ["liaison", "co_liaison", "other_liaison", "proposer", "other_proposer", "anonymous"])
def test_an_assignment_looked_up_by_id_reads_its_own_proposal_only(world, role):
    cast, mine, assignment = world
    lookup = visible_assignments(cast.actor(role)).filter(pk=assignment.pk)
    assert rows_read(lookup, "proposals_proposal") <= 2
    assert list(lookup) == ([assignment] if role in ("liaison", "proposer") else [])  # the rule itself unchanged


@pytest.mark.parametrize("role", ["liaison", "other_liaison", "proposer", "other_proposer", "anonymous"])
def test_a_proposal_looked_up_by_id_reads_that_row_only(world, role):
    cast, mine, _ = world
    lookup = visible_proposals(cast.actor(role)).filter(pk=mine.pk)
    assert rows_read(lookup, "proposals_proposal") <= 2
    assert list(lookup) == ([mine] if role in ("liaison", "proposer") else [])


@pytest.mark.parametrize("role", ["proposer", "liaison"])
def test_a_proposals_events_and_supervision_read_that_proposal_only(world, role):
    cast, mine, _ = world
    user = cast.actor(role)
    # (unordered: the timeline's order joins each event to its proposal, the same row each time)
    assert rows_read(visible_events(user).filter(proposal=mine).order_by(), "proposals_proposal") <= 2
    assert rows_read(visible_supervision_logs(user).filter(proposal=mine), "proposals_proposal") <= 2
    assert visible_events(user).filter(proposal=mine).exists()
