"""Migrations that would lock or rewrite a large table (issue 13): found from the SQL they run on
PostgreSQL, before they reach an installation with a million proposals.

The search column's migration (proposals 0004) rewrote the proposals table under an exclusive lock
for 70 s at 100,000 rows. From the migrations after BASELINE on, each statement on a LARGE_TABLE is
read and these are refused, each with what to do instead:

- ``CREATE [UNIQUE] INDEX`` without ``CONCURRENTLY`` (blocks every write while it builds): use
  ``config.migration_ops.AddIndexConcurrently`` in a migration with ``atomic = False``;
- ``ALTER COLUMN … TYPE`` (rewrites the table), ``SET NOT NULL`` (scans it under lock): add a new
  nullable column, backfill it in batches, switch over;
- ``ADD CONSTRAINT`` (FOREIGN KEY, CHECK, UNIQUE: validated under lock): add it ``NOT VALID`` and
  ``VALIDATE CONSTRAINT`` in a later step, or build the unique index concurrently first;
- ``ADD COLUMN`` with a volatile default (``DEFAULT now()``, ``GENERATED … STORED``): a rewrite;
- Python run by a migration (``RunPython``), which no SQL shows: its author says how it touches
  the large tables.

A migration that has been looked at and is safe all the same (a table known to be small in every
installation, a batched backfill) says why in ``large_tables_reviewed = "…"`` on its class.

Adding a nullable column, or a column with a constant default, is metadata only on PostgreSQL 11+
and is not refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython

# The tables whose rows grow with the proposals: at national scale, millions of rows each.
LARGE_TABLES = frozenset({
    "proposals_proposal", "proposals_assignment", "proposals_event", "proposals_proposalproposer",
    "proposals_contactlog", "proposals_supervisionlog", "proposals_cosigninvitation", "proposals_extensionrequest",
    "proposals_proposer", "replies_reply", "replies_feedback", "replies_sourcedocument", "replies_referencedocument",
    "notifications_notification",
})

# Every migration up to and including these was written before the check and has run on the
# installations there are; the check reads the ones after them.
BASELINE = {
    "proposals": "0015_remind_rules",
    "replies": "0005_version",
    "notifications": "0001_initial",
}

_CREATE_INDEX = re.compile(
    r'^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY)(?:IF NOT EXISTS\s+)?"?\w+"?\s+ON\s+"?(\w+)"?', re.I)
_ALTER_TABLE = re.compile(r'^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF EXISTS\s+)?"?(\w+)"?\s+(.*)$', re.I | re.S)
_RISKS = (
    (re.compile(r"\bALTER\s+COLUMN\s+\"?\w+\"?\s+(?:SET\s+DATA\s+)?TYPE\b", re.I),
     "changes a column's type (rewrites the table): add a new column, backfill it in batches, switch over"),
    (re.compile(r"\bALTER\s+COLUMN\s+\"?\w+\"?\s+SET\s+NOT\s+NULL\b", re.I),
     "sets NOT NULL on an existing column (scans the table under lock): add a CHECK … NOT VALID, validate it, then set"),
    (re.compile(r"\bADD\s+CONSTRAINT\b(?!.*\bNOT\s+VALID\b)", re.I | re.S),
     "adds a constraint validated under lock: add it NOT VALID, then VALIDATE CONSTRAINT in a later step"),
    (re.compile(r"\bADD\s+COLUMN\b.*\b(?:DEFAULT\s+(?:now|clock_timestamp|random|gen_random_uuid|uuid_generate)\w*\s*\(|"
                r"GENERATED\s+ALWAYS\s+AS\s*\(.*\)\s*STORED)", re.I | re.S),
     "adds a column whose value is computed for every row (rewrites the table): add it nullable and backfill in batches"),
)


@dataclass(frozen=True)
class Finding:
    migration: str
    statement: str
    reason: str

    def __str__(self):
        return f"{self.migration}: {self.reason}\n    {self.statement.strip()[:200]}"


def statement_risks(statement: str) -> list[str]:
    """Why this PostgreSQL statement would lock or rewrite a large table ([] when it would not)."""
    found = []
    m = _CREATE_INDEX.match(statement)
    if m and m.group(1).lower() in LARGE_TABLES:
        found.append("builds an index under a write lock: use config.migration_ops.AddIndexConcurrently "
                     "(atomic = False)")
    m = _ALTER_TABLE.match(statement)
    if m and m.group(1).lower() in LARGE_TABLES:
        found.extend(reason for pattern, reason in _RISKS if pattern.search(m.group(2)))
    return found


def _after_baseline(loader: MigrationLoader, key: tuple[str, str]) -> bool:
    app, name = key
    if app not in BASELINE:
        return False
    base = (app, BASELINE[app])
    return key != base and base in loader.graph.forwards_plan(key)


def migration_findings(migration, statements: list[str]) -> list[Finding]:
    label = f"{migration.app_label}.{migration.name}"
    if getattr(migration, "large_tables_reviewed", ""):
        return []
    findings = [Finding(label, s, reason) for s in statements for reason in statement_risks(s)]
    for operation in migration.operations:
        if isinstance(operation, RunPython):
            findings.append(Finding(label, f"RunPython({operation.code.__name__})",
                                    "runs Python that no SQL shows: say how it touches the large tables "
                                    "(batches, concurrent indexes) in large_tables_reviewed"))
    return findings


def unsafe_migrations(using=None) -> list[Finding]:
    """The findings of every migration after BASELINE, from the SQL PostgreSQL would run
    (``sqlmigrate``'s collection: nothing is executed). On PostgreSQL only: SQLite rebuilds its
    tables for most changes, and its installations are small."""
    conn = using or connection
    loader = MigrationLoader(conn, ignore_no_migrations=True)
    findings = []
    for key in sorted(loader.disk_migrations):
        if not _after_baseline(loader, key):
            continue
        migration = loader.disk_migrations[key]
        findings.extend(migration_findings(migration, loader.collect_sql([(migration, False)])))
    return findings
