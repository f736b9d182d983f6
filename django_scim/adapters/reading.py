"""Reading resources: one by id, or a page of a queryset, with what the response shows.

Reads never write. The side rows of a page (or of one object) are read with
one query by key (:func:`django_scim.storage.records.attach`); an object
without one is shown with the id derived from its key. Relations the response shows
are loaded for the whole page at once by their mappings, and not at all when
the projection leaves them out (Entra reads groups with
``excludedAttributes=members``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from django_scim import identity, locks
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
    """``queryset`` with whatever the shown mappings prefetch."""
    shown = shown_relations(adapter, projection)
    for _path, mapping in adapter.resource_type.fields:
        if not mapping.is_relation or mapping in shown:
            queryset = mapping.prefetch(queryset)
    return queryset


def load(
    adapter: ResourceAdapter,
    objs: list[Model],
    projection: Projection | None,
    side_rows: bool = True,
) -> None:
    """Read, for all ``objs`` at once, the relations the response shows (the stock
    relations carry their targets' ids), then in one query the side rows of ``objs``
    (unless the caller holds them: ``side_rows``) and of whatever objects a custom
    mapping asks for (:meth:`~django_scim.storage.base.Mapping.load`)."""
    loaded = adapter.ctx.loaded
    wanted: dict[str, list[Any]] = {}
    if side_rows:
        wanted[adapter.namespace] = [[obj.pk for obj in objs]]
    for mapping in shown_relations(adapter, projection):
        for name, keys in mapping.load(adapter, objs, loaded):
            wanted.setdefault(name, []).append(keys)
    found = records.fetch(wanted)
    loaded.update(((records.ATTRIBUTE, *key), record) for key, record in found.items())
    if side_rows:
        records.attach(adapter.namespace, objs, found)
        unseen = [obj for obj in objs if records.record_of(obj).id is None]
        for _path, mapping in adapter.resource_type.fields if unseen else ():
            mapping.load_state(adapter, unseen, loaded)


def one(
    adapter: ResourceAdapter,
    scim_id: str,
    projection: Projection | None,
    lock: bool = False,
) -> Model:
    """The object with SCIM id ``scim_id`` within ``get_queryset()``; 404 otherwise.
    ``lock``: its row is locked until the transaction ends (the caller opened one).

    An id derived from a key names the object with that key, unless the object's
    side row holds an older id; any other id is looked for among side rows.
    """
    key = identity.parse(scim_id)
    if key is None:
        raise NotFound(f"{adapter.resource_type_name} {scim_id} not found.")
    name, model = adapter.namespace, adapter.get_model()
    uuid_keys = model._meta.pk.get_internal_type() == "UUIDField"
    pk = identity.key_of(name, key, uuid_keys)
    if pk is not None:
        found = first(adapter, adapter.scoped_queryset().filter(pk=pk), projection, lock)
        if found is not None and records.record_of(found).id in (None, key):
            return found
    if pk is None or uuid_keys:
        held = records.rows_of(name).filter(id=key)
        object_pk = held.values_list("object_pk", flat=True).first()
        if object_pk is not None:
            found = first(adapter, adapter.scoped_queryset().filter(pk=object_pk), projection, lock)
            if found is not None:
                return found
    raise NotFound(f"{adapter.resource_type_name} {scim_id} not found.")


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
        queryset = locks.rows_locked(queryset)
    found = list(queryset[:1])
    if not found:
        return None
    load(adapter, found, projection)
    return found[0]


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
