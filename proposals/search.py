"""The q search over proposals: Chinese substring search that finds 2-character words
(双减, 教育) and treats Traditional and Simplified characters as the same.

Each proposal keeps ``search_text``: its number, title, body, proposer names and agency
names (with aliases), converted to Simplified (OpenCC t2s) and lower-cased. A query is
normalised the same way and matched as a substring, term by term (terms split on spaces,
all must match).

On PostgreSQL the column ``search_bigrams`` (generated from ``tracker_bigrams(search_text)``:
every distinct pair of adjacent characters; migrations 0004 and 0008) and its GIN index answer
a term of two or more characters without reading the table: a 2-character term is one bigram
lookup; a longer term needs all its bigrams and is then confirmed with LIKE. The column is not
a model field (the database keeps it). On SQLite (and for 1-character terms) the same filter
is a plain substring match on ``search_text``.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import BooleanField, F, Func, Q

_SPACES = re.compile(r"\s+")
SEARCH_FIELD = "search_text"


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Simplified, lower-case, whitespace collapsed: the form both the stored text and the query take."""
    if not text:
        return ""
    return _SPACES.sub(" ", _t2s().convert(text)).strip().lower()


def compose(*, number: str, title: str, body: str, names: Iterable[str]) -> str:
    parts = [number, f"第{number}号" if number else "", title, body, *names]
    return normalise("\n".join(p for p in parts if p))


def query_terms(query: str) -> list[str]:
    """The normalised terms of a q query (duplicates dropped, order kept)."""
    return list(dict.fromkeys(normalise(query).split()))


def bigrams(term: str) -> list[str]:
    return sorted({term[i:i + 2] for i in range(len(term) - 1)})


BIGRAMS_COLUMN = "search_bigrams"


class BigramsContain(Func):
    """``search_bigrams @> ARRAY[…]`` on the table of ``search_text``: answered by the GIN index
    on PostgreSQL, and cheap for a row tested one by one (the bigrams are stored)."""

    output_field = BooleanField()

    def __init__(self, expression, grams: list[str], **extra):
        super().__init__(expression, **extra)
        self.grams = list(grams)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])  # <alias>."search_text"
        text_column = connection.ops.quote_name(SEARCH_FIELD)
        assert sql.endswith(text_column), sql
        return f"{sql[:-len(text_column)]}{connection.ops.quote_name(BIGRAMS_COLUMN)} @> %s::text[]", (
            *params, self.grams)


def search_condition(query: str, *, prefix: str = "", vendor: str | None = None) -> Q | None:
    """The filter for a q query on proposals (``prefix`` for a related path such as
    "proposal__"), or None when the query has no terms."""
    terms = query_terms(query)
    if not terms:
        return None
    vendor = vendor or connection.vendor
    condition = Q()
    for term in terms:
        if vendor == "postgresql" and len(term) >= 2 and not prefix:
            condition &= Q(BigramsContain(F(SEARCH_FIELD), bigrams(term)))
            if len(term) > 2:
                condition &= Q(**{f"{SEARCH_FIELD}__contains": term})
        else:
            condition &= Q(**{f"{prefix}{SEARCH_FIELD}__contains": term})
    return condition


def refresh_search_text(proposal_ids: Iterable[int]) -> int:
    """Recompute ``search_text`` for these proposals (after creation, a new assignment, a new
    proposer). Does not touch ``updated_at``: the text is derived, not a change of the proposal."""
    from django.db.models import Prefetch

    from proposals.models import Assignment, Proposal, ProposalProposer

    ids = list(proposal_ids)
    if not ids:
        return 0
    proposals = Proposal.objects.filter(pk__in=ids).only("pk", "number", "title", "body").prefetch_related(
        Prefetch("signatures", queryset=ProposalProposer.objects.select_related("proposer").only(
            "proposal_id", "position", "proposer__name")),
        # An agency the proposal was taken away from (已改办) no longer answers for it.
        Prefetch("assignments", queryset=Assignment.objects.current()
                 .select_related("agency").prefetch_related("agency__aliases").only("proposal_id", "agency__name")),
    )
    changed = []
    for proposal in proposals:
        names = [s.proposer.name for s in proposal.signatures.all()]
        for assignment in proposal.assignments.all():
            names.append(assignment.agency.name)
            names.extend(alias.name for alias in assignment.agency.aliases.all())
        proposal.search_text = compose(number=proposal.number, title=proposal.title, body=proposal.body, names=names)
        changed.append(proposal)
    Proposal.objects.bulk_update(changed, ["search_text"], batch_size=500)
    return len(changed)
