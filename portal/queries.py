"""What the portal reads, always as an anonymous visitor, whoever is logged in: the public view
is the same for everyone, and the visibility policy (proposals.visibility, through the selectors
of proposals and replies) is the only thing that decides what it holds. Nothing here filters on
publication, disclosure or status by itself; it composes the selectors, the FilterSets and the
figures of replies.stats.

- replies: replies.selectors.reply_list for the anonymous viewer (the published 主动公开 答复);
- proposals: proposals.selectors (visible_proposals, proposal_detail_list);
- search and filters: proposals.search's q condition (Traditional = Simplified, bigram index),
  ProposalFilterSet (committee, session, agency, classification, topic; the scorecard's agency and
  the report's session too), SessionFilterSet (year), AgencyFilterSet (the agency list's q);
- figures: replies.stats.proposal_stats over the visible proposals, as /api/stats/ computes them.

The figures and the browse lists are aggregates over every public reply, the same for every
visitor: they are kept in the cache for PORTAL_CACHE_SECONDS (default 300; 0 turns it off), so a
page published a moment ago may take that long to be counted. Lists of replies and the search are
read fresh on every request. Pages of replies are read in two steps: the ids of the page (narrow
rows, so the database sorts little), then those rows with what the page shows.
"""
from __future__ import annotations

import dataclasses
import types

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import QueryDict

from proposals.filtersets import AgencyFilterSet, ProposalFilterSet, SessionFilterSet
from proposals.models import Agency, Assignment, Committee, ProposalProposer, Session
from proposals.search import query_terms, search_condition
from proposals.selectors import proposal_detail_list, visible_proposals
from replies.models import Reply, SourceDocument
from replies.selectors import reply_list
from replies.stats import proposal_stats

ANONYMOUS = AnonymousUser()
PAGE_SIZE = 20
MIN_TERM = 2  # the search finds words of two characters and more (proposals.search's bigram index)
PROPOSAL_FILTERS = ("committee_id", "session_id", "agency_id", "classification", "topic")
# What a list row shows: the long texts are left out (the search's snippet asks for the body itself).
PROPOSAL_LONG_TEXTS = ("search_text", "review_reason")
LONG_TEXTS = ("internal_note", "disclosure_reason", "feedback_due_explanation", "assignment__due_explanation",
              "assignment__proposal__search_text", "assignment__proposal__review_reason")


CACHE_PREFIX = "portal:1:"


def cached(key: str, compute):
    """``compute()``, kept in the cache for PORTAL_CACHE_SECONDS (the module docstring)."""
    seconds = getattr(settings, "PORTAL_CACHE_SECONDS", 300)
    if not seconds:
        return compute()
    value = cache.get(CACHE_PREFIX + key)
    if value is None:
        value = compute()
        cache.set(CACHE_PREFIX + key, value, seconds)
    return value


def public_replies() -> QuerySet[Reply]:
    """The replies anyone may read, with agency, proposal, session and committee, newest first."""
    return (reply_list(user=ANONYMOUS).filter(kind=Reply.Kind.REPLY).defer(*LONG_TEXTS)
            .order_by(F("published_on").desc(nulls_last=True), "-id"))


def public_proposals():
    return visible_proposals(ANONYMOUS)


def replies_in_order(ids: list[int]) -> list[Reply]:
    """The public replies of these ids, in this order, with what a list shows (no long texts)."""
    rows = public_replies().filter(pk__in=ids).defer("body", "assignment__proposal__body")
    by_id = {reply.pk: reply for reply in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def page_of(replies: QuerySet[Reply], number) -> Page:
    """One page (PAGE_SIZE) of these replies, in their order: ids first, then the rows."""
    page = Paginator(replies.values_list("pk", flat=True), PAGE_SIZE).get_page(number)
    page.object_list = replies_in_order(list(page.object_list))
    return page


def latest_replies(limit: int = 8) -> list[Reply]:
    """The latest published replies (by publication date). Finding them sorts every public reply,
    so their ids are cached like the figures; the rows themselves are read fresh."""
    ids = cached(f"latest:{limit}", lambda: list(public_replies().values_list("pk", flat=True)[:limit]))
    return replies_in_order(ids)


def proposer_names(proposal_ids) -> dict[int, list[str]]:
    """The names of each proposal's proposers, in signing order (names only: their contact
    details never leave the policy's STAFF audience)."""
    names: dict[int, list[str]] = {}
    rows = (ProposalProposer.objects.filter(proposal_id__in=list(proposal_ids))
            .filter(proposal__in=public_proposals().values("pk"))
            .order_by("proposal_id", "position").values_list("proposal_id", "proposer__name"))
    for proposal_id, name in rows:
        names.setdefault(proposal_id, []).append(name)
    return names


# --- search ---------------------------------------------------------------------------------------

@dataclasses.dataclass
class Search:
    """A search as asked: its words (those searched and those too short), the filters, and either
    the proposals found (answered by published replies) or the reasons the filters were refused."""

    q: str
    terms: list[str]
    short_terms: list[str]
    selected: dict
    proposals: QuerySet | None
    errors: dict


def _single(params: QueryDict, name: str) -> str:
    return (params.get(name) or "").strip()[:100]


# The filters read the reader from the request (the classification filter counts only the replies
# it may read): the portal's reader is always the anonymous one.
PUBLIC_REQUEST = types.SimpleNamespace(user=ANONYMOUS, query_params=QueryDict(), GET=QueryDict())


def search(params: QueryDict) -> Search:
    """The proposals answered by published replies that match ``q`` (proposals.search: number,
    title, text, proposers and agencies, Traditional and Simplified alike; every word of two
    characters or more must match; or the document number of one of their replies) and the
    filters of ProposalFilterSet (committee, session, agency, classification, topic) and
    SessionFilterSet (year); latest session first, then by number, as the API lists them."""
    q = " ".join((params.get("q") or "").split())[:200]
    words = query_terms(q)
    terms = [w for w in words if len(w) >= MIN_TERM]
    short = [w for w in words if len(w) < MIN_TERM]
    selected = {name: _single(params, name) for name in (*PROPOSAL_FILTERS, "year")}
    errors: dict = {}
    proposals = public_proposals().select_related("session__committee").defer(*PROPOSAL_LONG_TEXTS)
    data = QueryDict(mutable=True)
    for name in PROPOSAL_FILTERS:
        if selected[name]:
            data[name] = selected[name]
    if data:
        filterset = ProposalFilterSet(data, queryset=proposals, request=PUBLIC_REQUEST, requested_only=True)
        if filterset.is_valid():
            proposals = filterset.qs
        else:
            errors.update(filterset.errors)
    if selected["year"]:
        sessions = SessionFilterSet(_query(year=selected["year"]), queryset=Session.objects.all(),
                                    requested_only=True)
        if sessions.is_valid():
            proposals = proposals.filter(session__in=sessions.qs.values("pk"))
        else:
            errors.update(sessions.errors)
    if terms:
        matched = search_condition(" ".join(terms))
        if "号" in q and " " not in q:  # a document number, as printed
            matched |= Q(Exists(public_replies().filter(assignment__proposal=OuterRef("pk"), doc_number=q)))
        proposals = proposals.filter(matched)
    elif short:
        proposals = proposals.none()  # only one-character words: nothing the search can answer
    return Search(q=q, terms=terms, short_terms=short, selected=selected,
                  proposals=None if errors else proposals.order_by("-session_id", "number_sort", "id"),
                  errors=errors)


def _query(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in values.items():
        data[name] = str(value)
    return data


def public_replies_of(proposal_ids) -> dict[int, list[Reply]]:
    """The published replies of each proposal (one query), lead first."""
    out: dict[int, list[Reply]] = {}
    rows = public_replies().filter(assignment__proposal_id__in=list(proposal_ids)).order_by(
        "assignment__proposal_id", "assignment__role", "id")
    for reply in rows:
        out.setdefault(reply.assignment.proposal_id, []).append(reply)
    return out


def search_page(found: Search, number) -> Page:
    """One page of the search: the proposals, each with ``public_replies`` and ``proposer_names``."""
    page = Paginator(found.proposals, PAGE_SIZE).get_page(number)
    proposals = list(page.object_list)
    replies = public_replies_of(p.pk for p in proposals)
    names = proposer_names(p.pk for p in proposals)
    for proposal in proposals:
        proposal.public_replies = replies.get(proposal.pk, [])
        proposal.proposer_names = names.get(proposal.pk, [])
    page.object_list = proposals
    return page


def filter_choices() -> dict:
    """The options of the search's filters (reference data: committees, sessions, agencies, years)."""
    def compute():
        sessions = Session.objects.select_related("committee").order_by("committee__name", "-term", "-number")
        return {
            "committees": list(Committee.objects.order_by("name").values_list("pk", "name")),
            "sessions": [(s.pk, str(s)) for s in sessions],
            "agencies": list(Agency.objects.order_by("name").values_list("pk", "name")),
            "years": sorted({y for y in Session.objects.exclude(year=None).values_list("year", flat=True)},
                            reverse=True),
        }

    return {**cached("choices", compute), "classifications": Reply.Classification.choices}


# --- one reply --------------------------------------------------------------------------------------

@dataclasses.dataclass
class ReplyPage:
    reply: Reply
    proposal: object
    proposers: list[str]
    co_agencies: list[Agency]
    other_replies: list[Reply]
    timeline: list[tuple[str, object]]
    source: dict | None


def reply_page(pk: int) -> ReplyPage | None:
    """A published reply with the proposal it answers as the public may read it, or None."""
    reply = public_replies().filter(pk=pk).first()
    if reply is None:
        return None
    proposal = proposal_detail_list(user=ANONYMOUS).filter(pk=reply.assignment.proposal_id).first()
    if proposal is None:
        return None
    assignments = [a for a in proposal.assignments.all() if a.is_current]
    answering = [a for a in assignments if a.is_answering]
    others = list(public_replies().filter(assignment__proposal_id=proposal.pk).exclude(pk=reply.pk)
                  .defer("body", "assignment__proposal__body"))
    assigned = min((a.assigned_on for a in answering if a.assigned_on), default=None)
    replied = [a.replied_on for a in answering if a.replied_on]
    timeline = [("submitted", proposal.submitted_on), ("filed", proposal.filed_on), ("assigned", assigned),
                ("replied", max(replied) if replied and len(replied) == len(answering) else None),
                ("published", reply.published_on), ("closed", proposal.closed_on)]
    source = (SourceDocument.objects.filter(reply=reply, superseded_by__isnull=True)
              .order_by("-imported_at").values("parsed", "imported_at").first())
    return ReplyPage(
        reply=reply, proposal=proposal, proposers=[s.proposer.name for s in proposal.signatures.all()],
        co_agencies=[a.agency for a in assignments if a.role == Assignment.Role.CO],
        other_replies=others, timeline=[(step, day) for step, day in timeline if day], source=_source(source))


def _source(row: dict | None) -> dict | None:
    """Where the imported letter was published: the body that published it, the date and, when the
    import kept one, the address (only an http(s) one is linked)."""
    if row is None:
        return None
    parsed = row["parsed"] if isinstance(row["parsed"], dict) else {}
    url = next((parsed[k] for k in ("source_url", "url") if isinstance(parsed.get(k), str)), "")
    return {"issuing_body": parsed.get("issuing_body") or "", "published_on": parsed.get("published_on") or "",
            "url": url if url.startswith(("http://", "https://")) else "", "imported_at": row["imported_at"]}


# --- figures ----------------------------------------------------------------------------------------

def _proposals_of(**filters):
    """The visible proposals narrowed by ProposalFilterSet (ids), as /api/stats/ narrows them."""
    return ProposalFilterSet(_query(**filters), queryset=public_proposals().order_by(), request=PUBLIC_REQUEST,
                             requested_only=True).qs


def session_figures(session: Session, group_by: str = "agency") -> dict:
    """The session's handling report (replies.stats) as the public may see it."""
    return cached(f"session:{session.pk}:{group_by}", lambda: proposal_stats(
        proposals=_proposals_of(session_id=session.pk), user=ANONYMOUS, group_by=group_by))


def agency_scorecard(agency: Agency) -> dict:
    """The agency's figures per session: its own assignments only (agency_ids), as
    /api/stats/?agency_id=…&group_by=session counts them."""
    return cached(f"agency:{agency.pk}", lambda: proposal_stats(
        proposals=_proposals_of(agency_id=agency.pk), user=ANONYMOUS, group_by="session", agency_ids=[agency.pk]))


def committee_history(committee: Committee) -> dict:
    """The committee's figures per session: the session report's line over time."""
    return cached(f"committee:{committee.pk}", lambda: proposal_stats(
        proposals=_proposals_of(committee_id=committee.pk), user=ANONYMOUS, group_by="session"))


def latest_replies_of_session(session: Session, limit: int = 10) -> list[Reply]:
    ids = public_replies().filter(assignment__proposal__session_id=session.pk).values_list("pk", flat=True)
    return replies_in_order(list(ids[:limit]))


def current_session() -> Session | None:
    """The latest session (year, then term and number): the one the home page reports on."""
    return (Session.objects.select_related("committee")
            .order_by(F("year").desc(nulls_last=True), "-term", "-number", "-id").first())


# --- browsing ---------------------------------------------------------------------------------------

def replies_per(key: str) -> dict[int, int]:
    """Published replies counted per agency ("assignment__agency_id") or session
    ("assignment__proposal__session_id")."""
    return cached(f"per:{key}", lambda: dict(
        public_replies().order_by().values(key).annotate(n=Count("id")).values_list(key, "n")))


def agencies_with_replies(params: QueryDict | None = None) -> tuple[list[tuple[Agency, int]], dict]:
    """Agencies with published replies and how many, narrowed by AgencyFilterSet (q: name or alias)."""
    counts = replies_per("assignment__agency_id")
    agencies = Agency.objects.filter(pk__in=list(counts)).order_by("region", "name")
    errors = {}
    if params and (params.get("q") or "").strip():
        data = QueryDict(mutable=True)
        data["q"] = params.get("q").strip()[:100]
        filterset = AgencyFilterSet(data, queryset=agencies, requested_only=True)
        if filterset.is_valid():
            agencies = filterset.qs
        else:
            errors = filterset.errors
    return [(a, counts[a.pk]) for a in agencies.only("id", "name", "region")], errors


def sessions_with_replies() -> list[tuple[Session, int]]:
    counts = replies_per("assignment__proposal__session_id")
    sessions = (Session.objects.select_related("committee")
                .order_by("committee__name", F("year").desc(nulls_last=True), "-term", "-number"))
    return [(s, counts.get(s.pk, 0)) for s in sessions]


def top_agencies(limit: int = 10) -> list[tuple[int, str, int]]:
    """The agencies with the most published replies: (id, name, count)."""
    counts = replies_per("assignment__agency_id")
    top = sorted(counts.items(), key=lambda item: -item[1])[:limit * 3]
    names = dict(Agency.objects.filter(pk__in=[pk for pk, _ in top]).values_list("pk", "name"))
    return sorted(((pk, names[pk], n) for pk, n in top if pk in names), key=lambda row: (-row[2], row[1]))[:limit]


def topics(limit: int = 12) -> list[tuple[str, int]]:
    """The topics (类别) of the proposals answered in public, most frequent first."""
    def compute():
        rows = (public_proposals().exclude(topic="").order_by().values("topic").annotate(n=Count("id"))
                .order_by("-n", "topic")[:limit])
        return [(r["topic"], r["n"]) for r in rows]

    return cached(f"topics:{limit}", compute)


def committees() -> list[Committee]:
    return list(Committee.objects.order_by("name"))


def recent_sessions(limit: int = 8) -> list[Session]:
    return list(Session.objects.select_related("committee")
                .order_by(F("year").desc(nulls_last=True), "-term", "-number", "committee__name")[:limit])


def with_signatures(replies: QuerySet) -> QuerySet:
    """The replies with their proposal's proposers (names) prefetched: the CSV's rows."""
    names = ProposalProposer.objects.select_related("proposer").only(
        "proposal_id", "position", "proposer__id", "proposer__name").order_by("position")
    return replies.prefetch_related(Prefetch("assignment__proposal__signatures", queryset=names))
