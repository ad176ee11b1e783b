"""Export jobs (issue 9): a list past the synchronous export's cap is asked for at
/api/export-jobs/, written by `manage.py run_export_jobs` through the list's own ViewSet for the
job's caller, and downloaded when ready — the same rows and columns as the synchronous export with
the same filters, for that caller only; other callers' jobs are 404; a job is claimed by one runner."""
from __future__ import annotations

import csv
import datetime
import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from proposals import exports
from proposals.api import export as export_module
from proposals.models import ExportJob
from tests.api_support import build_world, bulk_proposals, client_for
from tests.proposals.test_concurrency import _leave_the_database_as_found, race  # noqa: F401 (module fixture)

pytestmark = pytest.mark.django_db
S = ExportJob.Status
JOBS = "/api/export-jobs/"


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


@pytest.fixture
def world():
    return build_world()


def ask(user, resource="proposals", fmt="csv", query="", **extra):
    return client_for(user).post(JOBS, {"resource": resource, "format": fmt, "query": query}, format="json", **extra)


def asked(user, **kwargs) -> dict:
    response = ask(user, **kwargs)
    assert response.status_code == 202, response.content
    return response.json()


def run_jobs():
    out, err = io.StringIO(), io.StringIO()
    call_command("run_export_jobs", stdout=out, stderr=err)
    return out.getvalue()


def csv_of(response) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def sync_csv(user, resource="proposals", **params):
    response = client_for(user).get(f"/api/{resource}/", {"format": "csv", **params})
    assert response.status_code == 200, response.content
    return csv_of(response)


def download(user, job: dict):
    return client_for(user).get(f"{JOBS}{job['id']}/download/")


# --- The round trip --------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["staff", "liaison", "proposer", "anonymous"])
def test_a_job_yields_the_rows_of_the_synchronous_export_for_its_caller(world, role):
    user = world.user(role)
    job = asked(user)
    assert job["status"] == "queued" and job["status_label"] == "排队中" and job["download"] is None
    assert job["resource"] == "proposals" and job["format"] == "csv" and job["rows"] is None
    assert job["url"] == f"{JOBS}{job['id']}/"

    assert "完成 1 个" in run_jobs()
    done = client_for(user).get(job["url"]).json()
    assert done["status"] == "done" and done["status_label"] == "已完成"
    assert done["download"] == f"{JOBS}{job['id']}/download/" and done["expires_at"]

    response = client_for(user).get(done["download"], HTTP_ACCEPT="text/csv")  # a file, whatever is accepted
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="proposals-')
    rows = csv_of(response)
    assert rows == sync_csv(user)
    assert done["rows"] == len(rows) - 1


def test_each_caller_gets_only_what_it_sees(world):
    staff_job, public_job = asked(world.cast.staff), asked(None)
    run_jobs()
    staff_rows = csv_of(download(world.cast.staff, staff_job))[1:]
    public_rows = csv_of(download(None, public_job))[1:]
    assert len(staff_rows) == 5
    assert [row[0] for row in public_rows] == [str(world.public.pk)]


def test_filters_are_the_lists_own(world):
    job = asked(world.cast.staff, resource="assignments", query=f"?format=xlsx&proposal_id={world.assigned.pk}")
    assert job["resource"] == "assignments" and job["query"] == f"proposal_id={world.assigned.pk}"
    run_jobs()
    rows = csv_of(download(world.cast.staff, job))
    assert rows == sync_csv(world.cast.staff, "assignments", proposal_id=world.assigned.pk)
    assert len(rows) == 3  # the headers, the lead and the co-handler


@pytest.mark.parametrize("resource", ["replies", "feedback", "events", "contacts", "committees", "extension-requests"])
def test_lists_of_every_app_are_exportable(world, resource):
    """Including the replies app's lists, which proposals knows only through the registry."""
    job = asked(world.cast.staff, resource=resource)
    run_jobs()
    assert csv_of(download(world.cast.staff, job)) == sync_csv(world.cast.staff, resource)


def test_xlsx_job(world):
    job = asked(world.cast.staff, fmt="xlsx")
    run_jobs()
    response = download(world.cast.staff, job)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert values[0][:4] == ("ID", "会议", "提案号", "案由") and len(values) == 6


def test_the_job_speaks_the_language_it_was_asked_in(world):
    job = asked(world.cast.staff, HTTP_ACCEPT_LANGUAGE="en")
    run_jobs()
    headers = csv_of(download(world.cast.staff, job))[0]
    english = csv_of(client_for(world.cast.staff).get("/api/proposals/", {"format": "csv"},
                                                      HTTP_ACCEPT_LANGUAGE="en"))[0]
    assert headers == english and headers != sync_csv(world.cast.staff)[0]


def test_past_the_synchronous_cap_the_answer_points_at_the_job_route(settings):
    settings.EXPORT_MAX_ROWS = {"anonymous": 2, "user": 2, "staff": 2}
    cast = bulk_proposals(3)
    refused = client_for(None).get("/api/proposals/", {"format": "csv", "q": "项"})
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "export_too_large" and body["job"] == JOBS and JOBS in body["detail"]

    job = asked(None, query="q=项")
    run_jobs()
    assert len(csv_of(download(None, job))) == 4
    assert len(csv_of(download(cast.staff, job))) == 4  # staff may fetch any job


# --- Who sees a job ----------------------------------------------------------------------------------

def test_a_job_is_seen_by_its_caller_and_staff_only(world):
    cast = world.cast
    mine = asked(cast.liaison)
    anonymous = asked(None)
    run_jobs()
    for path in (mine["url"], mine["url"] + "download/"):
        assert client_for(cast.liaison).get(path).status_code == 200
        assert client_for(cast.staff).get(path).status_code == 200
        assert client_for(cast.plain).get(path).status_code == 404
        assert client_for(None).get(path).status_code == 404
    assert client_for(None).get(anonymous["url"]).status_code == 200
    assert client_for(cast.liaison).get(anonymous["url"]).status_code == 404
    assert client_for(None).get(f"{JOBS}{uuid.uuid4()}/").status_code == 404
    assert client_for(None).get(f"{JOBS}not-a-uuid/").status_code == 404


def test_the_list_shows_ones_own_jobs_and_needs_a_login(world):
    cast = world.cast
    mine = asked(cast.liaison)
    asked(cast.staff)
    asked(None)
    listed = client_for(cast.liaison).get(JOBS)
    assert listed.status_code == 200
    assert [job["id"] for job in listed.json()["results"]] == [mine["id"]]
    staff_listed = client_for(cast.staff).get(JOBS).json()["results"]
    assert len(staff_listed) == 1 and staff_listed[0]["id"] != mine["id"]  # staff list their own too
    refused = client_for(None).get(JOBS)
    assert refused.status_code == 401 and refused.json()["code"] == "not_authenticated"


# --- Not ready, failed, expired -----------------------------------------------------------------------

def test_a_job_not_yet_run_is_not_ready(world):
    job = asked(world.cast.staff)
    response = client_for(world.cast.staff).get(f"{JOBS}{job['id']}/download/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 409 and response.json()["code"] == "export_not_ready"  # errors stay JSON
    assert response["Retry-After"]
    ExportJob.objects.filter(pk=job["id"]).update(status=S.RUNNING, started_at=timezone.now())
    assert download(world.cast.staff, job).json()["code"] == "export_not_ready"


def test_an_expired_job_is_gone(world, export_root):
    job = asked(world.cast.staff)
    run_jobs()
    stored = ExportJob.objects.get(pk=job["id"])
    assert (export_root / stored.file).is_file()
    ExportJob.objects.filter(pk=stored.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = download(world.cast.staff, job)
    assert response.status_code == 410 and response.json()["code"] == "export_expired"
    assert client_for(world.cast.staff).get(job["url"]).json()["download"] is None

    assert "删除过期文件 1 个" in run_jobs()
    assert not (export_root / stored.file).exists()
    assert ExportJob.objects.get(pk=stored.pk).file == ""
    assert download(world.cast.staff, job).status_code == 410
    ExportJob.objects.filter(pk=stored.pk).update(expires_at=timezone.now() - exports.FORGET_AFTER * 2)
    run_jobs()
    assert not ExportJob.objects.filter(pk=stored.pk).exists()


def test_files_no_job_names_are_swept(world, export_root, settings):
    export_root.mkdir(parents=True)
    orphan = export_root / f"{uuid.uuid4()}.csv.part"
    orphan.write_text("half a file")
    run_jobs()
    assert orphan.exists()  # it may be a runner's file still being written
    settings.EXPORT_JOB_TIMEOUT_MINUTES = 0
    run_jobs()
    assert not orphan.exists()


# --- Refused at once ----------------------------------------------------------------------------------

def test_a_bad_filter_is_refused_when_the_job_is_asked_for(world):
    refused = ask(world.cast.staff, query="status=lost")
    assert refused.status_code == 400 and "status" in refused.json()
    assert refused.json() == client_for(world.cast.staff).get("/api/proposals/", {"status": "lost"}).json()
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("body, field", [
    ({"resource": "stats", "format": "csv"}, "resource"),  # not a list
    ({"resource": "export-jobs", "format": "csv"}, "resource"),
    ({"resource": "../proposals", "format": "csv"}, "resource"),
    ({"resource": "proposals", "format": "pdf"}, "format"),
    ({"resource": "proposals"}, "format"),
    ({"resource": "proposals", "format": "csv", "query": "q=" + "x" * 5000}, "query"),
])
def test_bad_requests_name_the_field(world, body, field):
    refused = client_for(world.cast.staff).post(JOBS, body, format="json")
    assert refused.status_code == 400 and field in refused.json()


def test_a_job_past_the_job_row_cap_is_refused(settings):
    settings.EXPORT_JOB_MAX_ROWS = 2
    cast = bulk_proposals(3)
    refused = ask(cast.staff)
    assert refused.status_code == 400 and refused.json()["code"] == "export_too_large"
    assert ask(cast.staff, query="q=第1项").status_code == 202


def test_unfinished_jobs_per_caller_are_limited(world, settings):
    settings.EXPORT_JOB_MAX_PENDING = 2
    cast = world.cast
    asked(cast.staff)
    asked(cast.staff)
    refused = ask(cast.staff)
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_export_jobs"
    asked(cast.liaison)  # another user's count
    asked(None, REMOTE_ADDR="203.0.113.7")
    asked(None, REMOTE_ADDR="203.0.113.7")
    assert ask(None, REMOTE_ADDR="203.0.113.7").status_code == 429
    asked(None, REMOTE_ADDR="198.51.100.2")  # another address's count
    run_jobs()
    asked(cast.staff)  # finished jobs no longer count


def test_asking_for_jobs_counts_against_the_export_rate(world, settings):
    framework = dict(settings.REST_FRAMEWORK)
    framework["DEFAULT_THROTTLE_RATES"] = {**framework["DEFAULT_THROTTLE_RATES"], "export": "2/minute"}
    settings.REST_FRAMEWORK = framework
    client = client_for(world.cast.staff)
    assert client.get("/api/proposals/", {"format": "csv"}).status_code == 200
    assert ask(world.cast.staff).status_code == 202
    refused = ask(world.cast.staff)
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert client.get(JOBS).status_code == 200  # following one's jobs is not an export


# --- The runner ---------------------------------------------------------------------------------------

def test_a_failed_job_is_marked_and_the_runner_exits_non_zero(world, export_root):
    broken = ExportJob.objects.create(user=world.cast.staff, resource="proposal", format="csv",
                                      query="status=lost", language="zh-hans")
    good = asked(world.cast.staff)
    with pytest.raises(CommandError, match="1 个导出任务失败"):
        run_jobs()
    broken.refresh_from_db()
    assert broken.status == S.FAILED and broken.finished_at and broken.file == ""
    assert "内部错误" in broken.error  # the reason shown; the traceback went to the log
    assert ExportJob.objects.get(pk=good["id"]).status == S.DONE  # the runner went on
    assert sorted(path.name for path in export_root.iterdir()) == [f"{good['id']}.csv"]
    response = client_for(world.cast.staff).get(f"{JOBS}{broken.pk}/download/")
    assert response.status_code == 409 and response.json()["code"] == "export_failed"


def test_a_job_of_a_disabled_account_fails_with_its_reason(world):
    job = asked(world.cast.liaison)
    type(world.cast.liaison).objects.filter(pk=world.cast.liaison.pk).update(is_active=False)
    with pytest.raises(CommandError):
        run_jobs()
    assert ExportJob.objects.get(pk=job["id"]).error == "申请导出的账号已停用"


def test_a_job_past_the_row_cap_at_run_time_fails(world, settings):
    job = asked(world.cast.staff)
    settings.EXPORT_JOB_MAX_ROWS = 2
    with pytest.raises(CommandError):
        run_jobs()
    stored = ExportJob.objects.get(pk=job["id"])
    assert stored.status == S.FAILED and "2 行" in stored.error and not stored.file


def test_a_job_is_claimed_once(world):
    job = asked(world.cast.staff)
    first = exports.export_job_claim(job["id"])
    assert first is not None and first.status == S.RUNNING and first.started_at
    assert exports.export_job_claim(job["id"]) is None
    assert exports.next_job() is None  # nothing else queued
    assert "完成 0 个" in run_jobs()  # the claimed job is not run a second time
    assert exports.export_job_run(first)
    assert ExportJob.objects.get(pk=job["id"]).status == S.DONE


def test_a_job_running_too_long_is_failed_and_its_late_result_dropped(world, export_root):
    job = asked(world.cast.staff)
    claimed = exports.export_job_claim(job["id"])
    ExportJob.objects.filter(pk=claimed.pk).update(started_at=timezone.now() - datetime.timedelta(hours=2))
    claimed.refresh_from_db()
    with pytest.raises(CommandError):
        run_jobs()
    stored = ExportJob.objects.get(pk=claimed.pk)
    assert stored.status == S.FAILED and "超时" in stored.error
    assert not exports.export_job_run(claimed)  # the stale runner finishes after all: its file is dropped
    assert ExportJob.objects.get(pk=claimed.pk).status == S.FAILED
    assert not any(export_root.iterdir())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # each pass starts on a fresh connection
def test_the_worker_loop_runs_passes(world, monkeypatch):
    job = asked(world.cast.staff)
    from proposals.management.commands import run_export_jobs

    def stop(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_export_jobs.time, "sleep", stop)
    out = io.StringIO()
    call_command("run_export_jobs", "--loop", "--interval", "1", stdout=out)
    assert ExportJob.objects.get(pk=job["id"]).status == S.DONE
    assert "已停止" in out.getvalue()


def test_long_xlsx_exports_continue_on_further_sheets(monkeypatch):
    monkeypatch.setattr(export_module, "SHEET_ROWS", 3)
    buffer = io.BytesIO()
    export_module.write_xlsx(buffer, ["a", "b"], ([i, str(i)] for i in range(5)), title="proposals")
    book = load_workbook(buffer)
    assert book.sheetnames == ["proposals", "proposals (2)", "proposals (3)"]
    assert [list(sheet.values) for sheet in book.worksheets] == [
        [("a", "b"), (0, "0"), (1, "1")], [("a", "b"), (2, "2"), (3, "3")], [("a", "b"), (4, "4")]]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs concurrent PostgreSQL connections (DATABASE_URL=postgres://…)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_runners_run_each_job_once():
    cast = bulk_proposals(3)
    ids = [asked(cast.staff)["id"] for _ in range(3)]
    claims = race(*[lambda: exports.export_job_claim(ids[0]) for _ in range(8)])
    assert sum(1 for kind, job in claims if kind == "ok" and job is not None) == 1, claims
    results = race(*[exports.export_jobs_run_pending for _ in range(4)])
    assert all(kind == "ok" for kind, _ in results), results
    assert sum(summary.done for _, summary in results) == 2  # the first job was claimed above
    assert set(ExportJob.objects.filter(pk__in=ids[1:]).values_list("status", flat=True)) == {S.DONE}
