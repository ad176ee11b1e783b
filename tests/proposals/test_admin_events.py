"""The admin's event log renders each note for its reader (proposals.visibility): a proposer
reads that an objection's reason is withheld, not the reason; and cannot find it by searching."""
import pytest
from django.urls import reverse

from proposals.models import Assignment, Event
from tests.factories import admin_cast, assignment_at

pytestmark = pytest.mark.django_db
REASON = "本单位不负责此事项"


@pytest.fixture
def objected():
    cast = admin_cast()
    assignment = assignment_at(cast, Assignment.Status.OBJECTED)
    Event.objects.filter(assignment=assignment, action="object").update(note=REASON)
    return cast, Event.objects.get(assignment=assignment, action="object")


@pytest.mark.parametrize("role, sees", [("staff", True), ("liaison", True), ("proposer", False),
                                        ("co_liaison", False)])
def test_the_event_log_withholds_the_reason(client, objected, role, sees):
    cast, event = objected
    client.force_login(cast.actor(role))
    listing = client.get(reverse("admin:proposals_event_changelist"))
    page = client.get(reverse("admin:proposals_event_change", args=[event.pk]))
    assert listing.status_code == 200
    if role == "co_liaison":  # not assigned to the proposal: the event is not its to see
        assert page.status_code == 302 or REASON not in page.content.decode()
    else:
        assert page.status_code == 200
    for response in (listing, page):
        assert (REASON in response.content.decode()) is sees
    if not sees and page.status_code == 200:
        assert "理由仅提案委员会和该承办单位可见" in page.content.decode()


def test_searching_the_notes_is_for_staff_only(client, objected):
    cast, event = objected
    url = reverse("admin:proposals_event_changelist")
    client.force_login(cast.actor("proposer"))
    assert event.pk not in {e.pk for e in client.get(url, {"q": REASON}).context["cl"].result_list}
    client.force_login(cast.actor("staff"))
    assert event.pk in {e.pk for e in client.get(url, {"q": REASON}).context["cl"].result_list}
