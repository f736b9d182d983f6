"""Resource types, their schemas and the adapter classes serving them, from ``SCIM["ADAPTERS"]``.

The registry is an object rebuilt after ``setting_changed``, never a module-level
dict mutated at run time. Building it validates every reference (duplicate
names or endpoints, adapter fields naming attributes that do not exist, models
whose keys cannot carry a SCIM id), so a misconfiguration fails at start-up
with ``ImproperlyConfigured`` instead of on the first provisioning request.

It knows adapter classes only by what they declare (``build_resource_type()``,
``fields``, ``get_model()``), so this layer imports nothing above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from django_scim.conf import scim_settings
from django_scim.paths import AttributePath, UnknownAttribute, parse_path
from django_scim.schemas.attributes import Schema

#: Key types a SCIM id can be derived from (django_scim.identity).
KEY_TYPES = frozenset(
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
        "UUIDField",
    }
)
#: Render plans kept per registry before the oldest are dropped.
MAX_PLANS = 256


@dataclass(frozen=True)
class ResourceType:
    name: str
    endpoint: str
    description: str
    schema: Schema
    extensions: tuple[Schema, ...]
    adapter_class: Any
    #: The adapter's declared fields, resolved: (path, mapping), in declaration order.
    fields: tuple[tuple[AttributePath, Any], ...] = field(default=(), compare=False)

    @cached_property
    def schemas(self) -> tuple[Schema, ...]:
        return (self.schema, *self.extensions)

    @cached_property
    def _by_id(self) -> dict[str, Schema]:
        return {schema.id.lower(): schema for schema in self.schemas}

    def schema_by_id(self, schema_id: str) -> Schema:
        found = self._by_id.get(schema_id.lower())
        if found is None:
            raise KeyError(schema_id)
        return found

    def extension_by_id(self, schema_id: str) -> Schema | None:
        found = self._by_id.get(schema_id.lower())
        return None if found is self.schema else found

    @property
    def path_segment(self) -> str:
        return self.endpoint.strip("/")


def _bind(resource_type: ResourceType) -> ResourceType:
    """The resource type with its adapter's declared fields resolved against its schemas."""
    adapter_class = resource_type.adapter_class
    bound = []
    for key, mapping in getattr(adapter_class, "fields", {}).items():
        try:
            path = parse_path(key, resource_type)
        except UnknownAttribute:
            path = None
        if path is None or path.attribute is None:
            raise ImproperlyConfigured(
                f"{adapter_class.__name__}.fields: {key!r} is not an attribute of "
                f"{resource_type.name}."
            )
        bound.append((path, mapping))
    key_type = adapter_class.get_model()._meta.pk.get_internal_type()
    if key_type not in KEY_TYPES:
        raise ImproperlyConfigured(
            f"{adapter_class.__name__}: the primary key of {adapter_class.get_model().__name__} "
            f"is a {key_type}; SCIM ids are derived from integer or UUID keys."
        )
    return replace(resource_type, fields=tuple(bound))


class Registry:
    def __init__(self, adapter_classes: list[Any]) -> None:
        by_name: dict[str, ResourceType] = {}
        by_segment: dict[str, ResourceType] = {}
        for adapter_class in adapter_classes:
            if not callable(getattr(adapter_class, "build_resource_type", None)):
                raise ImproperlyConfigured(
                    f"SCIM['ADAPTERS']: {adapter_class!r} is not a ResourceAdapter subclass."
                )
            resource_type = _bind(adapter_class.build_resource_type())
            segment = resource_type.path_segment.lower()
            if resource_type.name in by_name or segment in by_segment:
                raise ImproperlyConfigured(
                    f"SCIM['ADAPTERS']: resource type {resource_type.name!r} "
                    f"({resource_type.endpoint}) is declared twice."
                )
            by_name[resource_type.name] = resource_type
            by_segment[segment] = resource_type
        self.resource_types: tuple[ResourceType, ...] = tuple(by_name.values())
        self._by_name = by_name
        self._by_segment = by_segment
        #: Render plans by (resource type, projection): worked out once, applied to rows.
        self.plans: dict[Any, Any] = {}

    def get(self, name: str) -> ResourceType | None:
        return self._by_name.get(name)

    def by_segment(self, segment: str) -> ResourceType | None:
        return self._by_segment.get(segment.lower())

    def plan(self, key: Any, build: Any) -> Any:
        """The plan cached under ``key``, made by ``build()`` the first time."""
        found = self.plans.get(key)
        if found is None:
            if len(self.plans) >= MAX_PLANS:
                self.plans.clear()
            found = self.plans[key] = build()
        return found

    @cached_property
    def schemas(self) -> dict[str, Schema]:
        found: dict[str, Schema] = {}
        for resource_type in self.resource_types:
            for schema in resource_type.schemas:
                found.setdefault(schema.id, schema)
        return found

    def schema(self, schema_id: str) -> Schema | None:
        for known_id, schema in self.schemas.items():
            if known_id.lower() == schema_id.lower():
                return schema
        return None


class _RegistryHolder:
    """Holds the current registry; dropped when ``SCIM`` changes."""

    def __init__(self) -> None:
        self.registry: Registry | None = None


_holder = _RegistryHolder()


def get_registry() -> Registry:
    if _holder.registry is None:
        _holder.registry = Registry(scim_settings.ADAPTERS)
    return _holder.registry


def clear_registry() -> None:
    _holder.registry = None


def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting == "SCIM":
        clear_registry()


setting_changed.connect(_reload)
