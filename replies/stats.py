"""Figures of the annual handling report (domain.md, "What people measure"), per committee,
session or agency, over any set of proposals (the caller applies row visibility and filters).

They live here, beside the replies, because they count replies and ratings. A caller who is
not staff gets figures over what it may see, field by field (proposals.visibility): the
classifications of the replies it may read, the ratings it may read; and an anonymous caller
gets no figures for a group of fewer than MIN_PUBLIC_GROUP proposals (its figures are null and
``suppressed`` is true), so that narrowing the figures to one proposal shows nothing of it.

Definitions, so that a count by hand agrees:
- received: proposals past the draft; filed: filed (立案) at some point (filed_on, or a status
  that only a filed proposal reaches); merged, converted, not_filed, withdrawn: by status.
- assigned: *answering* assignments (主办 and 分办; not 会办, not 已改办 / 已撤销); replied: those
  whose answer stands (已答复 or 已办结; one sent back for re-handling is not replied until it
  answers again); reply_rate = replied / assigned; replied_on_time: replied on or before the
  due date in force (extensions and re-handling included); on_time_reply_rate =
  replied_on_time / replied; overdue_now: open answering assignments past their due date.
- mean_working_days_to_reply: mean over replied answering assignments of the working days
  after the assignment date up to the reply date (holidays and make-up days from CalendarDay).
- classification (A/B/C/D): the current-round replies (答复, not drafts) of answering
  assignments; satisfaction: every rating given on their replies, in every round (a 不满意
  stays counted after the re-handling it caused); satisfaction_rate = (满意 + 基本满意) / rated;
  未表态 (a proposer who did not rate within the window) is counted apart, not in the rates.
- urged: the 催办 (urge events, proposals.services.urging) on the group's assignments, whatever
  their role (co-handlers are urged for their opinions) or later fate; urged_assignments: the
  assignments urged at least once. Urging is part of the timeline, which only the people
  involved read (proposals.visibility, events): a caller counts the urges it may see, and one
  who sees no timeline at all (the public, a user with no role) gets null for both.
- Per agency, a proposal counts for each agency it is assigned to (any role).
Rates are fractions rounded to 4 places, or null when nothing was counted.
"""
from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.exceptions import EmptyResultSet
from django.db.models import Case, CharField, Count, F, FilteredRelation, IntegerField, Q, QuerySet, Value, When

from proposals.models import Agency, Assignment, CalendarDay, Committee, Event, Proposal, Session
from proposals.selectors import today, work_calendar
from proposals.visibility import Viewer, events_q
from replies.models import Feedback, Reply
from replies.selectors import feedback_visibility_q, reply_visibility_q

GROUPS = ("committee", "session", "agency")
S = Proposal.Status
FILED_STATUSES = (S.FILED, S.ASSIGNED, S.REPLIED, S.CLOSED)
MIN_PUBLIC_GROUP = 5
PROPOSAL_COUNTS = ("received", "filed", "not_filed", "merged", "converted", "withdrawn")
HANDLING_COUNTS = ("assigned", "replied", "replied_on_time", "overdue_now")
URGE_COUNTS = ("urged", "urged_assignments")
CLASSES = ("A", "B", "C", "D")
RATINGS = ("satisfied", "basically", "dissatisfied")
REPLIED = Q(status__in=(Assignment.Status.REPLIED, Assignment.Status.CLOSED), replied_on__isnull=False)


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def _filtered(proposals: QuerySet) -> bool:
    """Whether the proposals are a subset (a whole-table IN costs time, so it is left out)."""
    return bool(proposals.query.where)


def _answering(proposals: QuerySet, agency_ids) -> QuerySet:
    """The answering assignments (Assignment.objects.answering) of the given proposals."""
    assignments = Assignment.objects.answering()
    if agency_ids:
        assignments = assignments.filter(agency_id__in=agency_ids)
    if _filtered(proposals):
        assignments = assignments.filter(proposal__in=proposals.values("pk"))
    return assignments


def _key(group_by: str | None, prefix: str) -> str | None:
    if group_by is None:
        return None
    return {"agency": f"{prefix}agency_id", "session": f"{prefix}proposal__session_id",
            "committee": f"{prefix}proposal__session__committee_id"}[group_by]


def _grouped(queryset: QuerySet, key: str | None, *fields, **annotations) -> list[dict]:
    """Rows of the aggregation, each with its group under "g" (None when not grouped)."""
    queryset = queryset.order_by()
    if key is None and not fields:
        return [{"g": None, **queryset.aggregate(**annotations)}]
    rows = queryset.values(*([key] if key else []), *fields).annotate(**annotations)
    return [{"g": row.pop(key) if key else None, **row} for row in rows]


def _prefixed(q: Q, prefix: str) -> Q:
    """The same condition, on a related model's fields."""
    return Q(*[_prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
               for child in q.children], _connector=q.connector, _negated=q.negated)


# What each proposal count counts, on a proposal (PROPOSAL_COUNTS).
PROPOSAL_CONDITIONS = {
    "received": ~Q(status=S.DRAFT),
    "filed": Q(filed_on__isnull=False) | Q(status__in=FILED_STATUSES),
    "not_filed": Q(status=S.NOT_FILED),
    "merged": Q(status=S.MERGED),
    "converted": Q(status=S.CONVERTED),
    "withdrawn": Q(status=S.WITHDRAWN),
}
# The assignments a proposal counts for per agency: every agency it went to, except one relieved
# by an upheld objection.
AGENCY_ASSIGNMENTS = ~Q(status=Assignment.Status.REASSIGNED)
OPEN = Q(status__in=Assignment.OPEN_STATUSES)


def _proposal_counts(proposals: QuerySet, group_by: str | None, agency_ids) -> list[dict]:
    if group_by == "agency":
        rows = Assignment.objects.filter(AGENCY_ASSIGNMENTS)
        if _filtered(proposals):
            rows = rows.filter(proposal__in=proposals.values("pk"))
        if agency_ids:
            rows = rows.filter(agency_id__in=agency_ids)
        return _grouped(rows, "agency_id", **{name: Count("proposal_id", distinct=True, filter=_prefixed(
            q, "proposal__")) for name, q in PROPOSAL_CONDITIONS.items()})
    key = {None: None, "session": "session_id", "committee": "session__committee_id"}[group_by]
    return _grouped(proposals, key, **{name: Count("id", filter=q) for name, q in PROPOSAL_CONDITIONS.items()})


def _urges(proposals: QuerySet, group_by: str, agency_ids, viewer: Viewer) -> tuple[str, tuple]:
    """The urge events the viewer may see on the assignments counted (the module docstring), one
    row each with its group and assignment, as SQL for the figures' one statement; ("", ()) when
    the viewer may see none. Found through the index on (action, assignment)."""
    urges = Event.objects.filter(action=Event.Action.URGE, assignment__isnull=False)
    if not viewer.staff:
        urges = urges.filter(events_q(viewer))
    if _filtered(proposals):
        urges = urges.filter(proposal__in=proposals.values("pk"))
    if agency_ids:
        urges = urges.filter(assignment__agency_id__in=agency_ids)
    # An event's proposal is its assignment's: session and committee come from it, one join fewer.
    key = {"agency": "assignment__agency_id", "session": "proposal__session_id",
           "committee": "proposal__session__committee_id"}[group_by]
    try:
        return urges.order_by().values("assignment_id", g=F(key)).query.sql_with_params()
    except EmptyResultSet:
        return "", ()


def working_day_ordinals(iso_dates) -> dict:
    """W(d) for each ISO date d: the working days after the earliest date up to d
    (CalendarDay-aware), keyed by the ISO text as the database returns it."""
    start = datetime.date.fromisoformat(min(iso_dates)[:10])
    end = datetime.date.fromisoformat(max(iso_dates)[:10])
    calendar = work_calendar(start, end)
    ordinal, count, day = {}, 0, start
    while day <= end:
        if day != start and calendar.is_working_day(day):
            count += 1
        ordinal[day.isoformat()] = count
        day += datetime.timedelta(days=1)
    return ordinal


def one(condition: Q) -> Case:
    """1 where the condition holds, else 0: a count by SUM."""
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def assignment_facts(assignments: QuerySet, viewer: Viewer, *fields, **more) -> QuerySet:
    """One row per answering assignment with what the handling figures count (the module
    docstring): its dates, ``replied`` and ``on_time`` (0/1), and the classification ``cls`` of
    its current reply where the viewer may read it (``classified`` 1), with ``fields`` and
    ``more`` values."""
    current = FilteredRelation("replies", condition=Q(
        replies__kind=Reply.Kind.REPLY, replies__round=F("rehandle_count") + 1,
    ) & ~Q(replies__status=Reply.Status.DRAFT))
    classified = Q(current__id__isnull=False)
    if not viewer.staff:  # only the classifications of the replies the caller may read
        classified &= Q(current__id__in=Reply.objects.filter(reply_visibility_q(viewer)).values("pk"))
    return (assignments.annotate(current=current).order_by()
            .values("id", "assigned_on", "replied_on", *fields,
                    cls=Case(When(classified, then=F("current__classification")), default=Value(None),
                             output_field=CharField()),
                    replied=one(REPLIED), on_time=one(REPLIED & Q(replied_on__lte=F("due_on"))),
                    classified=one(classified), **more))


def _handling(proposals, group_by, agency_ids, on: datetime.date, viewer: Viewer) -> list[dict]:
    """Everything measured on answering assignments, in one statement over one pass of them:
    the handling counts; the A/B/C/D mix of their current replies (答复 of the current round,
    not drafts); their replies' ratings; and, for the mean working days to reply, sum W(reply)
    - sum W(assignment) over the replied ones (counted in the statement on PostgreSQL; on SQLite
    from the replied ones per reply date and per assignment date).

    The facts are an ORM query (the definitions above, written once); the statement only
    groups them, from one materialised pass (a WITH … AS MATERIALIZED, which PostgreSQL and
    SQLite ≥ 3.35 both read), instead of joining the same tables once per figure."""
    from django.db import connection

    facts = assignment_facts(_answering(proposals, agency_ids), viewer, g=F(_key(group_by, "")),
                             overdue=one(OPEN & Q(due_on__lt=on)))
    sql, params = facts.query.sql_with_params()
    q_name = connection.ops.quote_name
    readable, readable_params = "", ()
    if not viewer.staff:  # only the ratings the caller may read
        try:
            feedback_sql, readable_params = (Feedback.objects.filter(feedback_visibility_q(viewer)).values("pk")
                                             .query.sql_with_params())
            readable = f" AND fb.{q_name('id')} IN ({feedback_sql})"
        except EmptyResultSet:  # a caller who may read no rating at all
            readable = " AND 1 = 0"
    q = connection.ops.quote_name
    urges_sql, urges_params = _urges(proposals, group_by, agency_ids, viewer) if viewer.involved else ("", ())
    urged = f"""
        UNION ALL SELECT 'u', u.g, NULL, COUNT(*), COUNT(DISTINCT u.{q("assignment_id")}), 0, 0, 0
          FROM ({urges_sql}) u GROUP BY u.g""" if urges_sql else ""
    if connection.vendor == "postgresql":
        calendar, working_days = _working_days_sql(q)
        extra_params = (CalendarDay.Kind.WORKDAY, CalendarDay.Kind.HOLIDAY)
    else:
        calendar, working_days, extra_params = "", _DATE_HISTOGRAMS_SQL, ()
    statement = f"""
        WITH f AS MATERIALIZED ({sql}){calendar}
        SELECT 'h', g, CAST(cls AS TEXT), COUNT(*), SUM(replied), SUM(on_time), SUM(overdue), SUM(classified)
          FROM f GROUP BY g, cls
        {working_days}
        UNION ALL SELECT 's', f.g, fb.{q("rating")}, COUNT(*), 0, 0, 0, 0
          FROM {q(Feedback._meta.db_table)} fb JOIN {q(Reply._meta.db_table)} r ON r.{q("id")} = fb.{q("reply_id")}
          JOIN f ON f.id = r.{q("assignment_id")} WHERE r.{q("kind")} = %s{readable}
          GROUP BY f.g, fb.{q("rating")}{urged}
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, (*params, *extra_params, Reply.Kind.REPLY, *readable_params, *urges_params))
        fetched = cursor.fetchall()
    rows, by_date = [], {"r": [], "a": []}
    for part, g, k, n, replied, on_time, overdue, classified in fetched:
        if part == "h":
            # SUM over integers is numeric on PostgreSQL (a Decimal): the figures are counts.
            rows.append({"g": g, "assigned": n, "replied": int(replied), "replied_on_time": int(on_time),
                         "overdue_now": int(overdue), f"class_{k or '-'}": int(classified)})
        elif part == "s":
            rows.append({"g": g, f"rating_{k}": n})
        elif part == "w":
            rows.append({"g": g, "replied_n": n, "working_days": int(replied)})
        elif part == "u":
            rows.append({"g": g, "urged": n, "urged_assignments": int(replied)})
        else:
            by_date[part].append((g, k[:10], n))
    if by_date["r"]:
        ordinal = working_day_ordinals({d for _, d, _ in by_date["r"]} | {d for _, d, _ in by_date["a"]})
        days, replied = defaultdict(int), defaultdict(int)
        for g, d, n in by_date["r"]:
            days[g] += ordinal[d] * n
            replied[g] += n
        for g, d, n in by_date["a"]:
            days[g] -= ordinal[d] * n
        rows += [{"g": g, "replied_n": replied[g], "working_days": total} for g, total in days.items()]
    return rows


# The working days to reply, counted by the caller (SQLite): replied assignments per reply date
# and per assignment date, so that sum W(reply) - sum W(assignment) needs W of each date once.
_DATE_HISTOGRAMS_SQL = """
        UNION ALL SELECT 'r', g, CAST(replied_on AS TEXT), COUNT(*), 0, 0, 0, 0 FROM f WHERE replied = 1
          GROUP BY g, replied_on
        UNION ALL SELECT 'a', g, CAST(assigned_on AS TEXT), COUNT(*), 0, 0, 0, 0 FROM f WHERE replied = 1
          GROUP BY g, assigned_on"""


def _working_days_sql(q) -> tuple[str, str]:
    """The working days to reply, counted in the statement (PostgreSQL): C(d), the working days
    from the earliest assignment date up to d, for every day between the earliest assignment
    and the latest reply (weekdays, less CalendarDay holidays, plus its make-up working days:
    WorkCalendar.is_working_day), then sum C(reply) - C(assignment) per group. The same
    figure as working_day_ordinals, without sending every date to Python."""
    calendar = f""", w AS (
          SELECT s.d::date AS d, COUNT(*) FILTER (WHERE CASE WHEN c.{q("kind")} = %s THEN TRUE
                 WHEN c.{q("kind")} = %s THEN FALSE ELSE EXTRACT(ISODOW FROM s.d) < 6 END) OVER (ORDER BY s.d) AS c
            FROM (SELECT MIN(assigned_on) AS lo, MAX(replied_on) AS hi FROM f WHERE replied = 1) AS b
            CROSS JOIN generate_series(b.lo::timestamp, b.hi::timestamp, INTERVAL '1 day') AS s(d)
            LEFT JOIN {q(CalendarDay._meta.db_table)} c ON c.{q("date")} = s.d::date)"""
    branch = """
        UNION ALL SELECT 'w', f.g, NULL, COUNT(*), SUM(wr.c - wa.c), 0, 0, 0
          FROM f JOIN w wr ON wr.d = f.replied_on JOIN w wa ON wa.d = f.assigned_on
          WHERE f.replied = 1 GROUP BY f.g"""
    return calendar, branch


def _figures(counts: dict, urges_shown: bool) -> dict:
    figures = {name: counts.get(name, 0) for name in PROPOSAL_COUNTS + HANDLING_COUNTS}
    figures.update({name: counts.get(name, 0) if urges_shown else None for name in URGE_COUNTS})
    figures["reply_rate"] = _rate(figures["replied"], figures["assigned"])
    figures["on_time_reply_rate"] = _rate(figures["replied_on_time"], figures["replied"])
    replied_n = counts.get("replied_n", 0)
    figures["mean_working_days_to_reply"] = round(counts.get("working_days", 0) / replied_n, 1) if replied_n else None
    class_counts = {c: counts.get(f"class_{c}", 0) for c in CLASSES}
    classified = sum(class_counts.values())
    figures["classification"] = {**class_counts, "total": classified,
                                 "shares": {c: _rate(n, classified) for c, n in class_counts.items()}}
    rating_counts = {r: counts.get(f"rating_{r}", 0) for r in RATINGS}
    rated = sum(rating_counts.values())
    figures["satisfaction"] = {
        **rating_counts, "total": rated, "not_rated": counts.get("rating_not_rated", 0),
        "satisfied_rate": _rate(rating_counts["satisfied"], rated),
        "basically_rate": _rate(rating_counts["basically"], rated),
        "dissatisfied_rate": _rate(rating_counts["dissatisfied"], rated),
        "satisfaction_rate": _rate(rating_counts["satisfied"] + rating_counts["basically"], rated),
    }
    return figures


def _labels(group_by: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if group_by == "committee":
        return {c.pk: {"id": c.pk, "name": c.name} for c in Committee.objects.filter(pk__in=keys)}
    if group_by == "session":
        return {s.pk: {"id": s.pk, "key": f"{s.committee.name}/{s.term}/{s.number}", "name": str(s)}
                for s in Session.objects.filter(pk__in=keys).select_related("committee")}
    return {a.pk: {"id": a.pk, "name": a.name} for a in Agency.objects.filter(pk__in=keys)}



def proposal_stats(*, proposals: QuerySet[Proposal], user, group_by: str = "committee", agency_ids=None,
                   on: datetime.date | None = None) -> dict:
    """The figures of each group and of all the given proposals together, as ``user`` may see
    them (the module docstring)."""
    if group_by not in GROUPS:
        raise ValueError(group_by)
    on, viewer = on or today(), Viewer.of(user)
    kept = None
    if viewer.staff and not agency_ids and not _filtered(proposals):  # the whole report: replies.kept_figures
        from replies import kept_figures

        kept = kept_figures.rows(group_by, on)
    if kept is not None:
        rows, kept_totals = kept
    else:
        rows = _proposal_counts(proposals, group_by, agency_ids) + _handling(proposals, group_by, agency_ids, on, viewer)
    groups, total = defaultdict(lambda: defaultdict(int)), defaultdict(int)
    for row in rows:
        group = groups[row["g"]]
        for name, value in row.items():
            if name != "g" and value:
                group[name] += value
                total[name] += value
    if group_by == "agency":  # in the total a proposal counts once, whatever its number of agencies
        proposal_totals = kept_totals if kept is not None else _proposal_counts(proposals, None, None)[0]
        total.update({name: proposal_totals[name] for name in PROPOSAL_COUNTS})
    labels = _labels(group_by, groups)
    public = not getattr(user, "is_authenticated", False)
    result = [{"group": labels.get(k, {"id": k, "name": ""}), **_shown(counts, public, viewer.involved)}
              for k, counts in groups.items()]
    result.sort(key=lambda g: (g["group"].get("key") or g["group"]["name"], g["group"]["id"] or 0))
    return {"group_by": group_by, "on": on.isoformat(), "total": _shown(total, public, viewer.involved),
            "groups": result}


def _shown(counts: dict, public: bool, urges_shown: bool) -> dict:
    """The figures, or none of them for a public caller when the group is too small to hide
    the records in it; the urges only for a caller who may follow a timeline."""
    figures = _figures(counts, urges_shown)
    if public and figures["received"] < MIN_PUBLIC_GROUP:
        return {**{name: None for name in figures}, "suppressed": True}
    return {**figures, "suppressed": False}
