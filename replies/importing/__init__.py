"""The importer: reply letters (parsed by replies.letters) turned into linked records.

- formats.extract_document: a file's text (pages, text, PDF text layers, .docx), or why not;
- service.Importer / import_files: files in, ImportOutcome (status + report row) out;
- writer.write_document: one document's records in one transaction;
- matching.Matcher: committees, sessions, proposers and agencies matched, never duplicated;
- fixtures.build_fixture: the records of imported documents as a deterministic fixture.
"""
from replies.importing.fixtures import build_fixture
from replies.importing.service import ImportOutcome, Importer, collect_files, import_files
from replies.importing.linking import ImportConflict
from replies.importing.writer import identity_of

__all__ = ["ImportConflict", "ImportOutcome", "Importer", "build_fixture", "collect_files", "identity_of",
           "import_files"]
