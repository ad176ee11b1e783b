"""manage.py import_corpus PATH [PATH ...] [--dry-run] [--report FILE] [--fixtures FILE] [--jobs N]

Exit status: 0 when every file was imported (or recognised), 1 when any file was unreadable or
failed (the others are imported all the same, and the report lists every file), 2 for a usage
error: no path, a path that does not exist, or no file in the paths given (nothing is imported)."""
import json
import os
import tempfile
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from replies.importing import Importer, build_fixture, collect_files
from replies.importing.service import FAILED, UNCHANGED, UNREADABLE

USAGE_ERROR = 2
SOME_FILES_FAILED = 1


def write_atomically(path: str, text: str) -> None:
    """Write the whole file or nothing (a half-written fixture must never be committed)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; this is a file for the repository
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Import reply letters (.txt in UTF-8, UTF-8 with BOM or GB18030; .html pages; .pdf with a text layer; "
        ".docx) from files or directories: each reply becomes a replied proposal with its assignments and "
        "published reply, any other document a reference document. Importing the same file twice changes "
        "nothing. Other formats (.doc, .wps, images) and scanned PDFs are reported as not imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (each must exist)")
        parser.add_argument("--dry-run", action="store_true",
                            help="parse and report, write nothing to the database")
        parser.add_argument("--report", metavar="FILE", help="write the JSON report (one object per file)")
        parser.add_argument("--jobs", type=int, default=0, metavar="N",
                            help="read and parse files in N worker processes while this one writes the previous "
                                 "batch (for loads of thousands of files; 1 on a 2-core machine; default 0: none)")
        parser.add_argument("--fixtures", metavar="FILE",
                            help="write the imported records as a Django fixture (with --dry-run: instead of "
                                 "loading the database; the import is rolled back)")

    def handle(self, *args, paths, dry_run, report, fixtures, jobs=0, **options):
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise CommandError("no such file or directory: " + ", ".join(missing), returncode=USAGE_ERROR)
        files = collect_files(paths)
        if not files:
            raise CommandError("no files found in: " + ", ".join(paths), returncode=USAGE_ERROR)
        # A fixture needs the records, so a dry run that writes one imports inside a
        # transaction that is rolled back at the end.
        if jobs < 0:
            raise CommandError("--jobs must be 0 or more", returncode=USAGE_ERROR)
        importer = Importer(dry_run=dry_run and not fixtures, jobs=jobs)
        if dry_run and fixtures:
            with transaction.atomic():
                outcomes = importer.import_files(files)
                self._write_fixture(fixtures, outcomes)
                transaction.set_rollback(True)
        else:
            # Each document is written all or nothing (see Importer._batched).
            outcomes = importer.import_files(files)
            if fixtures:
                self._write_fixture(fixtures, outcomes)
        for outcome in outcomes:
            self._print(outcome)
        if report:
            write_atomically(report, json.dumps([o.report for o in outcomes], ensure_ascii=False, indent=2) + "\n")
        counts = Counter(o.status for o in outcomes)
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        not_imported = sum(not o.ok for o in outcomes)
        verdict = (f"; {not_imported} not imported, exit status {SOME_FILES_FAILED}" if not_imported
                  else "; no errors")
        self.stdout.write(f"{len(outcomes)} files: {summary}{verdict}"
                          + (" (dry run: nothing written)" if dry_run else ""))
        if not_imported:
            raise CommandError(f"{not_imported} of {len(outcomes)} files not imported (see above)",
                               returncode=SOME_FILES_FAILED)

    def _print(self, outcome):
        if outcome.status in (UNREADABLE, FAILED):
            reason = outcome.reason if outcome.status == UNREADABLE else outcome.report["warnings"][-1]
            self.stderr.write(f"{outcome.file}: {reason}")
            return
        row = outcome.report
        if row["kind"] == "reply":
            what = (f"{row['committee'] or '?'} {row['session'] or '?'} 第{row['proposal_number'] or '?'}号 "
                    f"→ {row['lead_agency'] or '?'}")
        else:
            what = f"reference document ({row['reason']})"
        flag = f"  [{len(row['warnings'])} warning(s)]" if row["warnings"] else ""
        self.stdout.write(f"{outcome.status:9} {outcome.file}: {what}{flag}")

    def _write_fixture(self, path, outcomes):
        sources = {o.source.pk: o.source for o in outcomes if o.source is not None}
        already = [o.file for o in outcomes if o.status == UNCHANGED]
        if already:
            self.stderr.write(
                f"note: {len(already)} file(s) were already in the database; their records are written as "
                f"they are there (generate from an empty database for a fixture of the parse alone)")
        write_atomically(path, build_fixture(sorted(sources.values(), key=lambda s: s.sha256)))
        self.stdout.write(f"fixture written: {path} ({len(sources)} documents)")
