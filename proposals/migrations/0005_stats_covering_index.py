"""On PostgreSQL, a covering index that lets the figures (/api/stats/, replies/stats.py) read
what they count without touching wide table rows: a proposal's session, status and filing
date (a proposal row carries its full text). The replies app creates its own (replies
migration 0003). SQLite has no INCLUDE and gets nothing.
"""
from django.db import migrations

INDEXES = {
    "proposal_stats_cover": "ON proposals_proposal (id) INCLUDE (session_id, status, filed_on)",
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
    dependencies = [("proposals", "0004_search_text")]

    operations = [migrations.RunPython(create, drop)]
