"""On PostgreSQL the q search is answered by the GIN index on the stored bigrams (migrations
0004 and 0008), and a row tested one by one is not recomputed; the normalisation that makes
Traditional and Simplified meet is the same for text and query."""
import pytest
from django.db import connection

from proposals.models import Proposal
from proposals.search import bigrams, compose, query_terms, search_condition
from tests.factories import ProposalFactory


def test_text_and_query_are_normalised_alike():
    text = compose(number="55", title="關於落實雙減政策的提案", body="Smart  City", names=["陳麗琴"])
    assert text == "55 第55号 关于落实双减政策的提案 smart city 陈丽琴"
    assert query_terms("雙減  雙減 SMART") == ["双减", "smart"]
    assert bigrams("双减政") == ["减政", "双减"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_two_character_search_uses_the_gin_index():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    proposal = ProposalFactory(title="关于落实双减政策的提案")
    Proposal.objects.filter(pk=proposal.pk).update(search_text=compose(number="1", title=proposal.title, body="",
                                                                       names=[]))
    queryset = Proposal.objects.filter(search_condition("雙減"))
    assert list(queryset) == [proposal]
    queryset = queryset.order_by().values("pk")
    with connection.cursor() as cursor:
        # A table this small is read whole; leave the planner only bitmap (GIN) scans.
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "proposal_search_bigrams_col_gin" in plan
    assert "tracker_bigrams" not in plan, "the stored bigrams are compared, never recomputed per row"


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_stored_bigrams_follow_the_text():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    proposal = ProposalFactory(title="关于推进垃圾分类的提案")
    Proposal.objects.filter(pk=proposal.pk).update(search_text="落实双减")
    assert list(Proposal.objects.filter(search_condition("双减"))) == [proposal]
    Proposal.objects.filter(pk=proposal.pk).update(search_text="垃圾分类")
    assert list(Proposal.objects.filter(search_condition("双减"))) == []
