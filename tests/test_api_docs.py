"""The OpenAPI schema validates without warnings and describes every action, filter and
error; Swagger UI and ReDoc are served from local static files; tokens authenticate scripts
and are issued and revoked by staff in the admin."""
import pytest
import yaml
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from proposals.models import Proposal
from tests.api_support import client_for
from tests.factories import make_cast, proposal_at

ACTIONS = {
    "/api/proposals/{id}/": ["submit", "withdraw", "file", "reject", "convert", "merge", "assign", "mark-key",
                             "supervise", "close"],
    "/api/assignments/{id}/": ["acknowledge", "object", "decide-objection", "extend"],
    "/api/replies/{id}/": ["submit", "publish"],
}
PROPOSAL_FILTERS = {"q", "status", "committee_id", "committee", "session_id", "session", "agency_id", "agency",
                    "role", "proposer_id", "proposer", "is_key", "overdue", "due_before", "due_after",
                    "submitted_after", "submitted_before", "classification", "topic", "ordering", "page",
                    "page_size", "pagination", "cursor", "format"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_schema_describes_every_action_with_its_errors(schema):
    for base, actions in ACTIONS.items():
        for action in actions:
            operation = schema["paths"][f"{base}{action}/"]["post"]
            assert {"200", "400", "401", "403", "404", "409"} <= set(operation["responses"]), (base, action)
            assert any(p["name"] == "If-Match" for p in operation["parameters"])


def test_schema_describes_every_filter(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/proposals/"]["get"]["parameters"]}
    assert PROPOSAL_FILTERS <= parameters
    stats = {p["name"] for p in schema["paths"]["/api/stats/"]["get"]["parameters"]}
    assert {"group_by", "committee", "session", "agency"} <= stats


def test_schema_routes_are_kebab_case_plurals(schema):
    roots = {path.split("/")[2] for path in schema["paths"] if path.startswith("/api/") and path != "/api/schema/"}
    assert roots >= {"committees", "sessions", "proposers", "agencies", "proposals", "assignments", "replies",
                     "feedback", "contacts", "events", "reference-documents", "calendar-days", "stats"}
    assert all(r == r.lower() and "_" not in r for r in roots)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/swagger/", "/api/schema/redoc/"])
def test_documentation_pages_need_no_outside_network(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar" in html or "/static/" in html
    assert "cdn.jsdelivr" not in html and "unpkg" not in html


@pytest.mark.django_db
def test_schema_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/proposals/{id}/file/" in response.json()["paths"]


@pytest.mark.django_db
def test_token_authenticates_a_script():
    cast = make_cast()
    proposal = proposal_at(cast, Proposal.Status.ASSIGNED)
    lead = proposal.assignments.get(role="lead")
    token = Token.objects.create(user=cast.liaison)
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post(f"/api/assignments/{lead.pk}/acknowledge/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    refused = client.get("/api/proposals/")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"
    assert refused["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_a_session_login_writes_and_an_anonymous_session_is_asked_to_authenticate(client):
    """The browsable API: a logged-in session acts (no token); without a login a write is a 401."""
    cast = make_cast()
    proposal = proposal_at(cast, Proposal.Status.SUBMITTED)
    assert client.post(f"/api/proposals/{proposal.pk}/file/").status_code == 401
    client.force_login(cast.staff)
    assert client.post(f"/api/proposals/{proposal.pk}/file/").status_code == 200


@pytest.mark.django_db
def test_staff_issue_and_revoke_tokens_in_the_admin(client):
    from django.contrib.auth.models import Group

    from replies.demo import ensure_groups
    from proposals.roles import STAFF_GROUP
    from tests.factories import UserFactory

    ensure_groups()
    staff = UserFactory(username="tokenstaff", is_staff=True)
    staff.groups.add(Group.objects.get(name=STAFF_GROUP))
    script_user = UserFactory(username="statsbureau", is_staff=False)
    client.force_login(staff)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 200
    response = client.post("/admin/authtoken/tokenproxy/add/", {"user": script_user.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Token.objects.filter(user=script_user).exists()
    response = client.post(f"/admin/authtoken/tokenproxy/{script_user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=script_user).exists()
