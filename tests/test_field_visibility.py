"""Field-level visibility matrix: role × channel × field (../shared/domain.md, "Rules decided":
handler-only text and each proposer's rating never reach other proposers or the public, in any
channel; relieved agencies keep sight only of what they did themselves; contact details and
internal notes are for the proposal committee's staff).

One world, built once for the module through the real services (see ``world``): proposal P of
lead proposer A and co-signer B, assigned to agency X (lead) and Z (co-handler); X objects,
staff uphold the objection and reassign the lead to Y (X is *relieved*); Y acknowledges and is
granted an extension; Z sends its co-handling opinion; Y replies (classification D, 不予公开,
with an internal note); A rates it 基本满意 with comments; B does not rate (P stays 已答复: each
proposer rates, and B's window is still open).
Proposal Q (A alone, agency W) has a published, public reply (classification A), so that
anonymous callers and the unrelated member M have something to see.

Every protected text carries an ASCII marker (MARKERS); a case fetches one channel as one role
and looks for one marker in the response text (JSON, CSV, every cell of the XLSX workbook,
admin HTML). A 302/403/404 answer simply does not contain the marker: it counts as absent.

    roles    (8):  staff, x_liaison, y_liaison, z_liaison, proposer_a, proposer_b, member_m, anonymous
    fields   (8):  objection_reason, objection_decision_note, extension_reason, internal_note,
                   rating_comments, phone, email, reply_body
    channels (28): API details (5), API lists (6, events included), CSV exports (6),
                   XLSX exports (6), admin change pages (5)

    full matrix: 8 roles × 28 channels × 8 fields = 1792 combinations, of which 1385 are asserted:
      1316 "absent" cases (a role the policy keeps from the field, in every channel) and
        69 "present" cases (a role the policy shows the field to, in the channels that are that
           field's home for that role: e.g. staff's assignment detail shows the objection reason;
           a proposer's own comments are looked for in the feedback list, not in the event log).
      The 407 combinations left (a role allowed to see the field, in a channel that is not
      its home) are not asserted either way.
    plus 12 cases on the non-public classification D (the classification filter, the stats'
    D, satisfaction and proposal counts, for staff, the anonymous caller and M),
    plus 30 set-up checks (the world is as described; staff open all 28 channels; this count).
    Total: 1427 cases.

Responses are fetched once per (role, channel) and shared by the cases that read them.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

# --- the markers: every protected text of the world carries one, in one place -----------------

MARKERS = {
    "objection_reason": "OBJREASON-7f3",  # X's objection (X's assignment)
    "objection_decision_note": "DECISIONNOTE-9k2",  # staff's decision on it (X's assignment)
    "extension_reason": "EXTREASON-4q8",  # Y's extension (Y's assignment)
    "internal_note": "INTERNALNOTE-2m5",  # Reply.internal_note of Y's reply
    "rating_comments": "RATINGCOMMENT-A-5x1",  # A's comments on Y's reply
    "phone": "13900000001",  # A's phone on the Proposer row
    "email": "a-secret@example.org",  # A's email on the Proposer row
    "reply_body": "REPLYBODY-8w3",  # the body of Y's reply (submitted, not public)
}
P_NUMBER = "7301"
Q_NUMBER = "7302"

ROLES = ["staff", "x_liaison", "y_liaison", "z_liaison", "proposer_a", "proposer_b", "member_m", "anonymous"]

ASSIGNED_ON = datetime.date(2024, 3, 4)  # a Monday
OBJECTED_ON = datetime.date(2024, 3, 5)
DECIDED_ON = datetime.date(2024, 3, 6)  # Y assigned on this day
ACKNOWLEDGED_ON = datetime.date(2024, 3, 7)
EXTENDED_TO = datetime.date(2024, 7, 31)  # within 6 months of Y's assignment
OPINION_ON = datetime.date(2024, 3, 20)
REPLIED_ON = datetime.date(2024, 5, 6)
RATED_ON = datetime.date(2024, 5, 7)

# --- channels: (kind, url, query parameters), built from the world ------------------------------

LISTS = ["proposals", "assignments", "replies", "feedback", "proposers", "events"]
EVENTS = {"api.events", "csv.events", "xlsx.events"}


def channels(w) -> dict[str, tuple[str, str, dict]]:
    found = {
        "api.proposal": ("api", f"/api/proposals/{w.p.pk}/", {}),
        "api.assignment_x": ("api", f"/api/assignments/{w.x_assignment.pk}/", {}),
        "api.assignment_y": ("api", f"/api/assignments/{w.y_assignment.pk}/", {}),
        "api.reply": ("api", f"/api/replies/{w.reply.pk}/", {}),
        "api.proposer_a": ("api", f"/api/proposers/{w.proposer_a.pk}/", {}),
    }
    for name in LISTS:
        params = {"proposal_id": w.p.pk} if name == "events" else {}
        found[f"api.{name}"] = ("api", f"/api/{name}/", {**params, "page_size": 1000})
        found[f"csv.{name}"] = ("csv", f"/api/{name}/", {**params, "format": "csv"})
        found[f"xlsx.{name}"] = ("xlsx", f"/api/{name}/", {**params, "format": "xlsx"})
    found.update({
        "admin.proposal": ("admin", reverse("admin:proposals_proposal_change", args=[w.p.pk]), {}),
        "admin.assignment_x": ("admin", reverse("admin:proposals_assignment_change", args=[w.x_assignment.pk]), {}),
        "admin.assignment_y": ("admin", reverse("admin:proposals_assignment_change", args=[w.y_assignment.pk]), {}),
        "admin.reply": ("admin", reverse("admin:replies_reply_change", args=[w.reply.pk]), {}),
        "admin.proposer_a": ("admin", reverse("admin:proposals_proposer_change", args=[w.proposer_a.pk]), {}),
    })
    return found


CHANNEL_NAMES = (
    ["api.proposal", "api.assignment_x", "api.assignment_y", "api.reply", "api.proposer_a"]
    + [f"{kind}.{name}" for kind in ("api", "csv", "xlsx") for name in LISTS]
    + ["admin.proposal", "admin.assignment_x", "admin.assignment_y", "admin.reply", "admin.proposer_a"]
)

# --- the policy: for each field, the roles that see it and, for each, the channels that are the
# field's home for that role (where "present" is asserted). Every other role must not find the
# field's marker in any channel.

_FEEDBACK_HOMES = {"api.feedback", "csv.feedback", "xlsx.feedback", "admin.proposal", "admin.reply"}
_CONTACT_HOMES = {"api.proposer_a", "api.proposers", "csv.proposers", "xlsx.proposers", "admin.proposer_a"}
_OBJECTION_HOMES = {
    "staff": {"api.proposal", "api.assignment_x", *EVENTS, "admin.proposal", "admin.assignment_x"},
    "x_liaison": {"api.assignment_x", "admin.assignment_x"},  # its own (relieved) assignment
}
POLICY: dict[str, dict[str, set[str]]] = {
    "objection_reason": _OBJECTION_HOMES,
    "objection_decision_note": _OBJECTION_HOMES,
    "extension_reason": {
        "staff": {"api.proposal", "api.assignment_y", *EVENTS, "admin.proposal", "admin.assignment_y"},
        "y_liaison": {"api.proposal", "api.assignment_y", "admin.proposal", "admin.assignment_y"},
    },
    "internal_note": {"staff": {"api.reply", "admin.reply"}},
    "rating_comments": {
        "staff": _FEEDBACK_HOMES | EVENTS,
        "y_liaison": _FEEDBACK_HOMES,  # the rated agency
        "proposer_a": _FEEDBACK_HOMES,  # who gave the rating
    },
    "phone": {"staff": _CONTACT_HOMES},
    "email": {"staff": _CONTACT_HOMES},
    "reply_body": {role: {"api.reply", "admin.reply"}
                   for role in ("staff", "y_liaison", "z_liaison", "proposer_a", "proposer_b")},
}
assert set(POLICY) == set(MARKERS)
assert all(c in CHANNEL_NAMES for homes in POLICY.values() for cs in homes.values() for c in cs)


def _matrix_cases():
    for field in MARKERS:
        for role in ROLES:
            homes = POLICY[field].get(role)
            for channel in CHANNEL_NAMES:
                if homes is None:
                    expected = False
                elif channel in homes:
                    expected = True
                else:
                    continue  # allowed to see it, but this channel is not where it lives
                yield pytest.param(role, channel, field, expected,
                                   id=f"{field}-{role}-{channel}-{'present' if expected else 'absent'}")


MATRIX_CASES = list(_matrix_cases())


# --- the world ------------------------------------------------------------------------------------


@dataclasses.dataclass
class FieldWorld:
    session: object
    p: object
    q: object
    x_assignment: object
    y_assignment: object
    z_assignment: object
    reply: object  # Y's reply on P
    q_reply: object
    proposer_a: object
    proposer_b: object
    member_m: object
    users: dict  # role -> user (None for anonymous)
    channels: dict = dataclasses.field(default_factory=dict)
    pages: dict = dataclasses.field(default_factory=dict)  # (role, channel) -> (status, text)


def build_field_world() -> FieldWorld:
    from proposals import services
    from replies.demo import LIAISON_GROUP, PROPOSER_GROUP, ensure_groups
    from proposals.models import Assignment
    from replies import services as reply_services
    from tests.factories import AgencyFactory, ProposerFactory, SessionFactory, quick_staff_user, quick_user

    ensure_groups()  # the admin's model permissions for each role (tests/factories.py admin_cast)
    liaisons_group, proposers_group = Group.objects.get(name=LIAISON_GROUP), Group.objects.get(name=PROPOSER_GROUP)
    session = SessionFactory()
    committee = session.committee
    staff = quick_staff_user("fv_staff")

    def agency_with_liaison(name):
        agency = AgencyFactory()
        if name is None:
            return agency, None
        user = quick_user(name)  # is_staff=True: members and liaisons use the admin too
        user.groups.add(liaisons_group)
        agency.liaisons.add(user)
        return agency, user

    agency_x, x_liaison = agency_with_liaison("fv_x_liaison")
    agency_y, y_liaison = agency_with_liaison("fv_y_liaison")
    agency_z, z_liaison = agency_with_liaison("fv_z_liaison")
    agency_w, _ = agency_with_liaison(None)  # Q's agency, acted for by staff

    def member(name, **fields):
        user = quick_user(name)
        user.groups.add(proposers_group)
        return ProposerFactory(committee=committee, user=user, **fields), user

    proposer_a, a_user = member("fv_proposer_a", phone=MARKERS["phone"], email=MARKERS["email"])
    proposer_b, b_user = member("fv_proposer_b")
    member_m, m_user = member("fv_member_m")

    # P: A (lead) and B; X lead and Z co-handler; X objects, upheld, reassigned to Y.
    p = services.proposal_create(actor=staff, session=session, title="关于加强社区养老服务的提案",
                                 proposers=[proposer_a, proposer_b], body="建议……", number=P_NUMBER)
    services.proposal_submit(actor=staff, proposal=p)
    services.proposal_file(actor=staff, proposal=p)
    services.proposal_assign(actor=staff, proposal=p, lead=agency_x, co=[agency_z], assigned_on=ASSIGNED_ON)
    x_assignment = p.assignments.get(agency=agency_x)
    z_assignment = p.assignments.get(agency=agency_z)
    services.assignment_object(actor=x_liaison, assignment=x_assignment,
                               reason=f"不属于本单位职责 {MARKERS['objection_reason']}", on=OBJECTED_ON)
    services.assignment_decide_objection(actor=staff, assignment=x_assignment, uphold=True, new_agency=agency_y,
                                         note=f"同意调整 {MARKERS['objection_decision_note']}", on=DECIDED_ON)
    y_assignment = p.assignments.get(agency=agency_y)
    assert y_assignment.role == Assignment.Role.LEAD

    # Y acknowledges and is granted an extension; Z acknowledges and sends its opinion.
    services.assignment_acknowledge(actor=y_liaison, assignment=y_assignment, on=ACKNOWLEDGED_ON)
    services.assignment_extend(actor=staff, assignment=y_assignment, new_due_on=EXTENDED_TO,
                               reason=f"情况复杂 {MARKERS['extension_reason']}")
    services.assignment_acknowledge(actor=z_liaison, assignment=z_assignment, on=ACKNOWLEDGED_ON)
    opinion = reply_services.reply_create(actor=z_liaison, assignment=z_assignment, title="会办意见",
                                          body="同意主办单位意见。")
    reply_services.reply_submit(actor=z_liaison, reply=opinion, on=OPINION_ON)

    # Y replies: classification D, not public; staff add their internal note to the draft.
    reply = reply_services.reply_create(
        actor=y_liaison, assignment=y_assignment, title=f"关于第{P_NUMBER}号提案的答复",
        body=f"经研究,答复如下:{MARKERS['reply_body']}", classification="D", disclosure="not_public",
        disclosure_reason="涉及内部工作安排")
    reply_services.reply_update(actor=staff, reply=reply, internal_note=f"领导批示 {MARKERS['internal_note']}")
    reply_services.reply_submit(actor=y_liaison, reply=reply, on=REPLIED_ON)

    # A rates it 基本满意; B does not rate (P waits for B, or for the end of the window).
    reply_services.feedback_give(actor=a_user, reply=reply, rating="basically",
                                 comments=f"基本解决 {MARKERS['rating_comments']}", on=RATED_ON)

    # Q: A alone, agency W (acted for by staff), a published, public reply classified A.
    q = services.proposal_create(actor=staff, session=session, title="关于改善城区交通的提案",
                                 proposers=[proposer_a], body="建议……", number=Q_NUMBER)
    services.proposal_submit(actor=staff, proposal=q)
    services.proposal_file(actor=staff, proposal=q)
    services.proposal_assign(actor=staff, proposal=q, lead=agency_w, assigned_on=ASSIGNED_ON)
    w_assignment = q.assignments.get(agency=agency_w)
    services.assignment_acknowledge(actor=staff, assignment=w_assignment, on=ACKNOWLEDGED_ON)
    q_reply = reply_services.reply_create(actor=staff, assignment=w_assignment, title=f"关于第{Q_NUMBER}号提案的答复",
                                          body="经研究,答复如下:已完成改造。", classification="A",
                                          disclosure="public")
    reply_services.reply_submit(actor=staff, reply=q_reply, on=REPLIED_ON)
    reply_services.reply_publish(actor=staff, reply=q_reply, on=REPLIED_ON)

    # Fresh users: the role cache (proposals.roles) and permission caches start empty.
    User = get_user_model()
    users = {role: (User.objects.get(pk=user.pk) if user is not None else None) for role, user in {
        "staff": staff, "x_liaison": x_liaison, "y_liaison": y_liaison, "z_liaison": z_liaison,
        "proposer_a": a_user, "proposer_b": b_user, "member_m": m_user, "anonymous": None}.items()}
    fresh = lambda obj: type(obj).objects.get(pk=obj.pk)  # noqa: E731
    world = FieldWorld(session=session, p=fresh(p), q=fresh(q), x_assignment=fresh(x_assignment),
                       y_assignment=fresh(y_assignment), z_assignment=fresh(z_assignment), reply=fresh(reply),
                       q_reply=fresh(q_reply), proposer_a=fresh(proposer_a), proposer_b=fresh(proposer_b),
                       member_m=fresh(member_m), users=users)
    world.channels = channels(world)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; every
    test runs in its own nested transaction on top of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_field_world()
        transaction.set_rollback(True)


# --- fetching a channel as a role ---------------------------------------------------------------


def _response_text(kind: str, response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    if kind == "xlsx" and response.status_code == 200 and response["Content-Type"].startswith(
            "application/vnd.openxmlformats"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join("\t".join("" if v is None else str(v) for v in row)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    return response.content.decode("utf-8")


def _fetch(world, role: str, channel: str) -> tuple[int, str]:
    kind, url, params = world.channels[channel]
    user = world.users[role]
    if kind == "admin":
        client = Client()
        if user is not None:
            client.force_login(user)
    else:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
    response = client.get(url, params)
    return response.status_code, _response_text(kind, response)


def page(world, role: str, channel: str) -> tuple[int, str]:
    """(status, text) of ``channel`` fetched as ``role``; fetched once per module. A channel that
    crashes (an exception, not an answer) fails its cases as broken, never as a leak or a pass."""
    key = (role, channel)
    if key not in world.pages:
        try:
            world.pages[key] = _fetch(world, role, channel)
        except Exception as exc:  # noqa: BLE001 - reported by every case that reads the channel
            world.pages[key] = exc
    found = world.pages[key]
    if isinstance(found, Exception):
        pytest.fail(f"BROKEN CHANNEL (not a leak): {channel} raised for {role}: {found!r}", pytrace=False)
    return found


def _excerpt(text: str, marker: str, width: int = 160) -> str:
    at = text.find(marker)
    return text[max(0, at - width):at + len(marker) + width]


# --- the matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role,channel,field,present", MATRIX_CASES)
def test_field_visibility(world, role, channel, field, present):
    marker = MARKERS[field]
    status, text = page(world, role, channel)
    if present:
        assert status == 200, f"{role} cannot open {channel} ({status}): {text[:300]}"
        assert marker in text, f"{field} ({marker}) missing from {channel} for {role}"
    else:
        assert marker not in text, (f"{field} ({marker}) leaks to {role} through {channel} ({status}): "
                                    f"…{_excerpt(text, marker)}…")


# --- the non-public classification D ------------------------------------------------------------

OUTSIDERS = ["anonymous", "member_m"]


def _api(world, role):
    client = APIClient()
    if world.users[role] is not None:
        client.force_authenticate(world.users[role])
    return client


@pytest.mark.parametrize("role,sees", [("staff", True), *((r, False) for r in OUTSIDERS)])
def test_classification_filter(world, role, sees):
    response = _api(world, role).get("/api/proposals/", {"classification": "D", "page_size": 1000})
    assert response.status_code == 200, response.content
    ids = [row["id"] for row in response.json()["results"]]
    assert (world.p.pk in ids) is sees
    if not sees:
        assert ids == [], "a caller who may not see the D reply must not learn which proposals got one"


def _stats(world, role):
    """The figures narrowed to P. An anonymous caller's group is below the public minimum
    (replies/stats.py, MIN_PUBLIC_GROUP): it is suppressed, every figure null, so it counts
    here as showing nothing."""
    response = _api(world, role).get("/api/stats/", {"q": f"第{P_NUMBER}号"})
    assert response.status_code == 200, response.content
    total = response.json()["total"]
    assert total["suppressed"] is (role == "anonymous")
    if total["suppressed"]:
        assert {v for k, v in total.items() if k != "suppressed"} == {None}
        zero = {"total": 0, "satisfied": 0, "basically": 0, "dissatisfied": 0, "D": 0}
        return {**{k: 0 for k in total}, "classification": zero, "satisfaction": zero}
    return total


@pytest.mark.parametrize("role,expected", [("staff", 1), *((r, 0) for r in OUTSIDERS)])
def test_stats_classification_d(world, role, expected):
    assert _stats(world, role)["classification"]["D"] == expected


@pytest.mark.parametrize("role,expected", [("staff", 1), *((r, 0) for r in OUTSIDERS)])
def test_stats_satisfaction(world, role, expected):
    satisfaction = _stats(world, role)["satisfaction"]
    assert satisfaction["total"] == expected
    assert satisfaction["basically"] == expected
    assert satisfaction["satisfied"] == satisfaction["dissatisfied"] == 0


@pytest.mark.parametrize("role", ["staff", *OUTSIDERS])
def test_stats_do_not_reveal_the_proposal(world, role):
    """Beyond the mix: an outsider's stats for P's number count nothing at all."""
    total = _stats(world, role)
    expected = 1 if role == "staff" else 0
    assert (total["received"], total["assigned"], total["replied"]) == (expected, expected, expected)


def test_case_count_matches_the_docstring():
    present = sum(1 for case in MATRIX_CASES if case.values[3])
    assert (len(CHANNEL_NAMES), len(MATRIX_CASES), present) == (28, 1385, 69), (
        len(CHANNEL_NAMES), len(MATRIX_CASES), present)


# The world must build and the channels must resolve: a set-up error is not a leak.


def test_world_is_as_described(world):
    from proposals.models import Assignment, Proposal
    from replies.models import Feedback, Reply

    assert world.p.status == Proposal.Status.REPLIED
    assert world.x_assignment.status == Assignment.Status.REASSIGNED
    assert world.x_assignment.objection_reason.endswith(MARKERS["objection_reason"])
    assert world.x_assignment.objection_decision_note.endswith(MARKERS["objection_decision_note"])
    assert world.y_assignment.extension_reason.endswith(MARKERS["extension_reason"])
    assert world.y_assignment.due_on == EXTENDED_TO
    assert world.z_assignment.replies.filter(kind=Reply.Kind.OPINION).exclude(status=Reply.Status.DRAFT).exists()
    assert (world.reply.classification, world.reply.disclosure, world.reply.status) == ("D", "not_public",
                                                                                        "submitted")
    assert Feedback.objects.filter(reply=world.reply).count() == 1
    assert world.q_reply.status == Reply.Status.PUBLISHED and world.q_reply.classification == "A"


@pytest.mark.parametrize("channel", CHANNEL_NAMES)
def test_staff_opens_every_channel(world, channel):
    status, text = page(world, "staff", channel)
    assert status == 200, text[:300]
    if channel.startswith("csv."):
        assert len(list(csv.reader(io.StringIO(text)))) >= 2, "the export has at least one row"
