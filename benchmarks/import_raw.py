"""The database's own time for the rows an import wrote: the yardstick of benchmarks/import_corpus.py.

After the importer has loaded the letters, every row it wrote is read back, deleted, and
inserted again by the database's fastest path, with no Django and no parsing in between:
one executemany per table on SQLite, COPY … FROM STDIN (psycopg 3) on PostgreSQL (long texts
compressed with lz4, as the importer has them), in one transaction, indexes and constraints as
they are. The importer's load time next to this
says how much of it is the database's and how much is ours.
"""
from __future__ import annotations

import time

# Parents before children; the rows of every table the importer writes.
MODELS = (
    ("proposals", "Committee"), ("proposals", "Session"), ("proposals", "Proposer"), ("proposals", "Agency"),
    ("proposals", "AgencyAlias"), ("proposals", "Proposal"), ("proposals", "ProposalProposer"),
    ("proposals", "Assignment"), ("replies", "Reply"), ("replies", "SourceDocument"),
    ("replies", "ReferenceDocument"), ("proposals", "Event"),
)


def _tables():
    from django.apps import apps

    out = []
    for app, name in MODELS:
        model = apps.get_model(app, name)
        columns = [f.column for f in model._meta.concrete_fields if not f.generated]
        out.append((model._meta.db_table, columns))
    return out


def _sqlite(tables) -> dict:
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        data = {}
        for table, columns in tables:
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")
            data[table] = cursor.fetchall()
    with transaction.atomic():
        with connection.cursor() as cursor:
            for table, _ in reversed(tables):
                cursor.execute(f"DELETE FROM {quote(table)}")
    start = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            for table, columns in tables:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES ({marks})",
                                   data[table])
    seconds = time.perf_counter() - start
    return {"method": "executemany", "seconds": round(seconds, 2), "rows": sum(len(r) for r in data.values())}


def _postgres(tables) -> dict:
    import psycopg
    from django.db import connection

    connection.close()
    settings = connection.settings_dict
    with psycopg.connect(dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"] or None,
                         host=settings["HOST"] or None, port=settings["PORT"] or None) as conn:
        data, rows = {}, 0
        with conn.cursor() as cursor:
            for table, columns in tables:
                chunks = []
                with cursor.copy(f'COPY (SELECT {", ".join(columns)} FROM "{table}") TO STDOUT') as copy:
                    for chunk in copy:
                        chunks.append(bytes(chunk))
                data[table] = b"".join(chunks)
                rows += data[table].count(b"\n")
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t, _ in tables) + " CASCADE")
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cursor:
            # Stored as the importer stores them (replies.importing.rows.prefer_fast_compression).
            cursor.execute("SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
                           "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
            for table, columns in tables:
                with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                    copy.write(data[table])
        conn.commit()
        seconds = time.perf_counter() - start
    return {"method": "COPY", "seconds": round(seconds, 2), "rows": rows}


def raw_reinsert() -> dict:
    """Seconds the database takes to insert again every row the import wrote (see the module docstring)."""
    from django.db import connection

    tables = _tables()
    return _postgres(tables) if connection.vendor == "postgresql" else _sqlite(tables)
