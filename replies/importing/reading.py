"""Reading files into parsed letters: the pure step of an import, here or in worker processes.

``read_file`` is formats.extract_document then replies.letters.parse_letter: bytes in, a
ParsedLetter (or the reason the file cannot be read) out, no database. An import of many files
may run it ahead in worker processes (Importer(jobs=N), ``import_corpus --jobs N``): while the
database takes one batch, the workers read the next ones, so that a load of letters costs
about the longer of reading and writing rather than both. Workers start as fresh interpreters
("spawn": a forked copy would share the parent's database connection) and set Django up once.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import django

from replies.importing.formats import extract_document
from replies.letters import ParsedLetter, UnreadableDocument, parse_letter

CHUNK = 100  # files per task sent to a worker


@dataclass
class Read:
    """A file read: its parse and layout, or the reason it could not be read."""

    parsed: ParsedLetter | None = None
    layout: dict | None = None
    reason: str | None = None


def read_file(name: str, data: bytes) -> Read:
    try:
        extracted = extract_document(data, name)
    except UnreadableDocument as exc:
        return Read(reason=exc.reason)
    return Read(parse_letter(extracted.text), extracted.layout())


def read_files(items, limit: int) -> list[Read | None]:
    """(name, bytes or the error of reading it) pairs: a Read for each file's bytes up to
    ``limit`` long, None for the others (the importer refuses them without reading)."""
    return [read_file(name, data) if isinstance(data, bytes) and len(data) <= limit else None
            for name, data in items]


class ReadAhead:
    """Batches read in worker processes, at most ``ahead`` batches before the one in hand."""

    def __init__(self, jobs: int, *, limit: int, ahead: int = 2):
        # The initializer is django.setup itself: a function of this package could not even be
        # unpickled in a fresh worker before Django is set up (the package imports models).
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=django.setup)
        self.limit = limit
        self.ahead = ahead

    def batches(self, batches):
        """(batch, its reads) for each batch of ``batches``, in order."""
        pending: deque = deque()
        try:
            for batch in batches:
                pending.append((batch, [self.pool.submit(read_files, batch[i:i + CHUNK], self.limit)
                                        for i in range(0, len(batch), CHUNK)]))
                if len(pending) > self.ahead:
                    yield self._done(pending.popleft())
            while pending:
                yield self._done(pending.popleft())
        finally:
            for _, futures in pending:
                for future in futures:
                    future.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _done(entry):
        batch, futures = entry
        return batch, [read for future in futures for read in future.result()]
