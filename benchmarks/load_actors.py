"""The load test's actors and its consistency check (benchmarks/load.py), in the benchmark's
database (benchmarks/api_data.py's data): run inside Django, before and after the server's run.

Actors: 20 agency liaisons (users added to Agency.liaisons) with the current assignments of their
agency, and a pool of them reset to 已交办 (assigned, not acknowledged) for 签收 — a benchmark's
set-up, written directly, not a workflow step; 20 members (users linked to a proposer) drafting in
their committee's latest session; the benchmark's staff user; the anonymous public. Each reader's
proposals to open are drawn from those it may see (proposals.selectors.visible_proposals)."""
from __future__ import annotations

import urllib.parse

ACTOR_PREFIX = "load-"
DRAFT_TITLE = "关于负载测试{marker}的提案"
LIAISONS = MEMBERS = 20
VISIBLE_SAMPLE = 2000


def _token(user) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def _visible(user) -> list[int]:
    from proposals.selectors import visible_proposals

    return list(visible_proposals(user).order_by("?").values_list("pk", flat=True)[:VISIBLE_SAMPLE])


def prepare(info: dict, to_acknowledge: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.db import transaction
    from django.db.models import Count, Q
    from django.utils import timezone

    from proposals.models import Agency, Assignment, Proposal, Proposer, Session

    User = get_user_model()
    A = Assignment.Status
    per_agency = to_acknowledge // LIAISONS + 1
    with transaction.atomic():
        open_ones = Q(assignments__status__in=(A.ACKNOWLEDGED, A.ASSIGNED),
                      assignments__proposal__status=Proposal.Status.ASSIGNED)
        agencies = list(Agency.objects.annotate(open=Count("assignments", filter=open_ones))
                        .order_by("-open", "pk")[:LIAISONS])
        liaisons = []
        for agency in agencies:
            user, _ = User.objects.get_or_create(username=f"{ACTOR_PREFIX}liaison-{agency.pk}")
            agency.liaisons.add(user)
            pool = list(Assignment.objects.filter(agency=agency, status__in=(A.ACKNOWLEDGED, A.ASSIGNED),
                                                  proposal__status=Proposal.Status.ASSIGNED)
                        .order_by("pk").values_list("pk", flat=True)[:per_agency])
            Assignment.objects.filter(pk__in=pool).update(status=A.ASSIGNED, acknowledged_on=None)
            current = list(Assignment.objects.current().filter(agency=agency).order_by("?")
                           .values_list("pk", flat=True)[:500])
            liaisons.append({"token": _token(user), "to_acknowledge": pool, "current": current,
                             "visible": _visible(user)})
        members = []
        proposers = Proposer.objects.filter(user__isnull=True).order_by("pk")[:MEMBERS]
        for proposer in list(Proposer.objects.filter(user__username__startswith=ACTOR_PREFIX)) or list(proposers):
            user = proposer.user or User.objects.create(username=f"{ACTOR_PREFIX}member-{proposer.pk}")
            if proposer.user_id is None:
                proposer.user = user
                proposer.save(update_fields=["user"])
            session = Session.objects.filter(committee_id=proposer.committee_id).order_by("-year", "-number").first()
            members.append({"token": _token(user), "session": session.pk, "visible": _visible(user)})
    staff = User.objects.get(auth_token__key=info["token"])
    return {
        "staff": {"token": info["token"], "visible": _visible(staff)},
        "anonymous": {"visible": _visible(AnonymousUser())},
        "liaisons": liaisons, "members": members,
        "agency_query": urllib.parse.quote(info["agency"]), "word_query": urllib.parse.quote("双减"),
        "today": timezone.localdate().isoformat(),
    }


def clean_up() -> int:
    """Delete the run's draft proposals (after its check), so that the data keeps its N proposals
    and the next run reuses it (benchmarks/api.py refills a database whose count differs)."""
    from proposals.models import Event, Proposal

    drafts = Proposal.objects.filter(title__startswith=DRAFT_TITLE.split("{")[0], status=Proposal.Status.DRAFT)
    Event.objects.filter(proposal__in=drafts).delete()
    return drafts.delete()[0]


def counts() -> dict:
    from django.db.models import Max

    from proposals.models import Event

    return {"event_max": Event.objects.aggregate(m=Max("pk"))["m"] or 0}


def check(writes: list[dict], before: dict) -> dict:
    """Every write answered 2xx is in the database exactly once (and is the object the answer
    named), none refused or never sent is there, and the run's events are those of its writes."""
    from collections import Counter

    from proposals.models import Assignment, ContactLog, Event, Proposal

    new_events = Event.objects.filter(pk__gt=before["event_max"])
    acknowledged = Counter(new_events.filter(action="acknowledge").values_list("assignment_id", flat=True))
    problems, applied, answered = [], Counter(), Counter()
    for write in writes:
        status, kind = write.get("status", -1), write["kind"]
        ok = 200 <= status < 300
        answered[kind, "ok" if ok else ("timeout" if status == 0 else "never sent" if status < 0 else "refused")] += 1
        if kind == "acknowledge":
            found = acknowledged.get(write["target"], 0)
            in_db = found and Assignment.objects.filter(pk=write["target"], status=Assignment.Status.ACKNOWLEDGED).exists()
        elif kind == "contact":
            rows = list(ContactLog.objects.filter(note=write["marker"]).values_list("pk", flat=True))
        else:
            rows = list(Proposal.objects.filter(title=write["marker"]).values_list("pk", flat=True))
        if kind != "acknowledge":
            found, in_db = len(rows), ok and rows == [write["answer"]["id"]]
        applied[kind] += 1 if found else 0
        if found > 1:
            problems.append(f"{kind} written {found} times: {write['path']}")
        if ok and not in_db:
            problems.append(f"{kind} answered {status} but not in the database as answered: {write['path']}")
        if not ok and status != 0 and found:  # refused or never sent, yet written
            problems.append(f"{kind} answered {status} but written anyway: {write['path']}")
    by_action = Counter(new_events.values_list("action", flat=True))
    expected = Counter({"acknowledge": applied["acknowledge"], "contact": applied["contact"], "create": applied["draft"]})
    if by_action != expected:
        problems.append(f"events of the run {dict(by_action)} are not those of its applied writes {dict(expected)}")
    ok_writes = sum(n for (kind, outcome), n in answered.items() if outcome == "ok")
    timeouts_applied = sum(applied.values()) - ok_writes
    summary = (f"{len(writes)} writes, {ok_writes} answered 2xx and each in the database exactly once"
               if not problems else f"{len(problems)} problems: " + "; ".join(problems[:5]))
    if timeouts_applied:
        summary += f"; {timeouts_applied} whose answer timed out were applied (once each)"
    if by_action == expected:
        summary += f"; events of the run: {sum(by_action.values())}, those of the applied writes"
    return {"ok": not problems, "summary": summary, "problems": problems[:50],
            "outcomes": {f"{k}:{o}": n for (k, o), n in sorted(answered.items())}, "events": dict(by_action)}
