"""Single-row reads and writes with SQL made once per database.

Every request authenticates its client, most find one side-table row by SCIM
id, and each writes one provisioning-log row; every write of a resource
checks a unique value and writes its side row and element rows. Through the
ORM, building those small statements cost more than running them; here the
SQL is composed once from the model's metadata and reused. Only this app's
own tables are written this way (they have no signals, and no save() of
their own): a site's models are always saved through the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Model

M = TypeVar("M", bound=Model)

_SQL: dict[tuple[Any, ...], str] = {}
_CONVERTERS: dict[tuple[Any, ...], list[tuple[int, Any, Any]]] = {}


def one(model: type[M], for_update: bool = False, **equal: Any) -> M | None:
    """The row of ``model`` whose fields equal ``equal`` (the first, if several)."""
    alias = router.db_for_write(model) if for_update else router.db_for_read(model)
    connection = connections[alias]
    names = tuple(equal)
    key = (model, names, for_update, alias, connection.vendor)
    sql = _SQL.get(key)
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    if sql is None:
        qn = connection.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in model._meta.concrete_fields)
        where = " AND ".join(f"{qn(f.column)} = %s" for f in fields)
        sql = f"SELECT {columns} FROM {qn(model._meta.db_table)} WHERE {where}"
        if for_update and connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        _SQL[key] = sql
    params = [
        field.get_db_prep_value(value, connection)
        for field, value in zip(fields, equal.values(), strict=True)
    ]
    rows = _select(model, connection, sql, params)
    return rows[0] if rows else None


def _select(model: type[M], connection: Any, sql: str, params: list[Any]) -> list[M]:
    """Instances of ``model`` from a SELECT of all its concrete columns, in order.

    What a raw queryset does, without the per-query work of finding column
    names and converters: those are looked up once per model and database.
    """
    key = (model, "converters", connection.alias, connection.vendor)
    converters = _CONVERTERS.get(key)
    if converters is None:
        converters = []
        for position, field in enumerate(model._meta.concrete_fields):
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            converters += [(position, converter, column) for converter in found]
        _CONVERTERS[key] = converters
    names = [f.attname for f in model._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows = []
    for values in fetched:
        values = list(values)
        for position, converter, column in converters:
            values[position] = converter(values[position], column, connection)
        rows.append(model.from_db(connection.alias, names, values))
    return rows


def among(model: type[M], field_name: str, values: Sequence[Any], **equal: Any) -> list[M]:
    """The rows of ``model`` whose ``field_name`` is one of ``values`` and whose fields
    equal ``equal``; keep ``values`` within the backend's parameter limit."""
    connection = connections[router.db_for_read(model)]
    names = tuple(equal)
    key = (model, "among", field_name, names, connection.alias, connection.vendor)
    head = _SQL.get(key)
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    field: Any = model._meta.get_field(field_name)
    if head is None:
        qn = connection.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in model._meta.concrete_fields)
        where = "".join(f"{qn(f.column)} = %s AND " for f in fields)
        head = f"SELECT {columns} FROM {qn(model._meta.db_table)} WHERE {where}{qn(field.column)}"
        _SQL[key] = head
    if not values:
        return []
    sql = f"{head} IN ({', '.join(['%s'] * len(values))})"
    params = [
        f.get_db_prep_value(value, connection)
        for f, value in zip(fields, equal.values(), strict=True)
    ]
    params += [field.get_db_prep_value(value, connection) for value in values]
    return _select(model, connection, sql, params)


def insert(*rows: Model) -> None:
    """INSERT ``rows`` (all of one model), without reading them back.

    A primary key with a default (a UUID) is sent; an auto-incremented one is
    left to the database.
    """
    model = type(rows[0])
    connection = connections[router.db_for_write(model)]
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or not f.db_returning]
    key = (model, "insert", len(rows), connection.alias, connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in fields)
        marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
        values = ", ".join([marks] * len(rows))
        sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES {values}"
        _SQL[key] = sql
    params = []
    for row in rows:
        if pk in fields and row.pk is None:
            row.pk = pk.get_default()
        params += [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
        row._state.adding = False
        row._state.db = connection.alias
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def update(row: Model, *names: str) -> None:
    """UPDATE the fields ``names`` of ``row``, found by its primary key."""
    model = type(row)
    connection = connections[router.db_for_write(model)]
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    key = (model, "update", names, connection.alias, connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        sql = (
            f"UPDATE {qn(model._meta.db_table)} SET {assignments} "
            f"WHERE {qn(model._meta.pk.column)} = %s"
        )
        _SQL[key] = sql
    params = [f.get_db_prep_save(f.pre_save(row, add=False), connection) for f in fields]
    params.append(model._meta.pk.get_db_prep_value(row.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def delete(model: type[Model], field_name: str, value: Any) -> None:
    """DELETE the rows of ``model`` whose ``field_name`` equals ``value`` (no cascade)."""
    connection = connections[router.db_for_write(model)]
    field: Any = model._meta.get_field(field_name)
    key = (model, "delete", field_name, connection.alias, connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        sql = f"DELETE FROM {qn(model._meta.db_table)} WHERE {qn(field.column)} = %s"
        _SQL[key] = sql
    target = getattr(field, "target_field", field)
    with connection.cursor() as cursor:
        cursor.execute(sql, [target.get_db_prep_value(value, connection)])


def taken(
    model: type[Model], field_name: str, value: str, case_exact: bool, other_than: Any = None
) -> bool:
    """Whether a row other than ``other_than`` (a primary key) holds ``value`` in the text
    column ``field_name``; compared as the filters compare (``LOWER(column) =
    LOWER(value)`` unless case-exact, so the same index serves), a blank never taken.

    Over the whole table, not a manager's subset: a unique value is unique among all rows.
    """
    if value == "":
        return False
    connection = connections[router.db_for_write(model)]
    field: Any = model._meta.get_field(field_name)
    excluding = other_than is not None
    key = (model, "taken", field_name, case_exact, excluding, connection.alias, connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        column = qn(field.column)
        match = f"{column} = %s" if case_exact else f"LOWER({column}) = LOWER(%s)"
        sql = f"SELECT 1 FROM {qn(model._meta.db_table)} WHERE {match}"
        if excluding:
            sql += f" AND {qn(model._meta.pk.column)} <> %s"
        sql += " LIMIT 1"
        _SQL[key] = sql
    params = [value]
    if excluding:
        params.append(model._meta.pk.get_db_prep_value(other_than, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None
