"""manage.py import_corpus: the report, unreadable files, dry runs, and the committed fixtures."""
import hashlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command

from proposals.models import Agency, AgencyAlias, Assignment, Committee, Event, Proposal, Proposer, Session
from proposals.selectors import visible_proposals
from replies.letters import REPORT_KEYS
from replies.models import ReferenceDocument, Reply, SourceDocument

BASE = Path(settings.BASE_DIR)
CORPUS = BASE / "fixtures" / "corpus"
FIXTURE = BASE / "fixtures" / "corpus.json"
MODELS = (Committee, Session, Proposer, Agency, AgencyAlias, Proposal, Assignment, Reply, Event, SourceDocument,
          ReferenceDocument)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_corpus", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args, returncode: int):
    """The output of an import that ends with the CommandError of exit status ``returncode``."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_corpus", *map(str, args), stdout=out, stderr=err)
    assert raised.value.returncode == returncode, raised.value
    return out.getvalue(), err.getvalue()


@pytest.fixture
def mixed_dir(tmp_path):
    """The corpus plus an empty file, a binary file and a GB18030 HTML page of a letter."""
    folder = tmp_path / "letters"
    shutil.copytree(CORPUS, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "scan.txt").write_bytes(b"%PDF-1.4\n\x00\x01\x02binary")
    text = (CORPUS / "000_0e82f41fc8321ae9.txt").read_text(encoding="utf-8").replace("第55号", "第56号")
    page = "<html><head><title>x</title><script>var a=1;</script></head><body>" + "".join(
        f"<p>{line}</p>" for line in text.splitlines()) + "<div>扫一扫在手机打开当前页</div></body></html>"
    (folder / "sub").mkdir()
    (folder / "sub" / "page56.html").write_bytes(page.encode("gb18030"))
    return folder


def test_a_directory_import_reports_unreadable_files_and_goes_on(db, mixed_dir, tmp_path):
    report_file = tmp_path / "report.json"
    out, err = run_failing(mixed_dir, "--report", report_file, returncode=1)
    empty, scan = mixed_dir / "empty.txt", mixed_dir / "scan.txt"
    assert f"{empty}: empty file" in err.splitlines()
    assert any(line.startswith(f"{scan}: binary file") for line in err.splitlines())
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert [Path(r["file"]).name for r in report] == [
        "000_0e82f41fc8321ae9.txt", "001_4ca7f3b5baa9d9b4.txt", "002_ba5137bdd0dec010.txt",
        "003_6cb3df024ff1df6a.txt", "004_754fd2440035fb71.txt", "empty.txt", "scan.txt", "page56.html"]
    assert all(list(r) == list(REPORT_KEYS) for r in report)
    by_name = {Path(r["file"]).name: r for r in report}
    for name in ("empty.txt", "scan.txt"):
        row = by_name[name]
        assert row["kind"] == "unreadable" and row["reason"] and row["warnings"] == [row["reason"]]
        assert row["proposal_number"] is None and row["proposers"] == [] and row["contact"]["phone"] is None
        assert row["sha256"] == hashlib.sha256((mixed_dir / name).read_bytes()).hexdigest()
    assert by_name["page56.html"]["proposal_number"] == "56"
    assert by_name["001_4ca7f3b5baa9d9b4.txt"]["kind"] == "other" and by_name["001_4ca7f3b5baa9d9b4.txt"]["reason"]
    assert by_name["000_0e82f41fc8321ae9.txt"]["signed_on"] == "2024-10-20"
    assert Proposal.objects.count() == 4  # 55, 56 (the HTML page), 0325, 78
    reply56 = Reply.objects.get(assignment__proposal__number="56")
    assert "扫一扫" not in reply56.body and "var a" not in reply56.body
    assert "8 files: 4 created, 2 reference, 2 unreadable" in out


def test_dry_run_parses_and_reports_but_writes_nothing(db, tmp_path):
    report_file = tmp_path / "report.json"
    out, _ = run(CORPUS, "--dry-run", "--report", report_file)
    assert counts() == {m.__name__: 0 for m in MODELS}
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert [r["kind"] for r in report] == ["reply", "other", "reply", "other", "reply"]
    assert "nothing written" in out


def test_a_missing_path_or_an_empty_directory_is_a_usage_error_and_imports_nothing(db, tmp_path):
    with pytest.raises(CommandError, match="nope.txt") as raised:
        run(tmp_path / "nope.txt", CORPUS / "000_0e82f41fc8321ae9.txt")
    assert raised.value.returncode == 2
    assert Proposal.objects.count() == 0
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(CommandError) as raised:
        run(tmp_path / "empty_dir")
    assert raised.value.returncode == 2


def test_the_committed_fixture_is_what_the_corpus_generates(db, tmp_path, monkeypatch):
    monkeypatch.chdir(BASE)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    run("fixtures/corpus", "--dry-run", "--fixtures", first)
    assert counts() == {m.__name__: 0 for m in MODELS}  # rolled back
    run(CORPUS, "--dry-run", "--fixtures", second)
    assert first.read_bytes() == second.read_bytes()  # deterministic, whatever the path given
    assert first.read_bytes() == FIXTURE.read_bytes(), "fixtures/corpus.json is stale: run `make fixtures`"


def test_the_fixture_loads_into_an_empty_database_and_again_without_duplicates(db):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    loaded = counts()
    assert loaded == {"Committee": 3, "Session": 3, "Proposer": 3, "Agency": 5, "AgencyAlias": 4, "Proposal": 3,
                      "Assignment": 5, "Reply": 3, "Event": 3, "SourceDocument": 5, "ReferenceDocument": 2}
    call_command("loaddata", str(FIXTURE), verbosity=0)
    assert counts() == loaded
    assert visible_proposals(AnonymousUser()).count() == 3
    # Importing the corpus into the loaded database recognises every file.
    out, _ = run(CORPUS)
    assert "5 files: 5 unchanged" in out
    assert counts() == loaded


def test_setup_demo_shows_the_corpus_on_first_start(db):
    call_command("setup_demo", stdout=io.StringIO())
    assert Proposal.objects.filter(sources__isnull=False).distinct().count() == 3
    assert ReferenceDocument.objects.count() == 2


# --- exit status (issue 9, item 6: it exited 0 when every file was unreadable) ---------------------

def test_an_import_of_unreadable_files_only_says_so_and_fails(db, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.4\n\x00\x01\x02binary")
    out, err = run_failing(tmp_path, returncode=1)
    assert "2 files: 2 unreadable; 2 not imported, exit status 1" in out
    assert "empty.txt: empty file" in err


def test_a_clean_import_says_no_errors(db):
    out, _ = run(CORPUS / "000_0e82f41fc8321ae9.txt")
    assert "1 files: 1 created; no errors" in out


def manage(*args, cwd):
    import subprocess
    import sys

    return subprocess.run([sys.executable, str(BASE / "manage.py"), "import_corpus", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "DATABASE_URL": f"sqlite:///{cwd}/import.sqlite3"})


@pytest.fixture
def migrated_database(tmp_path):
    """A database file of its own for the subprocess (the test database lives in this process only)."""
    import subprocess
    import sys

    subprocess.run([sys.executable, str(BASE / "manage.py"), "migrate", "--noinput", "-v", "0"], check=True,
                   cwd=tmp_path, timeout=300, env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/import.sqlite3"})
    return tmp_path


def test_the_exit_status_of_the_command_line(migrated_database):
    folder = migrated_database
    (folder / "letters").mkdir()
    (folder / "letters" / "empty.txt").write_bytes(b"")
    unreadable = manage(folder / "letters", cwd=folder)
    assert unreadable.returncode == 1, unreadable.stderr
    assert "1 not imported, exit status 1" in unreadable.stdout
    shutil.copy(CORPUS / "000_0e82f41fc8321ae9.txt", folder / "letter.txt")
    clean = manage(folder / "letter.txt", cwd=folder)
    assert clean.returncode == 0, clean.stderr
    assert manage(folder / "nope.txt", cwd=folder).returncode == 2
    assert manage(cwd=folder).returncode == 2  # no path at all
