"""Serving in production (issue 13): the health endpoint a load balancer asks, and several app
servers on one PostgreSQL. The app servers are real gunicorn processes started with the project's
own configuration (config/gunicorn_conf.py, as `make serve` starts them) on loopback ports."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from proposals.models import Event, Proposal
from tests.factories import make_cast, proposal_at
from tests.proposals.test_concurrency import race

BASE = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
P = Proposal.Status


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, path: str, *, method="GET", token=None, headers=None, body=None, timeout=30):
    """(status, headers, parsed JSON body) of one HTTP request to 127.0.0.1:port."""
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Token {token}")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


class AppServer:
    """gunicorn with config/gunicorn_conf.py and production settings (DEBUG off) on a free port."""

    def __init__(self, database_url: str, log: Path):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SECRET_KEY": "app-server-test-" + "x" * 40,
               "DJANGO_DEBUG": "false", "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_STATIC_MANIFEST": "0",
               "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": "2", "GUNICORN_ACCESS_LOG": "",
               "GUNICORN_LOG_LEVEL": "warning"}
        env.pop("PYTEST_CURRENT_TEST", None)
        self.log = log
        self.process = subprocess.Popen([str(GUNICORN), "-c", "config/gunicorn_conf.py", "config.wsgi"],
                                        cwd=BASE, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)

    def wait(self, seconds=60) -> "AppServer":
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError(f"gunicorn did not start on port {self.port}:\n{self.log.read_text()[-3000:]}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- the health endpoint ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_health_answers_ok_with_one_query_and_nothing_kept(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert client.head("/health/").status_code == 200
    assert client.post("/health/").status_code == 405


def test_a_server_whose_database_does_not_answer_is_reported_unavailable(tmp_path):
    """A real app server pointed at a PostgreSQL port where nothing listens: 503 with a JSON body
    that says so and no detail of the error, so that a load balancer takes it out of rotation."""
    server = AppServer(f"postgres://postgres@127.0.0.1:{free_port()}/nothing", tmp_path / "gunicorn.log").wait()
    try:
        status, headers, body = request(server.port, "/health/")
    finally:
        server.stop()
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert body == {"status": "unavailable", "database": "error"}


# --- two app servers, one PostgreSQL --------------------------------------------------------------------

@pytest.fixture
def two_servers(tmp_path, transactional_db):
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
           f"/{settings['NAME']}")
    servers = [AppServer(url, tmp_path / f"gunicorn-{n}.log") for n in (1, 2)]
    try:
        yield [server.wait() for server in servers]
    finally:
        for server in servers:
            server.stop()


def at_once(*calls):
    """Each call in its own thread, released together (tests.proposals.test_concurrency.race);
    their results in order."""
    results = race(*calls)
    assert all(kind == "ok" for kind, _ in results), results
    return [value for _, value in results]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="several app servers share a PostgreSQL server (DATABASE_URL=postgres://…)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_conflicting_step_sent_to_two_app_servers_has_one_winner(two_servers):
    cast = make_cast()
    token = Token.objects.create(user=cast.staff).key
    first, second = two_servers
    for server in two_servers:
        assert request(server.port, "/health/")[0] == 200

    # The same step on both servers at the same moment: filed once, the other refused, one event.
    submitted = proposal_at(cast, P.SUBMITTED)
    path = f"/api/proposals/{submitted.pk}/file/"
    answers = at_once(*[lambda s=s: request(s.port, path, method="POST", token=token, body={})
                        for s in (first, second)])
    statuses = sorted(status for status, _h, _b in answers)
    assert statuses[0] == 200 and statuses[1] in (400, 409), answers
    assert Proposal.objects.get(pk=submitted.pk).status == P.FILED
    assert Event.objects.filter(proposal=submitted, action="file").count() == 1

    # A step that changes no status, sent to both with the ETag both read: one 200, one 409.
    filed = proposal_at(cast, P.FILED)
    detail = f"/api/proposals/{filed.pk}/"
    etags = {request(s.port, detail, token=token)[1]["ETag"] for s in two_servers}
    assert len(etags) == 1
    etag = etags.pop()
    answers = at_once(*[lambda s=s, n=n: request(s.port, detail + "mark-key/", method="POST", token=token,
                                                 headers={"If-Match": etag},
                                                 body={"is_key": True, "leader": f"领导{n}"})
                        for n, s in enumerate((first, second))])
    assert sorted((status, (body or {}).get("code")) for status, _h, body in answers) == [
        (200, None), (409, "concurrent_change")], answers
    assert Event.objects.filter(proposal=filed, action="mark_key").count() == 1
