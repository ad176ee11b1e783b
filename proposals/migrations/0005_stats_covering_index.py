"""On PostgreSQL, covering indexes that let the figures (/api/stats/, proposals/stats.py) read
what they count without touching wide table rows: a proposal's session, status and filing
date (a proposal row carries its full text); a reply's assignment, kind, round, status and
class (a reply row carries its letter). The reply index is created here, beside the query
that needs it, on the replies app's table. SQLite has no INCLUDE and gets nothing.
"""
from django.db import migrations

INDEXES = {
    "proposal_stats_cover": "ON proposals_proposal (id) INCLUDE (session_id, status, filed_on)",
    "reply_stats_cover": "ON replies_reply (assignment_id) INCLUDE (id, kind, round, status, classification)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0004_search_text"), ("replies", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
