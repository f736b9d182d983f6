"""Resource types, their schemas and their adapters, built from ``SCIM["ADAPTERS"]``.

The registry is an object rebuilt after ``setting_changed``, never a module-level
dict mutated at run time. Building it validates every reference (duplicate
names or endpoints, adapter fields naming attributes that do not exist), so a
misconfiguration fails at start-up with ``ImproperlyConfigured`` instead of on
the first provisioning request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

from django_scim.conf import scim_settings
from django_scim.schemas.attributes import Schema

if TYPE_CHECKING:
    from django_scim.adapters.base import ResourceAdapter


@dataclass(frozen=True)
class ResourceType:
    name: str
    endpoint: str
    description: str
    schema: Schema
    extensions: tuple[Schema, ...]
    adapter_class: type[ResourceAdapter]

    @cached_property
    def schemas(self) -> tuple[Schema, ...]:
        return (self.schema, *self.extensions)

    def schema_by_id(self, schema_id: str) -> Schema:
        for schema in self.schemas:
            if schema.id.lower() == schema_id.lower():
                return schema
        raise KeyError(schema_id)

    def extension_by_id(self, schema_id: str) -> Schema | None:
        for schema in self.extensions:
            if schema.id.lower() == schema_id.lower():
                return schema
        return None

    @property
    def path_segment(self) -> str:
        return self.endpoint.strip("/")


class Registry:
    def __init__(self, adapter_classes: list[type[ResourceAdapter]]) -> None:
        from django_scim.adapters.base import ResourceAdapter

        self.resource_types: tuple[ResourceType, ...] = ()
        by_name: dict[str, ResourceType] = {}
        by_segment: dict[str, ResourceType] = {}
        for adapter_class in adapter_classes:
            if not (isinstance(adapter_class, type) and issubclass(adapter_class, ResourceAdapter)):
                raise ImproperlyConfigured(
                    f"SCIM['ADAPTERS']: {adapter_class!r} is not a ResourceAdapter subclass."
                )
            resource_type = adapter_class.build_resource_type()
            segment = resource_type.path_segment.lower()
            if resource_type.name in by_name or segment in by_segment:
                raise ImproperlyConfigured(
                    f"SCIM['ADAPTERS']: resource type {resource_type.name!r} "
                    f"({resource_type.endpoint}) is declared twice."
                )
            adapter_class.check_fields(resource_type)
            by_name[resource_type.name] = resource_type
            by_segment[segment] = resource_type
        self.resource_types = tuple(by_name.values())
        self._by_name = by_name
        self._by_segment = by_segment

    def get(self, name: str) -> ResourceType | None:
        return self._by_name.get(name)

    def by_segment(self, segment: str) -> ResourceType | None:
        return self._by_segment.get(segment.lower())

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
