"""The statements every request runs, with SQL made once per model and database.

Every request authenticates its client, most read one resource by SCIM id
(its side row and the site's row, joined), and each writes one
provisioning-log row; every write of a resource checks a unique value and
writes its side row and element rows. Through the ORM, building those small
statements cost more than running them; here the SQL is composed once from
the models' metadata and reused. This app's own tables are written this way
(they have no signals, and no save() of their own). A site's rows are read
this way only when nothing customises how one object is read
(ResourceAdapter._fetched_plainly), and written this way only when nothing
could tell it from the ORM's save() or delete() (ResourceAdapter.unobserved).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.sql import DeleteQuery

M = TypeVar("M", bound=Model)

_SQL: dict[tuple[Any, ...], str] = {}
_CONVERTERS: dict[tuple[Any, ...], tuple[list[str], list[Any]]] = {}


def one(model: type[M], for_update: bool = False, **equal: Any) -> M | None:
    """The row of ``model`` whose fields equal ``equal`` (the first, if several)."""
    alias = router.db_for_write(model) if for_update else router.db_for_read(model)
    connection = connections[alias]
    names = tuple(equal)
    key = (model, names, for_update, alias, connection.vendor)
    sql = _SQL.get(key)
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    if sql is None:
        table = connection.ops.quote_name(model._meta.db_table)
        where = " AND ".join(_equalities(connection, fields))
        sql = f"SELECT {_column_list(connection, model)} FROM {table} WHERE {where}"
        if for_update and connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        _SQL[key] = sql
    params = _prepared(fields, equal.values(), connection)
    rows = _select(model, connection, sql, params)
    return rows[0] if rows else None


def _column_list(connection: Any, model: type[Model], alias: str = "") -> str:
    """Every concrete column of ``model``, in the order :func:`_select_joined` reads them."""
    qn, prefix = connection.ops.quote_name, f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{qn(str(f.column))}" for f in model._meta.concrete_fields)


def _equalities(connection: Any, fields: list[Any], alias: str = "") -> list[str]:
    """``column = %s`` for each of ``fields``."""
    qn, prefix = connection.ops.quote_name, f"{alias}." if alias else ""
    return [f"{prefix}{qn(f.column)} = %s" for f in fields]


def _prepared(fields: list[Any], values: Any, connection: Any) -> list[Any]:
    """``values`` as the database takes them for ``fields``, in order."""
    return [f.get_db_prep_value(v, connection) for f, v in zip(fields, values, strict=True)]


def _select(model: type[M], connection: Any, sql: str, params: list[Any]) -> list[M]:
    """Instances of ``model`` from a SELECT of all its concrete columns, in order."""
    return [row[0] for row in _select_joined((model,), connection, sql, params)]


def _select_joined(
    models: tuple[type[Model], ...], connection: Any, sql: str, params: list[Any]
) -> list[tuple[Any, ...]]:
    """One instance of each of ``models`` per row of a SELECT of all their concrete columns,
    model after model.

    What a raw queryset does, without the per-query work of finding column
    names and converters: those are looked up once per model and database.
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not fetched:
        return []
    layout = [(model, _converters(model, connection)) for model in models]
    rows = []
    for values in fetched:
        row, start = [], 0
        for model, (names, converters) in layout:
            own = list(values[start : start + len(names)])
            for position, converter, column in converters:
                own[position] = converter(own[position], column, connection)
            row.append(model.from_db(connection.alias, names, own))
            start += len(names)
        rows.append(tuple(row))
    return rows


def _converters(model: type[Model], connection: Any) -> tuple[list[str], list[Any]]:
    """The attribute names of ``model``'s columns, and the converters their values need."""
    key = (model, "converters", connection.alias, connection.vendor)
    found = _CONVERTERS.get(key)
    if found is None:
        converters: list[Any] = []
        for position, field in enumerate(model._meta.concrete_fields):
            column = field.get_col(model._meta.db_table)
            functions = connection.ops.get_db_converters(column)
            functions += column.get_db_converters(connection)
            converters += [(position, function, column) for function in functions]
        found = ([f.attname for f in model._meta.concrete_fields], converters)
        _CONVERTERS[key] = found
    return found


#: Primary-key types a text column is cast to for a join (the same CAST on every backend).
_INTEGER_KEYS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


def can_join(model: type[Model], target: type[Model]) -> bool:
    """Whether :func:`one_with_target` can read ``model`` with ``target``: both live in
    one database, one whose CAST and locking this module writes for, and ``target``'s
    primary key is an integer."""
    aliases = {router.db_for_read(m) for m in (model, target)}
    aliases |= {router.db_for_write(m) for m in (model, target)}
    if len(aliases) != 1:
        return False
    vendor = connections[aliases.pop()].vendor
    key_type = target._meta.pk.get_internal_type()
    return key_type in _INTEGER_KEYS and vendor in ("postgresql", "sqlite")


def one_with_target(
    model: type[M], link: str, target: type[Model], for_update: bool = False, **equal: Any
) -> tuple[M, Any] | None:
    """The row of ``model`` whose fields equal ``equal``, and the row of ``target`` whose
    (integer) primary key its text field ``link`` holds, in one query; None when either
    is missing. ``for_update`` locks the row of ``model`` only. See :func:`can_join`."""
    alias = router.db_for_write(model) if for_update else router.db_for_read(model)
    connection = connections[alias]
    names = tuple(equal)
    key = (model, "with", link, target, names, for_update, alias, connection.vendor)
    sql = _SQL.get(key)
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    if sql is None:
        qn = connection.ops.quote_name
        link_field: Any = model._meta.get_field(link)
        link_column = qn(link_field.column)
        key_column = qn(str(target._meta.pk.column))
        key_type = target._meta.pk.rel_db_type(connection)
        columns = f"{_column_list(connection, model, 'm')}, {_column_list(connection, target, 't')}"
        where = " AND ".join(_equalities(connection, fields, "m"))
        sql = (
            f"SELECT {columns} FROM {qn(model._meta.db_table)} m "
            f"INNER JOIN {qn(target._meta.db_table)} t "
            f"ON t.{key_column} = CAST(m.{link_column} AS {key_type}) WHERE {where}"
        )
        if for_update and connection.features.has_select_for_update:
            sql += " FOR UPDATE OF m"
        _SQL[key] = sql
    params = _prepared(fields, equal.values(), connection)
    rows = _select_joined((model, target), connection, sql, params)
    return (rows[0][0], rows[0][1]) if rows else None


def among(model: type[M], field_name: str, values: Sequence[Any], **equal: Any) -> list[M]:
    """The rows of ``model`` whose ``field_name`` is one of ``values`` and whose fields
    equal ``equal``; keep ``values`` within the backend's parameter limit."""
    if not values:
        return []
    connection = connections[router.db_for_read(model)]
    names = tuple(equal)
    key = (model, "among", field_name, names, connection.alias, connection.vendor)
    head = _SQL.get(key)
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    field: Any = model._meta.get_field(field_name)
    if head is None:
        qn = connection.ops.quote_name
        where = "".join(f"{clause} AND " for clause in _equalities(connection, fields))
        head = (
            f"SELECT {_column_list(connection, model)} FROM {qn(model._meta.db_table)} "
            f"WHERE {where}{qn(field.column)}"
        )
        _SQL[key] = head
    sql = f"{head} IN ({', '.join(['%s'] * len(values))})"
    params = _prepared(fields, equal.values(), connection)
    params += [field.get_db_prep_value(value, connection) for value in values]
    return _select(model, connection, sql, params)


class Statement(NamedTuple):
    """One statement, ready to run: the database alias, its SQL and its parameters."""

    alias: str
    sql: str
    params: list[Any]


def one_round_trip(*statements: Statement) -> bool:
    """Whether :func:`run` sends ``statements`` as one statement (atomic on its own)."""
    aliases = {statement.alias for statement in statements}
    return len(statements) == 1 or (
        len(aliases) == 1 and connections[statements[0].alias].vendor == "postgresql"
    )


def run(*statements: Statement) -> list[tuple[Any, ...]]:
    """Execute ``statements`` in order; on PostgreSQL as one statement (the first ones in a
    ``WITH`` chain, part n named ``wn``), so that several writes cost one round trip.
    Returns the rows of the last statement, if it returns rows.

    Only for statements that do not read one another's effects: in a chain every
    part sees the same snapshot (an element DELETE does not see the element
    rows the same chain INSERTs; a closing SELECT sees the transaction as it
    was before the chain). Foreign keys are checked at commit, as Django's
    PostgreSQL constraints are deferred.
    """
    if len(statements) > 1 and one_round_trip(*statements):
        parts = [f"w{n} AS ({s.sql})" for n, s in enumerate(statements[:-1])]
        sql = f"WITH {', '.join(parts)} {statements[-1].sql}"
        params = [param for statement in statements for param in statement.params]
        statements = (Statement(statements[0].alias, sql, params),)
    rows: list[tuple[Any, ...]] = []
    for statement in statements:
        with connections[statement.alias].cursor() as cursor:
            cursor.execute(statement.sql, statement.params)
            rows = cursor.fetchall() if cursor.description else []
    return rows


def insert(*rows: Model) -> None:
    """INSERT ``rows`` (all of one model), without reading them back."""
    run(inserting(*rows))


def inserting_keyed_by(row: Model, field_name: str, part: int, key: type[Model]) -> Statement:
    """The INSERT of ``row`` with ``field_name`` set to the text of the primary key that
    part ``part`` of the same :func:`run` chain returns for a new row of ``key``: a
    side row written in the statement that creates its object."""
    model = type(row)
    connection = connections[router.db_for_write(model)]
    fields = list(model._meta.concrete_fields)
    sql_key = (model, "insert keyed", field_name, part, key, connection.alias, connection.vendor)
    sql = _SQL.get(sql_key)
    if sql is None:
        qn = connection.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in fields)
        source = f"CAST(w{part}.{qn(key._meta.pk.column)} AS TEXT)"
        values = ", ".join(source if f.name == field_name else "%s" for f in fields)
        sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) SELECT {values} FROM w{part}"
        _SQL[sql_key] = sql
    sent = [f for f in fields if f.name != field_name]
    return Statement(connection.alias, sql, _inserted(row, sent, connection))


def update(row: Model, *names: str) -> None:
    """UPDATE the fields ``names`` of ``row``, found by its primary key."""
    run(updating(row, *names))


def inserting(*rows: Model, returning: bool = False) -> Statement:
    """The INSERT of ``rows`` (all of one model). A primary key with a default (a UUID)
    is sent; an auto-incremented one is left to the database (and read back, with
    ``returning``, as the rows of a ``RETURNING`` clause)."""
    model = type(rows[0])
    connection = connections[router.db_for_write(model)]
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or not f.db_returning]
    key = (model, "insert", len(rows), returning, connection.alias, connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in fields)
        marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
        values = ", ".join([marks] * len(rows))
        sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES {values}"
        if returning:
            sql += f" RETURNING {qn(pk.column)}"
        _SQL[key] = sql
    params = []
    for row in rows:
        if pk in fields and row.pk is None:
            row.pk = pk.get_default()
        params += _inserted(row, fields, connection)
    return Statement(connection.alias, sql, params)


def _inserted(row: Model, fields: list[Any], connection: Any) -> list[Any]:
    """The values of ``fields`` an INSERT of ``row`` sends; ``row`` then counts as saved."""
    params = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    row._state.adding = False
    row._state.db = connection.alias
    return params


def updating(row: Model, *names: str) -> Statement:
    """The UPDATE of the fields ``names`` of ``row``, found by its primary key."""
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
    return Statement(connection.alias, sql, params)


def deleting(model: type[Model], field_name: str, value: Any) -> Statement:
    """The DELETE of the rows of ``model`` whose ``field_name`` equals ``value``."""
    connection = connections[router.db_for_write(model)]
    field: Any = model._meta.get_field(field_name)
    key = (model, "delete", field_name, connection.alias, connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        sql = f"DELETE FROM {qn(model._meta.db_table)} WHERE {qn(field.column)} = %s"
        _SQL[key] = sql
    target = getattr(field, "target_field", field)
    return Statement(connection.alias, sql, [target.get_db_prep_value(value, connection)])


def deleting_all(queryset: QuerySet) -> Statement:
    """The DELETE of the rows of ``queryset``, as ``QuerySet._raw_delete`` would run it."""
    alias = queryset.db
    query = queryset.query.clone()
    query.__class__ = DeleteQuery
    sql, params = query.get_compiler(alias).as_sql()
    return Statement(alias, sql, list(params))


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
