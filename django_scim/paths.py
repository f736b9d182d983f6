"""Attribute paths: ``userName``, ``name.givenName``, ``urn:...:enterprise:2.0:User:manager.value``.

RFC 7644 §3.10 defines how an attribute is named: optionally qualified by its
schema URN, then the attribute, then an optional sub-attribute. Resolution is
case-insensitive (RFC 7643 §2.1) and returns the canonical spelling, so the
rest of the package never compares attribute names by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django_scim.schemas.attributes import Attribute
from django_scim.schemas.core import COMMON_ATTRIBUTES

if TYPE_CHECKING:
    from django_scim.schemas.registry import ResourceType  # noqa: F401

_COMMON = {attribute.name.lower(): attribute for attribute in COMMON_ATTRIBUTES}


class UnknownAttribute(LookupError):
    """The path names no attribute of the resource type."""


@dataclass(frozen=True)
class AttributePath:
    schema: str
    attribute: Attribute | None
    sub_attribute: Attribute | None = None
    is_extension: bool = False

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        """A hashable, canonical identity for the path."""
        return (
            self.schema,
            self.attribute.name if self.attribute else None,
            self.sub_attribute.name if self.sub_attribute else None,
        )

    def __str__(self) -> str:
        name = self.attribute.name if self.attribute else ""
        if self.sub_attribute:
            name = f"{name}.{self.sub_attribute.name}"
        if self.is_extension:
            return f"{self.schema}:{name}" if name else self.schema
        return name

    def container(self, data: dict[str, Any], create: bool = False) -> dict[str, Any] | None:
        """The dict that holds this path's top-level attribute (the resource or an extension)."""
        if not self.is_extension:
            return data
        holder = data.get(self.schema)
        if holder is None and create:
            holder = data[self.schema] = {}
        return holder if isinstance(holder, dict) else None

    def get(self, data: dict[str, Any]) -> Any:
        holder = self.container(data)
        if holder is None or self.attribute is None:
            return holder
        value = holder.get(self.attribute.name)
        if self.sub_attribute is None:
            return value
        return value.get(self.sub_attribute.name) if isinstance(value, dict) else None

    def set(self, data: dict[str, Any], value: Any) -> None:
        """Set (or, for None, remove) the value, creating containers as needed."""
        assert self.attribute is not None
        holder = self.container(data, create=value is not None)
        if holder is None:
            return
        if self.sub_attribute is None:
            _put(holder, self.attribute.name, value)
            return
        parent = holder.get(self.attribute.name)
        if not isinstance(parent, dict):
            if value is None:
                return
            parent = holder[self.attribute.name] = {}
        _put(parent, self.sub_attribute.name, value)
        if not parent:
            holder.pop(self.attribute.name, None)

    def pop(self, data: dict[str, Any]) -> Any:
        value = self.get(data)
        if self.attribute is not None:
            self.set(data, None)
        return value


def _put(holder: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        holder.pop(key, None)
    else:
        holder[key] = value


def split_urn(text: str, resource_type: ResourceType) -> tuple[str, str, bool]:
    """Split a schema URN prefix off ``text``: (schema id, rest, is_extension)."""
    lowered = text.lower()
    for schema in sorted(resource_type.schemas, key=lambda s: -len(s.id)):
        urn = schema.id.lower()
        if lowered == urn:
            return schema.id, "", schema is not resource_type.schema
        if lowered.startswith(urn + ":"):
            return schema.id, text[len(urn) + 1 :], schema is not resource_type.schema
    return resource_type.schema.id, text, False


def parse_path(text: str, resource_type: ResourceType) -> AttributePath:
    """Resolve ``text`` against the resource type's schemas; raise UnknownAttribute if it fails."""
    schema_id, rest, is_extension = split_urn(text.strip(), resource_type)
    if not rest:
        if not is_extension:
            raise UnknownAttribute(text)
        return AttributePath(schema_id, None, None, True)
    name, _, sub_name = rest.partition(".")
    schema = resource_type.schema_by_id(schema_id)
    attribute = schema.attribute(name)
    if attribute is None and not is_extension:
        attribute = _COMMON.get(name.lower())
        if attribute is None:
            # RFC 7644 §3.10 qualifies extension attributes by URN; Entra ID also
            # sends a bare name (``manager``), taken when one extension has it.
            found = [ext for ext in resource_type.extensions if ext.attribute(name)]
            if len(found) == 1:
                schema_id, is_extension = found[0].id, True
                attribute = found[0].attribute(name)
    if attribute is None:
        raise UnknownAttribute(text)
    sub = None
    if sub_name:
        sub = attribute.sub_attribute(sub_name)
        if sub is None:
            raise UnknownAttribute(text)
    return AttributePath(schema_id, attribute, sub, is_extension)
