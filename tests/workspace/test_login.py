"""/my/login/ and /my/logout/: Django's views with the workspace's template; django-axes still
locks a username after the configured number of wrong passwords (issue 9)."""
import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"
LOGIN = "/my/login/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def member_user(cast):
    user = cast.proposer_user
    user.set_password(PASSWORD)
    user.save()
    return user


def post_login(client, username, password, next_url=""):
    return client.post(LOGIN, {"username": username, "password": password, "next": next_url})


def test_the_login_page_has_labelled_fields_and_a_csrf_token(db):
    response = Client().get(LOGIN)
    text = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in text and '<label for="id_password">' in text
    assert 'autocomplete="current-password"' in text
    assert "csrfmiddlewaretoken" in text
    assert "<h1>委员登录</h1>" in text


def test_a_member_logs_in_and_lands_on_my_proposals(member_user):
    client = Client()
    response = post_login(client, member_user.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("workspace:proposals")
    assert client.get(response["Location"]).status_code == 200


def test_the_login_returns_to_the_page_asked_for(member_user):
    client = Client()
    wanted = reverse("workspace:invitations")
    asked = client.get(wanted)
    assert asked["Location"] == f"{LOGIN}?next={wanted}"
    response = post_login(client, member_user.username, PASSWORD, next_url=wanted)
    assert response["Location"] == wanted


def test_a_login_to_another_site_is_not_followed(member_user):
    response = post_login(Client(), member_user.username, PASSWORD, next_url="https://evil.example/")
    assert response["Location"] == reverse("workspace:proposals")


def test_a_wrong_password_is_an_error_on_the_form(member_user):
    response = post_login(Client(), member_user.username, "wrong")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_sixth_wrong_password_locks_the_username_even_against_the_right_one(member_user, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, member_user.username, "wrong").status_code == 200
    assert post_login(client, member_user.username, "wrong").status_code == 429
    locked = post_login(Client(), member_user.username, PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_counts_attempts_on_every_login_page(member_user, settings):
    """One count per username: wrong passwords on the admin's login count here too."""
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": member_user.username, "password": "wrong"})
    assert post_login(Client(), member_user.username, PASSWORD).status_code == 429


def test_a_logged_in_member_is_sent_on_from_the_login_page(member_user):
    client = Client()
    client.force_login(member_user)
    assert client.get(LOGIN)["Location"] == reverse("workspace:proposals")


def test_logout_is_a_post_and_ends_the_session(member_user):
    client = Client()
    client.force_login(member_user)
    response = client.post(reverse("workspace:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.get(reverse("workspace:proposals")).status_code == 302


def test_a_staff_user_who_logs_in_here_gets_the_explanation(db):
    user = UserFactory(username="clerk")
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    post_login(client, "clerk", PASSWORD)
    assert client.get(reverse("workspace:proposals")).status_code == 403
