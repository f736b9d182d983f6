"""Single-row reads and writes with SQL made once per database.

Every request authenticates its client, most find one side-table row by SCIM
id, and each writes one provisioning-log row. Through the ORM, building those
small statements cost more than running them; here the SQL is composed once
from the model's metadata and reused.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Model

M = TypeVar("M", bound=Model)

_SQL: dict[tuple[Any, ...], str] = {}


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
    rows = list(model._default_manager.db_manager(alias).raw(sql, params))
    return rows[0] if rows else None


def insert(row: Model) -> None:
    """INSERT ``row`` (its primary key left to the database), without reading it back."""
    model = type(row)
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    key = (model, "insert", connection.alias, connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"
        _SQL[key] = sql
    params = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
