"""A covering index for the figures (replies/stats.py) on PostgreSQL: a reply's assignment,
kind, round, status and class without reading its letter (SQLite has no INCLUDE); and the
proposals' ``answered_publicly`` flag filled from the replies already published."""
from django.db import migrations

INDEX = "reply_stats_cover"
DEFINITION = "ON replies_reply (assignment_id) INCLUDE (id, kind, round, status, classification)"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} {DEFINITION}")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def mark_public(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    Reply = apps.get_model("replies", "Reply")
    public = Reply.objects.filter(kind="reply", status="published", disclosure="public")
    Proposal.objects.filter(pk__in=public.values("assignment__proposal_id")).update(answered_publicly=True)


class Migration(migrations.Migration):
    dependencies = [("replies", "0002_import_bookkeeping"), ("proposals", "0010_visibility_fields")]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(mark_public, migrations.RunPython.noop),
    ]
