"""Importing reply letters: files in, records and a report out.

The rules (issue 3): the same file twice changes nothing (SHA-256 checksum); a corrected
version updates the records it created but keeps what staff corrected by hand; a file that
cannot be read is reported with its name and reason and the rest goes on; one document's
records are written in one transaction.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from replies.importing.bulk import Calendars, Doc, write_documents
from replies.importing.matching import Matcher
from replies.importing.reading import ReadAhead, read_file
from replies.importing.rows import prefer_fast_compression
from replies.letters import REPORT_KEYS, to_report
from replies.models import SourceDocument

BATCH_SIZE = 500
# Files of a batch are held in memory together: PDFs of 2 MB (MAX_DOCUMENT_BYTES) make a batch short.
BATCH_BYTES = 50_000_000

CREATED, UPDATED, LINKED, REFERENCE, UNLINKED = "created", "updated", "linked", "reference", "unlinked"
UNCHANGED, UNREADABLE, FAILED, PARSED = "unchanged", "unreadable", "failed", "parsed"


@dataclass
class ImportOutcome:
    """What happened to one file: ``status`` (created, updated, linked, reference,
    unlinked, unchanged, unreadable, failed, or parsed in a dry run) and its report row."""

    file: str
    sha256: str | None
    status: str
    report: dict
    source: SourceDocument | None = None
    parsed: object = None
    kept: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    layout: dict | None = None       # pages or paragraphs of a PDF or DOCX (formats.Extracted.layout)

    @property
    def ok(self) -> bool:
        return self.status not in (UNREADABLE, FAILED)

    @property
    def reason(self) -> str:
        return self.report.get("reason") or ""


def empty_report(file: str, sha256: str | None, kind, reason: str) -> dict:
    """A report row for a file that could not be taken: exactly the report keys, the reason
    in ``reason`` and ``warnings``, everything else empty."""
    row = {key: None for key in REPORT_KEYS}
    row.update(file=file, sha256=sha256, kind=kind, reason=reason, proposers=[], proposers_more=False,
               co_agencies=[], cc=[], contact={"unit": None, "person": None, "phone": None}, warnings=[reason])
    return row


def stored_report(source: SourceDocument, file: str) -> dict:
    row = {key: source.parsed.get(key) for key in REPORT_KEYS}
    row.update(file=file, sha256=source.sha256, warnings=list(source.warnings))
    return row


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Importer:
    """Imports documents in batches of BATCH_SIZE, sharing row lookups across them (Matcher).

    For each batch: read and checksum every file, look the checksums up at once (a known
    file changes nothing), decode and parse the new ones, then write them (bulk.write_documents:
    every document all or nothing). The batch is committed as one transaction, so a batch
    cut short by an unexpected error leaves nothing behind, and importing it again is safe.
    """

    def __init__(self, *, dry_run: bool = False, now=None, actor=None, jobs: int = 0):
        self.dry_run = dry_run
        self.actor = actor
        self.now = now
        self.jobs = jobs  # worker processes reading files ahead (replies.importing.reading); 0: none
        self.matcher = Matcher()
        self.calendars = Calendars()

    def import_bytes(self, data: bytes, file_name: str) -> ImportOutcome:
        return self.import_many([(file_name, data)])[0]

    def import_path(self, path: Path, display: str | None = None) -> ImportOutcome:
        return self.import_files([(path, display or str(path))])[0]

    def import_paths(self, paths) -> list[ImportOutcome]:
        return self.import_files(collect_files(paths))

    def import_files(self, files) -> list[ImportOutcome]:
        """(path, display name) pairs, as collect_files gives them; read one batch at a time
        (at most BATCH_SIZE files and about BATCH_BYTES of them)."""
        def batches():
            batch, size = [], 0
            for path, display in files:
                data = _read(path)
                batch.append((display, data))
                size += len(data) if isinstance(data, bytes) else 0
                if len(batch) >= BATCH_SIZE or size >= BATCH_BYTES:
                    yield batch
                    batch, size = [], 0
            if batch:
                yield batch

        return self._import(batches())

    def import_many(self, items) -> list[ImportOutcome]:
        """(file name, bytes) pairs."""
        items = list(items)
        return self._import(items[start:start + BATCH_SIZE] for start in range(0, len(items), BATCH_SIZE))

    def _import(self, batches) -> list[ImportOutcome]:
        outcomes = []
        if self.jobs > 0:
            for batch, reads in ReadAhead(self.jobs, limit=MAX_DOCUMENT_BYTES).batches(batches):
                outcomes += self._batch(batch, reads)
        else:
            for batch in batches:
                outcomes += self._batch(batch)
        return outcomes

    def _batch(self, items, reads=None) -> list[ImportOutcome]:
        try:
            with transaction.atomic():
                if not self.dry_run:
                    prefer_fast_compression()
                return self._run(items, reads)
        except BaseException:
            self.matcher.reset()
            raise

    def _run(self, items, reads=None) -> list[ImportOutcome]:
        """One batch; ``reads`` are its files already read (replies.importing.reading), if they are."""
        outcomes: list[ImportOutcome | None] = [None] * len(items)
        shas = [checksum(data) if isinstance(data, bytes) else None for _, data in items]
        known = {s.sha256: s for s in SourceDocument.objects.filter(sha256__in=set(shas) - {None}).only(
            "pk", "sha256", "parsed", "warnings", "kind", "proposal_id", "reply_id")}
        docs, first_of = [], {}
        for i, ((name, data), sha256) in enumerate(zip(items, shas)):
            if isinstance(data, bytes) and len(data) > MAX_DOCUMENT_BYTES:
                data = DocumentTooLarge(len(data))
            if isinstance(data, OSError):
                reason = data.strerror if isinstance(data, DocumentTooLarge) else f"cannot read file: {data.strerror}"
                outcomes[i] = ImportOutcome(name, None, UNREADABLE, empty_report(name, None, "unreadable", reason))
            elif sha256 in known:
                source = known[sha256]
                outcomes[i] = ImportOutcome(name, sha256, UNCHANGED, stored_report(source, name), source=source)
            elif sha256 in first_of:
                continue  # the same file twice in one batch: resolved below, once the first is written
            else:
                first_of[sha256] = i
                read = reads[i] if reads is not None and reads[i] is not None else read_file(name, data)
                if read.reason is not None:
                    outcomes[i] = ImportOutcome(name, sha256, UNREADABLE,
                                                empty_report(name, sha256, "unreadable", read.reason))
                    continue
                parsed, layout = read.parsed, read.layout
                report = to_report(parsed, file=name, sha256=sha256)
                outcomes[i] = ImportOutcome(name, sha256, PARSED, report, parsed=parsed, layout=layout)
                docs.append((i, Doc(parsed, Path(name).name, sha256, layout=layout)))
        if docs and not self.dry_run:
            write_documents([d for _, d in docs], matcher=self.matcher, now=self.now or timezone.now(),
                            actor=self.actor, calendars=self.calendars)
            for i, doc in docs:
                outcome = outcomes[i]
                if doc.result is None:
                    message = f"not imported: {doc.error}"
                    outcome.report["warnings"] = list(outcome.report["warnings"]) + [message]
                    outcome.status = FAILED
                    continue
                outcome.report["warnings"] = list(doc.result.source.warnings)
                outcome.status, outcome.source = doc.result.status, doc.result.source
                outcome.kept, outcome.changed = doc.result.kept, doc.result.changed
        for i, ((name, _), sha256) in enumerate(zip(items, shas)):
            if outcomes[i] is None:
                first = outcomes[first_of[sha256]]
                report = dict(first.report, file=name)
                status = UNCHANGED if first.ok and first.status != PARSED else first.status
                outcomes[i] = ImportOutcome(name, sha256, status, report, source=first.source, parsed=first.parsed,
                                            layout=first.layout)
        return outcomes


# A published letter is tens of kilobytes; a file beyond this is not one, and reading, parsing
# and showing it would cost the server hundreds of megabytes (issue 9).
MAX_DOCUMENT_BYTES = 2_000_000


class DocumentTooLarge(OSError):
    """A file larger than MAX_DOCUMENT_BYTES: reported as unreadable, never read whole."""

    def __init__(self, size: int):
        super().__init__(0, f"file too large: {size} bytes (the limit is {MAX_DOCUMENT_BYTES})")


def _read(path: Path):
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            return DocumentTooLarge(size)
        return path.read_bytes()
    except OSError as exc:
        return exc


def collect_files(paths) -> list[tuple[Path, str]]:
    """Files named, and every file inside directories named (recursively, in name order,
    hidden files skipped), with the name the report shows: the path as given."""
    found = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                found.append((child, str(Path(given) / child.relative_to(path))))
        else:
            found.append((path, str(given)))
    return found


def import_files(paths, *, dry_run: bool = False, jobs: int = 0) -> list[ImportOutcome]:
    """Import files and directories; see Importer."""
    return Importer(dry_run=dry_run, jobs=jobs).import_paths(paths)
