"""Two people taking conflicting steps at the same moment on SQLite, the default database: one of
them waits for the other's write to commit, then either goes on or is told the record changed;
when the wait runs out they are told the system is busy (503) with a Chinese message. Never a
500, never a half-written step.

SQLite locks the whole database file. Django opens DEFERRED transactions by default: a
transaction that read first and then writes must upgrade its lock, and SQLite refuses that at
once ("database is locked") rather than risk a deadlock. The settings ask for IMMEDIATE
transactions, which take the write lock when they begin and so can wait for it (``timeout``).

The test database is in memory, where connections share one cache and lock tables instead of
waiting; these tests copy it (schema, permissions, holiday calendar) into a file and give every
thread its own connection to that file, as separate server processes would have.
"""
import contextlib
import copy
import dataclasses
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from proposals import services
from proposals.models import Event, Proposal
from tests.factories import admin_cast, proposal_at

S = Proposal.Status
HOLD_SECONDS = 0.5  # how long the first writer keeps its transaction open
BUSY_MESSAGE = "系统正忙:其他用户正在保存修改,请稍后重试"

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's whole-database write lock")


class FileDatabase:
    """An SQLite file, reached with connections configured as the settings configure the default one."""

    def __init__(self, path: Path, settings_dict: dict):
        self.path = path
        self.settings_dict = settings_dict

    @contextlib.contextmanager
    def connected(self, *, timeout: float):
        """Make this thread's default connection one to the file, waiting up to ``timeout`` s for a lock."""
        settings_dict = copy.deepcopy(self.settings_dict)
        settings_dict["NAME"] = str(self.path)
        settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), "timeout": timeout}
        previous = connections["default"]
        connections["default"] = type(previous)(settings_dict, alias="default")
        try:
            yield
        finally:
            connections["default"].close()
            connections["default"] = previous


@pytest.fixture(scope="module")
def migrated_file(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    """The migrated test database copied into a file once, outside any test's transaction."""
    path = tmp_path_factory.mktemp("sqlite") / "migrated.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(path)) as target:
            connection.connection.backup(target)
    return path


@pytest.fixture
def database(db, migrated_file, tmp_path):
    """A fresh file copy per test; the test runs on it and leaves the test database untouched."""
    path = tmp_path / "tracker.sqlite3"
    shutil.copyfile(migrated_file, path)
    file_database = FileDatabase(path, connection.settings_dict)
    with file_database.connected(timeout=5):
        yield file_database


@dataclasses.dataclass
class Race:
    """What the second of two writers got, and how long it took."""

    response: object
    seconds: float


def while_another_writes(database, first_write, second_step, *, patience: float) -> Race:
    """``first_write`` runs in a transaction of one thread, kept open HOLD_SECONDS; meanwhile
    ``second_step`` runs in another thread, whose connection waits up to ``patience`` s for the lock."""
    holding, results = threading.Event(), {}

    def hold():
        with transaction.atomic():
            first_write()
            holding.set()
            time.sleep(HOLD_SECONDS)

    def step():
        started = time.monotonic()
        results["second"] = second_step()
        results["seconds"] = time.monotonic() - started

    def in_thread(call, timeout, key):
        def run():
            with database.connected(timeout=timeout):
                try:
                    call()
                except BaseException as exc:  # noqa: BLE001 - e.g. a 500 of the view, reported below
                    results[key] = exc

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    holder = in_thread(hold, 5, "first")
    assert holding.wait(5), results.get("first")
    stepper = in_thread(step, patience, "second")
    for thread in (holder, stepper):
        thread.join(10)
    assert not holder.is_alive() and not stepper.is_alive(), "a thread is stuck"
    assert "first" not in results, results.get("first")
    assert not isinstance(results["second"], BaseException), repr(results["second"])
    return Race(results["second"], results["seconds"])


@pytest.fixture
def cast(database):
    return admin_cast()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)  # before the race: a login writes the session
    return client


def file_in_the_admin(client, proposal):
    return lambda: client.post(reverse("admin:proposals_proposal_step", args=[proposal.pk, "file"]),
                               {"note": "符合立案标准"})


def file_through_the_api(client, proposal):
    return lambda: client.post(f"/api/proposals/{proposal.pk}/file/", {"note": "符合立案标准"}, format="json")


def reject(cast, proposal):
    return lambda: services.proposal_reject(actor=cast.staff, proposal=Proposal.objects.get(pk=proposal.pk),
                                            reason="不属于提案范围")


def review_actions(proposal) -> list[str]:
    return sorted(Event.objects.filter(proposal=proposal, action__in=["file", "reject"])
                  .values_list("action", flat=True))


# --- The settings -----------------------------------------------------------------------------------------

def test_the_settings_open_immediate_transactions_that_wait_for_the_lock():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert 5 <= options["timeout"] <= 60


def test_an_option_in_the_database_url_wins_over_the_defaults():
    code = ("import django; django.setup(); from django.conf import settings; "
            "o = settings.DATABASES['default']['OPTIONS']; print(o['timeout'], o['transaction_mode'])")
    env = {**os.environ, "DATABASE_URL": "sqlite:////tmp/tracker-settings-check.sqlite3?timeout=3",
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True)
    assert result.stdout.split() == ["3", "IMMEDIATE"], result.stderr


# --- Two writers ------------------------------------------------------------------------------------------

def test_a_stale_step_waits_for_the_other_write_and_is_refused_clearly(database, cast):
    """Staff file a proposal that a colleague is rejecting at that moment: the filing waits for the
    rejection to commit, then finds it and says so on the form."""
    proposal = proposal_at(cast, S.SUBMITTED)
    client = logged_in(cast.staff)

    race = while_another_writes(database, reject(cast, proposal), file_in_the_admin(client, proposal), patience=5)

    assert race.seconds >= HOLD_SECONDS * 0.8  # it waited for the lock …
    assert race.response.status_code == 400  # … and was refused by the state it then found
    page = race.response.content.decode()
    assert "当前状态“不予立案”不能变更为“已立案”" in page
    assert Proposal.objects.get(pk=proposal.pk).status == S.NOT_FILED
    assert review_actions(proposal) == ["reject"]


def test_a_step_that_does_not_conflict_waits_and_succeeds(database, cast):
    rejected, filed = proposal_at(cast, S.SUBMITTED), proposal_at(cast, S.SUBMITTED)
    client = logged_in(cast.staff)

    race = while_another_writes(database, reject(cast, rejected), file_in_the_admin(client, filed), patience=5)

    assert race.seconds >= HOLD_SECONDS * 0.8
    assert race.response.status_code == 302
    assert Proposal.objects.get(pk=filed.pk).status == S.FILED
    assert review_actions(filed) == ["file"] and review_actions(rejected) == ["reject"]


def test_when_the_wait_runs_out_the_admin_says_busy_and_writes_nothing(database, cast):
    proposal = proposal_at(cast, S.SUBMITTED)
    client = logged_in(cast.staff)

    race = while_another_writes(database, reject(cast, proposal), file_in_the_admin(client, proposal),
                                patience=0.1)

    assert race.response.status_code == 503
    page = race.response.content.decode()
    assert BUSY_MESSAGE in page and 'name="note"' in page  # on the form, ready to send again
    assert Proposal.objects.get(pk=proposal.pk).status == S.NOT_FILED
    assert review_actions(proposal) == ["reject"]


def test_when_the_wait_runs_out_the_api_answers_503_in_json(database, cast):
    proposal = proposal_at(cast, S.SUBMITTED)
    client = APIClient()
    client.force_authenticate(cast.staff)

    race = while_another_writes(database, reject(cast, proposal), file_through_the_api(client, proposal),
                                patience=0.1)

    assert race.response.status_code == 503
    assert race.response["Content-Type"] == "application/json"
    assert race.response.json() == {"detail": BUSY_MESSAGE, "code": "database_busy"}
    assert race.response["Retry-After"]
    assert Proposal.objects.get(pk=proposal.pk).status == S.NOT_FILED
    assert review_actions(proposal) == ["reject"]
