"""Rendering objects as SCIM resources, by a plan worked out once per type and projection.

A plan says which mappings to read, which relations the response shows and
the schema's attribute order; rendering an object applies it to the object
and its side row. Plans are kept by the registry, which is rebuilt when the
settings change.

``meta.version`` is a weak ETag over the stored state, relations excluded
(they are not always loaded), so it is the same whatever the projection and
unchanged by a write that changes nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Model

from django_scim import jsoncodec
from django_scim.adapters.base import ResourceAdapter
from django_scim.paths import AttributePath
from django_scim.projection import Projection
from django_scim.schemas.registry import ResourceType
from django_scim.storage import records
from django_scim.storage.base import Mapping
from django_scim.storage.records import Record


class Plan:
    """What rendering one resource type under one projection reads, and in what order."""

    def __init__(self, resource_type: ResourceType, projection: Projection | None) -> None:
        fields = resource_type.fields
        self.values: list[tuple[AttributePath, Mapping]] = [
            (path, mapping) for path, mapping in fields if not mapping.is_relation
        ]
        self.relations: list[tuple[AttributePath, Mapping]] = [
            (path, mapping)
            for path, mapping in fields
            if mapping.is_relation
            and (projection is None or projection.wants(path.schema, path.attribute.name))  # type: ignore[union-attr]
        ]
        #: Every relation, shown or not: an unwritten object's version follows them all.
        self.relations_all = [(path, m) for path, m in fields if m.is_relation]
        self.order = [attribute.name for attribute in resource_type.schema]
        self.core = resource_type.schema.id
        self.extensions = [extension.id for extension in resource_type.extensions]

    def ordered(self, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` in schema order, extensions and unknown keys after."""
        ordered = {name: data[name] for name in self.order if name in data}
        if len(ordered) != len(data):
            ordered.update((key, value) for key, value in data.items() if key not in ordered)
        return ordered


def plan_for(adapter: ResourceAdapter, projection: Projection | None) -> Plan:
    resource_type = adapter.resource_type
    key = (resource_type.name, projection.key if projection else None)
    plan: Plan = adapter.ctx.registry.plan(key, lambda: Plan(resource_type, projection))
    return plan


def version_of(resource: dict[str, Any], record: Record, states: list[Any] | None = None) -> str:
    """A weak ETag (RFC 7232 §2.3) over the stored state: the resource without its
    relations, and the side row's last modification, which every change marks; for an
    object without a side row, the state of its relations instead (see
    :meth:`~django_scim.storage.base.Mapping.state`)."""
    stamp: Any = record.last_modified if record.id is not None else states
    digest = hashlib.sha1(jsoncodec.dumps_sorted([resource, stamp]), usedforsecurity=False)
    return f'W/"{digest.hexdigest()[:20]}"'


def render(
    adapter: ResourceAdapter,
    obj: Model,
    projection: Projection | None,
    record: Record | None = None,
) -> dict[str, Any]:
    """The full SCIM representation of ``obj`` (before projection), with meta."""
    plan = plan_for(adapter, projection)
    record = record or records.record_of(obj)
    loaded = adapter.ctx.loaded
    data = records.copy_json(record.attributes)
    for path, mapping in plan.values:
        path.set(data, mapping.read(adapter, obj, path.get(data), loaded))
    scim_id = records.scim_id(adapter.namespace, obj, record)
    schemas = [plan.core] + [ext for ext in plan.extensions if data.get(ext)]
    resource: dict[str, Any] = {"schemas": schemas, "id": scim_id}
    if record.external_id:
        resource["externalId"] = record.external_id
    resource.update(plan.ordered(data))
    states = None
    if record.id is None:
        states = [mapping.state(obj, loaded) for _path, mapping in plan.relations_all]
    version = version_of(resource, record, states)
    for path, mapping in plan.relations:
        path.set(resource, mapping.read(adapter, obj, None, loaded))
    resource["meta"] = _meta(adapter, obj, record, scim_id, version)
    return resource


def _meta(
    adapter: ResourceAdapter, obj: Model, record: Record, scim_id: str, version: str
) -> dict[str, Any]:
    created = adapter.created_of(obj) or record.created
    modified = record.last_modified or created
    if created and modified:
        modified = max(modified, created)
    meta: dict[str, Any] = {"resourceType": adapter.resource_type_name}
    if created:
        meta["created"] = created.isoformat()
    if modified:
        meta["lastModified"] = modified.isoformat()
    meta["location"] = adapter.location(adapter.resource_type_name, scim_id)
    meta["version"] = version
    return meta
