"""The visibility matrix: role × resource × list/detail/action.

Reading: a role either finds the object in the list and gets its detail (200), or finds it in
neither and gets 404, exactly as for an id that does not exist. Doing: 200 for who may,
401 for anonymous writers (log in first), 403 for who may see but not do, 404 for who may
not see.
Fields: contact details and internal notes reach the staff only.
"""
import pytest
from django.db import transaction

from tests.api_support import ROLES, build_world, client_for, ids

ALL = set(ROLES)
STAFF_AND_OWNER = {"staff", "proposer"}

# (resource, world attribute, roles that see it)
READ_MATRIX = [
    ("proposals", "draft", STAFF_AND_OWNER),
    ("proposals", "submitted", STAFF_AND_OWNER),
    ("proposals", "assigned", {"staff", "proposer", "liaison", "co_liaison"}),
    ("proposals", "public", ALL),
    ("proposals", "private", {"staff", "proposer", "liaison"}),
    ("assignments", "lead", {"staff", "proposer", "liaison", "co_liaison"}),
    ("assignments", "co", {"staff", "proposer", "liaison", "co_liaison"}),
    ("replies", "draft_reply", {"staff", "liaison"}),
    ("replies", "public_reply", ALL),
    ("replies", "private_reply", {"staff", "proposer", "liaison"}),
    ("contacts", "contact", {"staff", "proposer", "liaison"}),
    ("proposers", "proposer", ALL),
    ("proposers", "other_proposer", {"staff"}),
    ("events", "assigned_event", {"staff", "proposer", "liaison", "co_liaison"}),
    ("events", "public_event", {"staff", "proposer", "liaison"}),
    ("feedback", "public_feedback", {"staff", "proposer", "liaison"}),
]

# (method path, world attribute, {role: status}); roles not named get 404 (they cannot see it).
# An anonymous caller is asked to authenticate (401) before anything is looked up.
ACTION_MATRIX = [
    ("proposals/{id}/file/", "submitted", {"staff": 200, "proposer": 403, "anonymous": 401}),
    ("proposals/{id}/submit/", "draft", {"staff": 200, "proposer": 200, "anonymous": 401}),
    ("proposals/{id}/withdraw/", "assigned", {"staff": 200, "proposer": 200, "liaison": 403, "co_liaison": 403,
                                              "anonymous": 401}),
    ("assignments/{id}/acknowledge/", "co", {"staff": 200, "co_liaison": 200, "liaison": 403, "proposer": 403,
                                             "anonymous": 401}),
    ("assignments/{id}/extend/", "lead", {"staff": 200, "liaison": 403, "co_liaison": 403, "proposer": 403,
                                          "anonymous": 401}),
    ("replies/{id}/submit/", "draft_reply", {"staff": 200, "liaison": 200, "anonymous": 401}),
    ("replies/{id}/publish/", "private_reply", {"staff": 400, "liaison": 403, "proposer": 403, "anonymous": 401}),
]
ACTION_BODIES = {"assignments/{id}/extend/": {"new_due_on": "2024-07-01", "reason": "情况复杂"}}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; every
    test runs in its own nested transaction on top of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        from proposals.models import Event

        built.proposer = built.cast.proposer
        built.other_proposer = built.cast.other_proposer
        built.assigned_event = Event.objects.filter(proposal=built.assigned).first()
        built.public_event = Event.objects.filter(proposal=built.public).first()
        yield built
        transaction.set_rollback(True)


def _cases(matrix):
    for resource, attribute, allowed in matrix:
        for role in ROLES:
            yield pytest.param(resource, attribute, role, role in allowed, id=f"{resource}-{attribute}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize("resource,attribute,role,visible", list(_cases(READ_MATRIX)))
def test_read_matrix(world, resource, attribute, role, visible):
    client = client_for(world.user(role))
    obj = getattr(world, attribute)
    listed = obj.pk in ids(client.get(f"/api/{resource}/", {"page_size": 1000}))
    detail = client.get(f"/api/{resource}/{obj.pk}/")
    assert listed is visible
    assert detail.status_code == (200 if visible else 404)
    if not visible:
        missing = client.get(f"/api/{resource}/999999/")
        assert detail.json() == missing.json(), "a hidden object must look exactly like a missing one"


def _action_cases():
    for path, attribute, codes in ACTION_MATRIX:
        for role in ROLES:
            yield pytest.param(path, attribute, role, codes.get(role, 404), id=f"{path.split('/')[0]}-"
                               f"{path.split('/')[2]}-{attribute}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize("path,attribute,role,expected", list(_action_cases()))
def test_action_matrix(world, path, attribute, role, expected):
    obj = getattr(world, attribute)
    before = type(obj).objects.get(pk=obj.pk).status
    response = client_for(world.user(role)).post("/api/" + path.format(id=obj.pk), ACTION_BODIES.get(path, {}),
                                                  format="json")
    assert response.status_code == expected, response.content
    if expected == 401:
        assert response["WWW-Authenticate"] == "Token"
        assert response.json()["code"] == "not_authenticated"
    after = type(obj).objects.get(pk=obj.pk)
    if expected != 200:
        assert after.status == before, "a refused step changes nothing"
    elif path.endswith("extend/"):
        assert str(after.due_on) == "2024-07-01"
    else:
        assert after.status != before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_contact_details_only_for_staff(world, role):
    body = client_for(world.user(role)).get(f"/api/proposers/{world.proposer.pk}/").json()
    assert ("phone" in body, "email" in body) == ((role == "staff",) * 2)
    listed = client_for(world.user(role)).get("/api/proposers/", {"page_size": 1000}).json()["results"]
    assert all(("phone" in row) == (role == "staff") for row in listed)
    assert ("13800000000" in str(client_for(world.user(role)).get(
        f"/api/proposals/{world.public.pk}/").content.decode())) is False


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "liaison"])
def test_internal_note_only_for_staff(world, role):
    body = client_for(world.user(role)).get(f"/api/replies/{world.draft_reply.pk}/").json()
    assert ("internal_note" in body) is (role == "staff")
    listed = client_for(world.user(role)).get("/api/replies/", {"format": "csv"})
    assert "领导批示" not in b"".join(listed.streaming_content).decode("utf-8-sig")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "plain", "other_proposer"])
def test_public_readers_see_only_published_replies(world, role):
    client = client_for(world.user(role))
    assert ids(client.get("/api/replies/")) == [world.public_reply.pk]
    assert ids(client.get("/api/proposals/")) == [world.public.pk]
    assert client.get("/api/events/").json()["count"] == 0
    assert client.get("/api/feedback/").json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role,sees_objection", [("staff", True), ("liaison", True), ("proposer", False),
                                                 ("anonymous", False)])
def test_objection_details_for_handlers_only(world, role, sees_objection):
    body = client_for(world.user(role)).get(f"/api/assignments/{world.public_reply.assignment_id}/").json()
    assert ("objection_reason" in body) is sees_objection
    assert "due_explanation" in body and body["due_explanation"]["due"]["text"]
