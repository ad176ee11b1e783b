"""Reference data (committees, sessions, proposers, agencies, calendar days: staff write, anyone
reads) and the filters of every list other than proposals, each id / readable-key pair both ways."""
import datetime

import pytest
from django.db import transaction

from proposals.models import CalendarDay, Committee
from tests.api_support import build_world, client_for, ids
from tests.factories import AgencyFactory, SessionFactory, make_cast, proposal_at


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        built.elsewhere = make_cast(SessionFactory(term=5, number=2))
        built.elsewhere_proposal = proposal_at(built.elsewhere, "assigned")
        built.child = AgencyFactory(name="测试市第0局教研室", parent=built.cast.agency)
        yield built
        transaction.set_rollback(True)


def key(session):
    return f"{session.committee.name}/{session.term}/{session.number}"


def _params(world):
    cast, other = world.cast, world.elsewhere
    committee, session, agency, proposer = cast.session.committee, cast.session, cast.agency, cast.proposer
    return [
        # resource, params, expected ids (callable on the world)
        ("sessions", {"committee_id": committee.pk}, [session.pk]),
        ("sessions", {"committee": committee.name}, [session.pk]),
        ("proposers", {"committee_id": other.session.committee_id}, [other.proposer.pk, other.other_proposer.pk]),
        ("proposers", {"committee": other.session.committee.name}, [other.proposer.pk, other.other_proposer.pk]),
        ("proposers", {"kind": "member", "name": proposer.name}, [proposer.pk]),
        ("agencies", {"parent_id": agency.pk}, [world.child.pk]),
        ("agencies", {"parent": agency.name}, [world.child.pk]),
        ("agencies", {"q": "教研"}, [world.child.pk]),
        ("assignments", {"agency_id": cast.co_agency.pk}, [world.co.pk]),
        ("assignments", {"agency": cast.co_agency.name}, [world.co.pk]),
        ("assignments", {"session_id": other.session.pk}, list(
            world.elsewhere_proposal.assignments.values_list("pk", flat=True))),
        ("assignments", {"session": key(other.session)}, list(
            world.elsewhere_proposal.assignments.values_list("pk", flat=True))),
        ("assignments", {"committee": other.session.committee.name}, list(
            world.elsewhere_proposal.assignments.values_list("pk", flat=True))),
        ("assignments", {"proposal_id": world.assigned.pk, "role": "co"}, [world.co.pk]),
        ("assignments", {"status": "assigned", "agency_id": cast.co_agency.pk}, [world.co.pk]),
        ("replies", {"agency_id": agency.pk, "status": "draft"}, [world.draft_reply.pk]),
        ("replies", {"agency": agency.name, "status": "published"}, [world.public_reply.pk]),
        ("replies", {"session_id": session.pk, "disclosure": "not_public"}, [world.private_reply.pk]),
        ("replies", {"session": key(session), "disclosure": "not_public"}, [world.private_reply.pk]),
        ("replies", {"committee_id": other.session.committee_id}, []),
        ("replies", {"committee": committee.name, "proposal_id": world.public.pk}, [world.public_reply.pk]),
        ("replies", {"kind": "reply", "classification": "A", "q": "答复", "assignment_id": world.lead.pk},
         [world.draft_reply.pk]),
        ("feedback", {"proposer_id": proposer.pk}, [world.public_feedback.pk]),
        ("feedback", {"proposer": proposer.name}, [world.public_feedback.pk]),
        ("feedback", {"agency": agency.name, "rating": "satisfied"}, [world.public_feedback.pk]),
        ("feedback", {"agency_id": cast.co_agency.pk}, []),
        ("feedback", {"session": key(session), "reply_id": world.public_reply.pk}, [world.public_feedback.pk]),
        ("contacts", {"agency_id": agency.pk}, [world.contact.pk]),
        ("contacts", {"agency": agency.name, "stage": "before", "form": "phone"}, [world.contact.pk]),
        ("contacts", {"agency": cast.co_agency.name}, []),
        ("events", {"proposal_id": world.draft.pk, "action": "create"}, list(
            world.draft.events.filter(action="create").values_list("pk", flat=True))),
        ("calendar-days", {"year": 2024, "kind": "workday", "date_before": "2024-04-30"}, list(
            CalendarDay.objects.filter(date__year=2024, kind="workday", date__lte=datetime.date(2024, 4, 30))
            .values_list("pk", flat=True))),
        ("committees", {"name": "测试", "level": "city"}, list(Committee.objects.values_list("pk", flat=True))),
    ]


@pytest.fixture(scope="module")
def cases(world):
    return _params(world)


@pytest.mark.django_db
@pytest.mark.parametrize("index", range(33))
def test_list_filters(world, cases, index):
    resource, params, expected = cases[index]
    staff = world.cast.staff
    assert set(ids(client_for(staff).get(f"/api/{resource}/", {"page_size": 1000, **params}))) == set(expected)


def test_every_case_is_run(world, cases):
    assert len(cases) == 33


@pytest.mark.django_db
@pytest.mark.parametrize("resource,params,field", [
    ("sessions", {"committee": "无此政协"}, "committee"),
    ("assignments", {"agency": "无此单位"}, "agency"),
    ("assignments", {"session": "a/b/c"}, "session"),
    ("replies", {"agency_id": "0"}, "agency_id"),
    ("feedback", {"proposer": "无此人"}, "proposer"),
    ("contacts", {"agency": "无此单位"}, "agency"),
    ("events", {"at_after": "昨天"}, "at_after"),
])
def test_bad_keys_are_a_400(world, resource, params, field):
    response = client_for(world.cast.staff).get(f"/api/{resource}/", params)
    assert response.status_code == 400 and field in response.json()


@pytest.mark.django_db
def test_staff_write_reference_data(world):
    staff, liaison = client_for(world.cast.staff), client_for(world.cast.liaison)
    data = {"name": "楚雄州政协", "level": "city", "region": "楚雄州", "reply_months": 2}
    assert liaison.post("/api/committees/", data, format="json").status_code == 403
    created = staff.post("/api/committees/", data, format="json")
    assert created.status_code == 201
    duplicate = staff.post("/api/committees/", data, format="json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()
    session = staff.post("/api/sessions/", {"committee": created.json()["id"], "term": 11, "number": 3},
                         format="json")
    assert session.status_code == 201
    assert session.json()["key"] == "楚雄州政协/11/3"
    assert session.json()["effective_rules"]["reply_months"] == 2  # inherited from the committee
    patched = staff.patch(f"/api/sessions/{session.json()['id']}/", {"reply_fixed_date": "2024-06-30"},
                          format="json")
    assert patched.status_code == 200 and patched.json()["reply_fixed_date"] == "2024-06-30"
    assert staff.delete(f"/api/committees/{created.json()['id']}/").status_code == 405


@pytest.mark.django_db
def test_renaming_an_agency_refreshes_the_search(world):
    staff = client_for(world.cast.staff)
    response = staff.patch(f"/api/agencies/{world.cast.agency.pk}/", {"name": "示范市教育局"}, format="json")
    assert response.status_code == 200
    assert world.public.pk in ids(staff.get("/api/proposals/", {"q": "示范市教育局"}))


@pytest.mark.django_db
def test_staff_maintain_the_holiday_calendar(world):
    staff = client_for(world.cast.staff)
    created = staff.post("/api/calendar-days/", {"date": "2031-10-01", "kind": "holiday", "name": "国庆节"},
                         format="json")
    assert created.status_code == 201 and created.json()["kind_label"] == "法定节假日"
    assert client_for(world.cast.proposer_user).delete(f"/api/calendar-days/{created.json()['id']}/").status_code \
        == 403
    assert staff.delete(f"/api/calendar-days/{created.json()['id']}/").status_code == 204
    bad = staff.post("/api/calendar-days/", {"date": "2031-13-01", "kind": "party"}, format="json")
    assert bad.status_code == 400 and {"date", "kind"} <= set(bad.json())


@pytest.mark.django_db
def test_proposer_writes_need_staff(world):
    response = client_for(world.cast.liaison).patch(f"/api/proposers/{world.cast.proposer.pk}/",
                                                    {"phone": "1"}, format="json")
    assert response.status_code == 403
