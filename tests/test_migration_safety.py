"""Migrations that would lock or rewrite a large table are caught before they land (issue 13,
config.migration_safety), and the operation that avoids the lock works on both databases."""
import pytest
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from config.migration_ops import AddIndexConcurrently, RemoveIndexConcurrently
from config.migration_safety import migration_findings, statement_risks, unsafe_migrations

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="reads the SQL PostgreSQL would run (DATABASE_URL=postgres://…)")


@pytest.mark.parametrize("statement, refused", [
    ('CREATE INDEX "p_title" ON "proposals_proposal" ("title")', True),
    ('CREATE UNIQUE INDEX "p_no" ON "proposals_proposal" ("session_id", "number")', True),
    ('CREATE INDEX CONCURRENTLY "p_title" ON "proposals_proposal" ("title")', False),
    ('CREATE INDEX "c_name" ON "proposals_committee" ("name")', False),  # a small table
    ('ALTER TABLE "proposals_proposal" ALTER COLUMN "title" TYPE varchar(600)', True),
    ('ALTER TABLE "replies_reply" ALTER COLUMN "body" SET NOT NULL', True),
    ('ALTER TABLE "proposals_event" ADD CONSTRAINT "e_fk" FOREIGN KEY ("x_id") REFERENCES "y" ("id") '
     'DEFERRABLE INITIALLY DEFERRED', True),
    ('ALTER TABLE "proposals_event" ADD CONSTRAINT "e_fk" FOREIGN KEY ("x_id") REFERENCES "y" ("id") NOT VALID', False),
    ('ALTER TABLE "proposals_proposal" ADD COLUMN "note" text NULL', False),
    ('ALTER TABLE "proposals_proposal" ADD COLUMN "flag" boolean DEFAULT false NOT NULL', False),
    ('ALTER TABLE "proposals_proposal" ADD COLUMN "seen" timestamp with time zone DEFAULT now() NOT NULL', True),
    ('ALTER TABLE proposals_proposal ADD COLUMN b text[] GENERATED ALWAYS AS (f(search_text)) STORED', True),
    ('ALTER TABLE "proposals_proposal" ALTER COLUMN "flag" DROP DEFAULT', False),
])
def test_statements_that_lock_or_rewrite_a_large_table_are_named(statement, refused):
    assert bool(statement_risks(statement)) is refused


def test_python_in_a_migration_must_say_how_it_treats_the_large_tables():
    class Migration(migrations.Migration):
        operations = [migrations.RunPython(lambda apps, schema_editor: None)]

    plain = Migration("0099_backfill", "proposals")
    assert [f.reason.split(":")[0] for f in migration_findings(plain, [])] == ["runs Python that no SQL shows"]
    Migration.large_tables_reviewed = "updates 1,000 rows a transaction by primary key"
    assert migration_findings(Migration("0099_backfill", "proposals"), []) == []


@on_postgresql
@pytest.mark.django_db
def test_no_migration_after_the_baseline_locks_a_large_table():
    assert [str(f) for f in unsafe_migrations()] == []


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # CONCURRENTLY: outside a transaction
def test_what_makemigrations_writes_for_an_index_and_a_type_change_is_refused():
    """The check reads the SQL Django would run for the operations makemigrations writes."""
    class Migration(migrations.Migration):
        operations = [
            migrations.AddIndex("proposal", models.Index(fields=["title"], name="proposal_title_plain")),
            migrations.AlterField("proposal", "title", models.TextField(verbose_name="案由")),
        ]

    class Concurrent(migrations.Migration):
        atomic = False
        operations = [AddIndexConcurrently("proposal", models.Index(fields=["title"], name="proposal_title_conc"))]

    state = MigrationLoader(connection).project_state()
    found = {}
    for migration in (Migration("0099_plain", "proposals"), Concurrent("0099_concurrent", "proposals")):
        with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
            migration.apply(state.clone(), editor, collect_sql=True)
        found[migration.name] = [f.reason.split(":")[0] for f in migration_findings(migration, editor.collected_sql)]
    assert found == {"0099_plain": ["builds an index under a write lock",
                                    "changes a column's type (rewrites the table)"],
                     "0099_concurrent": []}


def _indexes(table):
    with connection.cursor() as cursor:
        return {name for name, c in connection.introspection.get_constraints(cursor, table).items() if c["index"]}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # CONCURRENTLY runs outside a transaction
def test_indexes_are_built_and_dropped_concurrently_on_postgresql_and_plainly_elsewhere():
    index = models.Index(fields=["title"], name="proposal_title_probe")
    add = AddIndexConcurrently("proposal", index)
    remove = RemoveIndexConcurrently("proposal", "proposal_title_probe")
    before = MigrationLoader(connection).project_state()
    with_index = before.clone()
    add.state_forwards("proposals", with_index)

    with CaptureQueriesContext(connection) as built, connection.schema_editor(atomic=False) as editor:
        add.database_forwards("proposals", editor, before, with_index)
    assert "proposal_title_probe" in _indexes("proposals_proposal")
    with CaptureQueriesContext(connection) as dropped, connection.schema_editor(atomic=False) as editor:
        remove.database_forwards("proposals", editor, with_index, before)
    assert "proposal_title_probe" not in _indexes("proposals_proposal")
    with connection.schema_editor(atomic=False) as editor:
        add.database_forwards("proposals", editor, before, with_index)
        add.database_backwards("proposals", editor, with_index, before)
    assert "proposal_title_probe" not in _indexes("proposals_proposal")

    concurrently = connection.vendor == "postgresql"
    assert any(("CREATE INDEX CONCURRENTLY" in q["sql"]) is concurrently and "proposal_title_probe" in q["sql"]
               for q in built.captured_queries)
    assert any(("DROP INDEX CONCURRENTLY" in q["sql"]) is concurrently for q in dropped.captured_queries)
