"""The q search text of proposals (proposals/search.py).

On PostgreSQL also an IMMUTABLE function returning the distinct character bigrams of a text
and a GIN index on it, so that a 2-character word (双减) is one index lookup at 100,000+
proposals. pg_trgm does not help there: a LIKE pattern of two characters yields no trigram.
SQLite gets the column only and searches it with LIKE.
"""
from django.db import migrations, models

BIGRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION tracker_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}'::text[]) FROM (
    SELECT c || lead(c) OVER (ORDER BY i) AS g
    FROM unnest(string_to_array(t, NULL)) WITH ORDINALITY AS u(c, i)
  ) AS s WHERE char_length(g) = 2 AND g !~ '\s'
$$;
"""
BIGRAMS_INDEX = (
    "CREATE INDEX IF NOT EXISTS proposal_search_bigrams_gin "
    "ON proposals_proposal USING gin (tracker_bigrams(search_text))"
)


def backfill(apps, schema_editor):
    from proposals.search import compose

    Proposal = apps.get_model("proposals", "Proposal")
    batch = []
    queryset = Proposal.objects.prefetch_related(
        "signatures__proposer", "assignments__agency__aliases").order_by("pk")
    for proposal in queryset.iterator(chunk_size=500):
        names = [s.proposer.name for s in proposal.signatures.all()]
        for assignment in proposal.assignments.all():
            if assignment.status == "reassigned":
                continue
            names.append(assignment.agency.name)
            names.extend(alias.name for alias in assignment.agency.aliases.all())
        proposal.search_text = compose(number=proposal.number, title=proposal.title, body=proposal.body, names=names)
        batch.append(proposal)
        if len(batch) >= 500:
            Proposal.objects.bulk_update(batch, ["search_text"])
            batch = []
    Proposal.objects.bulk_update(batch, ["search_text"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BIGRAMS_FUNCTION)
        schema_editor.execute(BIGRAMS_INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS proposal_search_bigrams_gin")
        schema_editor.execute("DROP FUNCTION IF EXISTS tracker_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0003_seed_calendar")]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="检索文本"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
