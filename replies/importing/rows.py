"""Many new rows at once, as fast as the database takes them (issue 10: 10,000 letters in
under 20 s).

``insert_rows(Model, objects)`` does what ``Model.objects.bulk_create(objects)`` does for the
importer's models (no save(), no signals; defaults, auto_now_add and related ids prepared
as bulk_create prepares them; primary keys set on the objects), but through COPY on
PostgreSQL and one executemany on SQLite. Django's bulk_create builds one statement per
batch and, on PostgreSQL, quotes every value of its UNNEST arrays in Python: for a batch of
letters that cost more than the database's own work. Other databases get bulk_create.
"""
from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models


def _fields(model):
    opts = model._meta
    return [f for f in opts.concrete_fields if not f.generated and f is not opts.pk]


# Fields whose get_db_prep_save returns a value of this exact type unchanged (and None too, but
# for BooleanField, which refuses None): most of a row's values, skipped past Django's chain
# of calls (get_db_prep_save -> get_db_prep_value -> get_prep_value -> to_python) for each.
_PASS_THROUGH = {
    models.CharField: str, models.TextField: str, models.IntegerField: int, models.BigIntegerField: int,
    models.SmallIntegerField: int, models.PositiveIntegerField: int, models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int, models.ForeignKey: int, models.BooleanField: bool,
}


def _values(objects, fields) -> list[list]:
    """Each object's column values as bulk_create computes them (pre_save, then get_db_prep_save)."""
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    # The connection itself, not django.db.connection: every attribute read through that proxy
    # costs a lookup, and each value reads several.
    db = connections[DEFAULT_DB_ALIAS]
    plan = [(f, _PASS_THROUGH.get(type(f)), type(f) is not models.BooleanField) for f in fields]
    rows = []
    for obj in objects:
        row = []
        for field, plain, none_passes in plan:
            value = field.pre_save(obj, add=True)
            if plain is None or not (type(value) is plain or (value is None and none_passes)):
                value = field.get_db_prep_save(value, db)
            row.append(value)
        rows.append(row)
    return rows


def insert_rows(model, objects: list) -> list:
    """Insert ``objects`` (new, without primary keys) and set their primary keys."""
    objects = list(objects)
    if not objects:
        return objects
    if connection.vendor not in ("postgresql", "sqlite") or any(o.pk is not None for o in objects):
        return model.objects.bulk_create(objects)
    opts = model._meta
    fields = _fields(model)
    rows = _values(objects, fields)
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [opts.db_table, opts.pk.column, len(objects)])
            ids = [row[0] for row in cursor.fetchall()]
            columns = ", ".join(quote(c) for c in [opts.pk.column, *(f.column for f in fields)])
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for pk, row in zip(ids, rows):
                    copy.write_row([pk, *row])
        else:
            columns = ", ".join(quote(f.column) for f in fields)
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", rows)
            # One connection holding the write lock inserts one row after another: the new rowids
            # are consecutive up to the last one. Checked all the same (a failed check makes the
            # importer write the batch one document at a time instead).
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
            ids = list(range(last - len(objects) + 1, last + 1))
            pk = quote(opts.pk.column)
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {pk} BETWEEN %s AND %s", [ids[0], last])
            if cursor.fetchone()[0] != len(objects):
                raise DatabaseError(f"insert_rows: the new rows of {opts.db_table} are not numbered in sequence")
    for obj, pk in zip(objects, ids):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def prefer_fast_compression() -> None:
    """On PostgreSQL built with lz4 (14 and later), compress the long texts of the current
    transaction (letters, bodies, parse results: most of an import's bytes) with lz4 instead of
    the default pglz: it took the database half the time to take in a load of letters. It is
    how values are stored, not what they are: they read back the same, and other writers keep
    the server's default. Elsewhere, nothing."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
                       "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
