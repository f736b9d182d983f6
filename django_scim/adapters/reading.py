"""Reading resources: one by id, or a page of a queryset, with what the response shows.

Reads never write. An object's side row is read in the same statement as the
object (:func:`django_scim.storage.records.with_records`); an object without
one is shown with the id derived from its key. Relations the response shows
are loaded for the whole page at once by their mappings, and not at all when
the projection leaves them out (Entra reads groups with
``excludedAttributes=members``).
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet

from django_scim import identity
from django_scim.adapters.base import ResourceAdapter
from django_scim.errors import NotFound
from django_scim.projection import Projection
from django_scim.storage import records
from django_scim.storage.base import Mapping


def shown_relations(adapter: ResourceAdapter, projection: Projection | None) -> list[Mapping]:
    """The relation mappings whose attribute the response can show."""
    return [
        mapping
        for path, mapping in adapter.resource_type.fields
        if mapping.is_relation
        and (projection is None or projection.wants(path.schema, path.attribute.name))  # type: ignore[union-attr]
    ]


def prepared(
    adapter: ResourceAdapter, queryset: QuerySet, projection: Projection | None
) -> QuerySet:
    """``queryset`` reading side rows along, and whatever the shown mappings prefetch."""
    shown = shown_relations(adapter, projection)
    for _path, mapping in adapter.resource_type.fields:
        if not mapping.is_relation or mapping in shown:
            queryset = mapping.prefetch(queryset)
    return records.with_records(queryset, adapter.resource_type_name)


def load(adapter: ResourceAdapter, objs: list[Model], projection: Projection | None) -> None:
    """Read the relations the response shows, for all ``objs`` at once."""
    for mapping in shown_relations(adapter, projection):
        mapping.load(adapter, objs, adapter.ctx.loaded)


def find(adapter: ResourceAdapter, scim_id: str) -> QuerySet:
    """The queryset of the one object whose SCIM id is ``scim_id`` (empty if none)."""
    key = identity.parse(scim_id)
    if key is None:
        raise NotFound(f"{adapter.resource_type_name} {scim_id} not found.")
    condition = records.with_id(adapter.get_model(), adapter.resource_type_name, key)
    return adapter.get_queryset().filter(condition)


def one(
    adapter: ResourceAdapter,
    scim_id: str,
    projection: Projection | None,
    lock: bool = False,
) -> Model:
    """The object with SCIM id ``scim_id`` within ``get_queryset()``; 404 otherwise.
    ``lock``: its row is locked until the transaction ends (the caller opened one)."""
    found = first(adapter, find(adapter, scim_id), projection, lock)
    if found is None:
        raise NotFound(f"{adapter.resource_type_name} {scim_id} not found.")
    return found


def first(
    adapter: ResourceAdapter,
    queryset: QuerySet | None,
    projection: Projection | None = None,
    lock: bool = True,
) -> Model | None:
    """The first object of ``queryset`` (in no particular order), read with its side row
    and the relations the response shows; locked, by default, for the write to come."""
    if queryset is None:
        return None
    queryset = prepared(adapter, queryset, projection)
    if lock:
        queryset = locked(queryset)
    found = list(queryset[:1])
    if not found:
        return None
    load(adapter, found, projection)
    return found[0]


def locked(queryset: QuerySet) -> QuerySet:
    """``queryset`` selecting its own rows FOR UPDATE (not those of joined tables)."""
    features = connections[queryset.db].features
    if features.has_select_for_update_of:
        return queryset.select_for_update(of=("self",))
    return queryset.select_for_update()


def page(
    adapter: ResourceAdapter,
    queryset: QuerySet,
    offset: int,
    count: int,
    projection: Projection | None,
    ordering: list[Any] | None = None,
) -> list[Model]:
    """One page of ``queryset`` (RFC 7644 §3.4.2.4), in ``ordering`` or the adapter's order."""
    if count <= 0:
        return []
    queryset = queryset.order_by(*ordering) if ordering else adapter.ordered(queryset)
    objs = list(prepared(adapter, queryset, projection)[offset : offset + count])
    load(adapter, objs, projection)
    return objs
