"""The references a many-to-many attribute renders (``groups``, ``members``), in one query.

A reference is what an element shows: the related object's key, its display
text and its SCIM id. They are read with one hand-written SELECT over the
through table, joined to the target's table (for the display column) and to
the side table (for the id), because this is the hottest query there is: it
runs for every user read and returns thousands of rows for a big group, and
the ORM's cost of building the equivalent annotated subquery, and of making a
model instance per row, was most of the time of such a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Model

from django_scim import lookups
from django_scim.expressions import uuid_text_sql
from django_scim.models import ResourceRecord


def selecting(
    through: type[Model],
    owner: str,
    target: str,
    display_field: str | None,
    resource_type: str,
    owner_pks: Sequence[Any],
) -> lookups.Statement:
    """The references of ``owner_pks``' related objects, ordered by target pk: to run
    alone or at the end of a write's chain (then one round trip reads what a write
    left), and to give to :func:`collect`."""
    alias = router.db_for_read(through)
    connection = connections[alias]
    qn = connection.ops.quote_name
    owner_field: Any = through._meta.get_field(owner)
    target_field: Any = through._meta.get_field(target)
    target_model = target_field.related_model
    records: Any = ResourceRecord._meta
    scim_id, _uses = uuid_text_sql(f"r.{qn(records.get_field('id').column)}", connection.vendor)
    target_column = f"t.{qn(target_field.column)}"
    display = "NULL"
    join = ""
    if display_field:
        target_meta = target_model._meta
        display = f"x.{qn(target_meta.get_field(display_field).column)}"
        join = (
            f"INNER JOIN {qn(target_meta.db_table)} x "
            f"ON x.{qn(target_meta.pk.column)} = {target_column} "
        )
    placeholders = ", ".join(["%s"] * len(owner_pks))
    sql = (
        f"SELECT t.{qn(owner_field.column)}, {target_column}, {display}, {scim_id} "
        f"FROM {qn(through._meta.db_table)} t {join}"
        f"LEFT JOIN {qn(records.db_table)} r "
        f"ON r.{qn(records.get_field('resource_type').column)} = %s "
        f"AND r.{qn(records.get_field('object_pk').column)} = CAST({target_column} AS TEXT) "
        f"WHERE t.{qn(owner_field.column)} IN ({placeholders}) "
        f"ORDER BY {target_column}"
    )
    params = [resource_type] + [owner_field.get_db_prep_value(pk, connection) for pk in owner_pks]
    return lookups.Statement(alias, sql, params)


def collect(
    rows: Sequence[Sequence[Any]],
    through: type[Model],
    owner: str,
    target: str,
    owner_pks: Sequence[Any],
) -> dict[Any, list[list[Any]]]:
    """The rows of :func:`selecting`, by owner: ``{owner pk: [[target pk, display, id]]}``."""
    found: dict[Any, list[list[Any]]] = {pk: [] for pk in owner_pks}
    owner_key = through._meta.get_field(owner).target_field.to_python  # type: ignore[union-attr]
    target_key = through._meta.get_field(target).target_field.to_python  # type: ignore[union-attr]
    for owner_raw, target_raw, text, scim_id_text in rows:
        found[owner_key(owner_raw)].append([target_key(target_raw), text, scim_id_text])
    return found
