"""Streaming writes of rows for the benchmarks' data builders: PostgreSQL ``COPY …
FROM STDIN`` (the big tables' secondary indexes dropped meanwhile and built once at the end, the
foreign-key triggers off for the load, as pg_restore --disable-triggers does), SQLite
``bulk_create`` in batches. The caller gives every row its primary key (``Ids``), so that a
chunk's rows can point to each other before they are written; the sequences are moved past
them at the end.

On PostgreSQL the COPY runs in a thread of its own, on a connection of its own, one chunk behind
the generator: the server computes a chunk's generated columns and keys while Python makes the
next one. At most two chunks wait for it (a bounded queue), so memory holds a few chunks,
whatever the total."""
from __future__ import annotations

import json
import queue
import threading
from collections import Counter

from django.db import connection, models
from django.utils import timezone


class Ids:
    """The next primary key of each model, from what the table holds."""

    def __init__(self):
        self._next: dict[type, int] = {}

    def __call__(self, model) -> int:
        if model not in self._next:
            self._next[model] = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        value = self._next[model]
        self._next[model] = value + 1
        return value


class _CopyThread(threading.Thread):
    """COPY of (table, columns, rows) batches, in the order given, each committed."""

    def __init__(self):
        super().__init__(daemon=True)
        import psycopg

        settings = connection.settings_dict
        self.conn = psycopg.connect(dbname=settings["NAME"], user=settings["USER"] or None,
                                    password=settings["PASSWORD"] or None, host=settings["HOST"] or None,
                                    port=settings["PORT"] or None, autocommit=True)
        self.conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        self.batches: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None

    def run(self):
        while True:
            batch = self.batches.get()
            if batch is None:
                return
            if self.error is not None:
                continue
            try:
                table, columns, rows = batch
                with self.conn.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            except BaseException as exc:  # noqa: BLE001 - raised again by RowWriter
                self.error = exc

    def put(self, batch):
        if self.error is not None:
            raise self.error
        self.batches.put(batch)

    def close(self):
        self.batches.put(None)
        self.join()
        self.conn.close()
        if self.error is not None:
            raise self.error


class RowWriter:
    """``write(model, instances)`` in dependency order, chunk after chunk; ``finish()`` once."""

    def __init__(self, big_models):
        self.postgres = connection.vendor == "postgresql"
        self.big_models = list(big_models)
        self.counts: Counter = Counter()
        self.now = timezone.now()
        self._dropped: list[str] = []
        self._fields: dict[type, list] = {}
        self._copy = None
        if self.postgres:
            self._drop_secondary_indexes()
            self._copy = _CopyThread()
            self._copy.start()

    def _drop_secondary_indexes(self) -> None:
        """The big tables' indexes that no constraint owns (the primary and unique keys stay)."""
        tables = [m._meta.db_table for m in self.big_models]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conname = i.indexname)", [tables])
            found = cursor.fetchall()
            for name, _definition in found:
                cursor.execute(f'DROP INDEX "{name}"')
        self._dropped = [definition for _name, definition in found]

    def _defaults(self, model) -> list:
        """(attribute, default) of each column: what a row that does not name it gets."""
        if model not in self._fields:
            columns = []
            for field in model._meta.concrete_fields:
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    default = self.now
                elif field.has_default() and callable(field.default) and field.default not in (dict, list):
                    default = field.default  # made per row (a uuid4 uid); a new {} or [] is the same text each time
                else:
                    default = field.get_default()
                columns.append((field.attname, default, field.encoder if isinstance(field, models.JSONField) else False))
            self._fields[model] = columns
        return self._fields[model]

    def write(self, model, rows: list[dict]) -> None:
        """Rows as column values by attribute name (``proposal_id``, not ``proposal``); columns not
        named get their field's default."""
        if not rows:
            return
        self.counts[model._meta.label] += len(rows)
        if not self.postgres:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
            return
        columns = self._defaults(model)
        encoded = {}  # id -> JSON text (a value shared by many rows is encoded once), while ``rows`` holds them
        values = []
        for row in rows:
            line = []
            for name, default, encoder in columns:
                value = row[name] if name in row else default() if callable(default) else default
                if encoder is not False:
                    key = id(value)
                    if key not in encoded:
                        encoded[key] = json.dumps(value, ensure_ascii=False, cls=encoder)
                    value = encoded[key]
                line.append(value)
            values.append(line)
        self._copy.put((connection.ops.quote_name(model._meta.db_table),
                        ", ".join(connection.ops.quote_name(f.column) for f in model._meta.concrete_fields), values))

    def finish(self, models_with_ids) -> None:
        """Wait for the last COPY, rebuild the dropped indexes, move each sequence past the keys."""
        if not self.postgres:
            return
        self._copy.close()
        with connection.cursor() as cursor:
            for definition in self._dropped:
                cursor.execute(definition)
            for model in models_with_ids:
                table, pk = model._meta.db_table, model._meta.pk.column
                cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                               f"COALESCE((SELECT MAX({connection.ops.quote_name(pk)}) FROM "
                               f"{connection.ops.quote_name(table)}), 1))", [table, pk])
