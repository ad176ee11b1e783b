"""Kept figures (issue 13): the counts of the handling report (replies.stats) kept per session ×
agency, so that the committee's whole report reads a few thousand rows instead of every
proposal, assignment, reply and rating (4 s at a million proposals).

- Every workflow step records an event (proposals.services.base.record_event); in the same
  transaction, ``refresh`` recomputes what that proposal contributes to the counts (its
  ``contributions``, from the same definitions as replies.stats) and adds the difference from
  what it contributed before (FigureContribution) to the kept counts (FigureFact). Writers that
  record no event (the letter importer) call ``refresh`` themselves.
- The counts: per session (agency 0) the proposal counts; per session and agency the agency's
  proposal counts ("p:received" …), the handling counts, the classification and rating mix,
  urges, the working days to reply, and the open answering assignments per due date
  ("due:YYYY-MM-DD", so that "overdue now" is counted for any day).
- ``rebuild`` (``manage.py rebuild_figures``) counts everything from scratch; ``--check``
  compares. The kept counts are used once built (the "built" mark); a new database is built
  from the start. The working days depend on the work calendar: a calendar change refreshes the
  assignments replied across it, or, past CALENDAR_REFRESH_LIMIT of them, marks the counts
  unbuilt; ``loaddata`` of counted rows marks them unbuilt too; unbuilt, the report is counted
  live until they are rebuilt.
- Only the staff's unfiltered report is read from them: any filter, and every other reader
  (whose figures follow proposals.visibility row by row), is counted live.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Sum, Value, When
from proposals.models import Assignment, Event, Proposal, Session
from proposals.visibility import Viewer
from replies.models import Feedback, FigureContribution, FigureFact, Reply
from replies.stats import (AGENCY_ASSIGNMENTS, OPEN, PROPOSAL_CONDITIONS, REPLIED, assignment_facts, one,
                           working_day_ordinals)

STAFF = Viewer(staff=True, agencies=frozenset(), proposer=None)
BUILT_KEY = "built"  # the mark (session 0, agency 0): the counts are complete
BATCH = 2000


def is_built() -> bool:
    return FigureFact.objects.filter(session_id=0, agency_id=0, key=BUILT_KEY).exists()


def mark_unbuilt() -> None:
    FigureFact.objects.filter(session_id=0, agency_id=0, key=BUILT_KEY).delete()


def contributions(proposal_ids) -> dict[int, Counter]:
    """What each proposal adds to the kept counts, as "session|agency|key" -> n (replies.stats'
    definitions: the proposal's own counts, its agencies', its answering assignments')."""
    ids = list(proposal_ids)
    result: dict[int, Counter] = {pid: Counter() for pid in ids}
    counted = tuple(PROPOSAL_CONDITIONS)
    proposals = {row["id"]: row for row in Proposal.objects.filter(pk__in=ids).values(
        "id", "session_id", **{name: one(q) for name, q in PROPOSAL_CONDITIONS.items()})}
    for pid, row in proposals.items():
        result[pid].update({f"{row['session_id']}|0|{name}": 1 for name in counted if row[name]})
    for pid, agency in (Assignment.objects.filter(AGENCY_ASSIGNMENTS, proposal_id__in=ids)
                        .values_list("proposal_id", "agency_id").distinct()):
        row = proposals[pid]
        result[pid].update({f"{row['session_id']}|{agency}|p:{name}": 1 for name in counted if row[name]})
    answering = Assignment.objects.answering().filter(proposal_id__in=ids)
    replied = []
    for fact in assignment_facts(answering, STAFF, "proposal_id", "agency_id", "due_on", open=one(OPEN)):
        pid = fact["proposal_id"]
        base = f"{proposals[pid]['session_id']}|{fact['agency_id']}|"
        counts = result[pid]
        counts[base + "assigned"] += 1
        counts[base + "replied"] += fact["replied"]
        counts[base + "replied_on_time"] += fact["on_time"]
        counts[base + f"class_{fact['cls'] or '-'}"] += fact["classified"]
        if fact["open"] and fact["due_on"] is not None:
            counts[base + f"due:{fact['due_on'].isoformat()}"] += 1
        if fact["replied"] and fact["assigned_on"] is not None:
            replied.append((counts, base, fact["assigned_on"].isoformat(), fact["replied_on"].isoformat()))
    if replied:  # W(reply) - W(assignment): working days after the assignment, up to the reply
        ordinal = working_day_ordinals({a for _, _, a, _ in replied} | {r for _, _, _, r in replied})
        for counts, base, assigned_on, replied_on in replied:
            counts[base + "replied_n"] += 1
            counts[base + "working_days"] += ordinal[replied_on] - ordinal[assigned_on]
    ratings = Feedback.objects.filter(reply__kind=Reply.Kind.REPLY, reply__assignment__in=answering)
    for pid, agency, rating in ratings.values_list("reply__assignment__proposal_id", "reply__assignment__agency_id",
                                                   "rating"):
        result[pid][f"{proposals[pid]['session_id']}|{agency}|rating_{rating}"] += 1
    urged = set()
    for pid, assignment_id, agency in (Event.objects.filter(action=Event.Action.URGE, assignment__isnull=False,
                                                            proposal_id__in=ids)
                                       .values_list("proposal_id", "assignment_id", "assignment__agency_id")):
        base = f"{proposals[pid]['session_id']}|{agency}|"
        result[pid][base + "urged"] += 1
        if assignment_id not in urged:
            urged.add(assignment_id)
            result[pid][base + "urged_assignments"] += 1
    return {pid: +counts for pid, counts in result.items()}  # zeros dropped


def _add(deltas: Counter) -> None:
    """n += delta for each key, inserting keys not kept yet; in key order, so that two steps
    adding to the same rows take their locks in the same order."""
    rows = [(*key.split("|", 2), n) for key, n in sorted(deltas.items()) if n]
    if not rows:
        return
    table, q = FigureFact._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {q(table)} (session_id, agency_id, {q('key')}, n) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (session_id, agency_id, {q('key')}) DO UPDATE SET n = {q(table)}.n + excluded.n",
            [(int(s), int(a), key, n) for s, a, key, n in rows])


def refresh(proposal_ids) -> None:
    """Bring the kept counts up to date for these proposals, in the caller's transaction."""
    ids = sorted(set(proposal_ids))
    if not ids or not is_built():
        return
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            new = contributions(batch)
            old = {c.proposal_id: c.facts for c in FigureContribution.objects.select_for_update().filter(
                proposal_id__in=batch)}
            deltas = Counter()
            for pid in batch:
                deltas.update(new[pid])
                deltas.subtract(old.get(pid, {}))
            _add(deltas)
            changed = [pid for pid in batch if dict(new[pid]) != old.get(pid, {})]
            FigureContribution.objects.filter(proposal_id__in=[pid for pid in changed if not new[pid]]).delete()
            FigureContribution.objects.bulk_create(
                [FigureContribution(proposal_id=pid, facts=dict(new[pid])) for pid in changed if new[pid]],
                update_conflicts=True, unique_fields=["proposal_id"], update_fields=["facts"])


# The records the counts are made of: ``manage.py loaddata`` of any of them (rows, not steps)
# marks the counts unbuilt (replies/management/commands/loaddata.py).
COUNTED_MODELS = (Proposal, Assignment, Reply, Feedback, Event)


# Steps that change nothing the report counts (a draft and its edits count for nothing; contacts,
# key marks, supervision, co-signing, pending extension requests and deadline-review flags are
# not figures): their events refresh nothing. The random walk (tests/replies/test_kept_figures.py)
# takes several of them and checks the counts after.
UNCOUNTED_ACTIONS = frozenset({
    "create", "edit", "contact", "reply_draft", "reply_update", "mark_key", "unmark_key", "supervise", "invite",
    "cosign_accept", "cosign_decline", "cosign_expire", "extension_request", "extension_refuse", "deadline_review",
    "import_review",
})


def on_event(event) -> None:
    """Every step's event (proposals.extensions.event_listeners): its proposal's counts."""
    if event.action not in UNCOUNTED_ACTIONS:
        refresh([event.proposal_id])


# A calendar change touching more replied assignments than this marks the counts unbuilt (the
# report is then counted live until ``manage.py rebuild_figures``) rather than hold the change.
CALENDAR_REFRESH_LIMIT = 20_000


def on_calendar_change(dates) -> None:
    """Calendar days changed (proposals.extensions.calendar_listeners): the working days to reply
    of the assignments replied across them change too."""
    if not is_built():
        return
    spanning = (Assignment.objects.answering().filter(REPLIED, assigned_on__lte=max(dates), replied_on__gte=min(dates))
                .values_list("proposal_id", flat=True).distinct())
    ids = list(spanning[:CALENDAR_REFRESH_LIMIT + 1])
    if len(ids) > CALENDAR_REFRESH_LIMIT:
        mark_unbuilt()
    else:
        refresh(ids)


def from_scratch(progress=None) -> tuple[Counter, int]:
    """Every count, from every proposal in batches of ids (constant memory but for the counts);
    with ``progress(done)`` called after each batch. Stores each proposal's contribution."""
    totals, done, last = Counter(), 0, 0
    FigureContribution.objects.all().delete()
    while True:
        batch = list(Proposal.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not batch:
            return totals, done
        found = contributions(batch)
        FigureContribution.objects.bulk_create(
            [FigureContribution(proposal_id=pid, facts=dict(c)) for pid, c in found.items() if c])
        for counts in found.values():
            totals.update(counts)
        done, last = done + len(batch), batch[-1]
        if progress:
            progress(done)


def counted_anew(progress=None) -> tuple[Counter, int]:
    """``from_scratch``'s counts and proposals read, changing nothing (its stored contributions
    rolled back): what the kept counts must equal."""
    with transaction.atomic():
        counted = from_scratch(progress)
        transaction.set_rollback(True)
    return counted


def rebuild(progress=None) -> int:
    """Count everything anew and mark the counts built, in one transaction (on PostgreSQL the
    kept tables are locked against the steps' own updates meanwhile). Returns the proposals read."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {FigureFact._meta.db_table}, {FigureContribution._meta.db_table} "
                               "IN SHARE ROW EXCLUSIVE MODE")
        FigureFact.objects.all().delete()
        totals, done = from_scratch(progress)
        _add(totals)
        FigureFact.objects.create(session_id=0, agency_id=0, key=BUILT_KEY, n=1)
    return done


def kept_counts() -> Counter:
    """The kept counts as "session|agency|key" -> n (the built mark aside)."""
    return Counter({f"{s}|{a}|{k}": n for s, a, k, n in FigureFact.objects.exclude(session_id=0).exclude(n=0)
                    .values_list("session_id", "agency_id", "key", "n")})


def rows(group_by: str, on) -> tuple[list[dict], Counter] | None:
    """The rows replies.stats.proposal_stats sums, from the kept counts grouped by committee,
    session or agency, with "overdue now" as on ``on``; and, for the agency grouping (whose
    groups count a proposal once per agency), the proposal counts of all the proposals together.
    None while the counts are not built.

    Summed in the database by session (or agency) and key, the open assignments due before that
    day folded into "overdue_now": the report reads a row per group and figure, not one per
    session × agency × due date."""
    if not is_built():
        return None
    due_before = f"due:{on.isoformat()}"
    key = Case(When(key__startswith="due:", key__lt=due_before, then=Value("overdue_now")),
               When(key__startswith="due:", then=Value(None)), default=F("key"), output_field=CharField())
    facts = FigureFact.objects.exclude(session_id=0).exclude(n=0).annotate(k=key).exclude(k=None).order_by()
    groups, proposals = defaultdict(Counter), Counter()
    if group_by == "agency":  # agency 0: the proposal counts of all the proposals together
        for agency, key, n in (facts.values("agency_id", "k").annotate(total=Sum("n")).exclude(total=0)
                               .values_list("agency_id", "k", "total")):
            if agency == 0:
                proposals[key] += n
            else:
                groups[agency][key[2:] if key.startswith("p:") else key] += n
    else:  # an agency's proposal counts ("p:") are the agency report's
        committee_of = dict(Session.objects.values_list("pk", "committee_id")) if group_by == "committee" else {}
        for session, key, n in (facts.exclude(key__startswith="p:").values("session_id", "k")
                                .annotate(total=Sum("n")).exclude(total=0).values_list("session_id", "k", "total")):
            groups[committee_of.get(session) if group_by == "committee" else session][key] += n
    return [{"g": g, **counts} for g, counts in groups.items()], proposals
