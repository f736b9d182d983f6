"""Frozen attribute and schema definitions (RFC 7643 §2 and §7).

Lookups are case-insensitive because attribute names are (RFC 7643 §2.1);
the canonical spelling is the one declared here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django_scim.schemas.characteristics import AttributeType, Mutability, Returned, Uniqueness


@dataclass(frozen=True)
class Attribute:
    name: str
    type: AttributeType = AttributeType.STRING
    description: str = ""
    multi_valued: bool = False
    required: bool = False
    case_exact: bool = False
    mutability: Mutability = Mutability.READ_WRITE
    returned: Returned = Returned.DEFAULT
    uniqueness: Uniqueness = Uniqueness.NONE
    sub_attributes: tuple[Attribute, ...] = ()
    canonical_values: tuple[str, ...] = ()
    reference_types: tuple[str, ...] = ()

    @cached_property
    def _sub_index(self) -> dict[str, Attribute]:
        return {sub.name.lower(): sub for sub in self.sub_attributes}

    def sub_attribute(self, name: str) -> Attribute | None:
        return self._sub_index.get(name.lower())

    @property
    def is_complex(self) -> bool:
        return self.type is AttributeType.COMPLEX

    @property
    def read_only(self) -> bool:
        return self.mutability is Mutability.READ_ONLY

    def to_document(self) -> dict[str, Any]:
        """The attribute as published in /Schemas (RFC 7643 §7)."""
        doc: dict[str, Any] = {
            "name": self.name,
            "type": self.type.value,
            "multiValued": self.multi_valued,
            "description": self.description,
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": self.mutability.value,
            "returned": self.returned.value,
            "uniqueness": self.uniqueness.value,
        }
        if self.sub_attributes:
            doc["subAttributes"] = [sub.to_document() for sub in self.sub_attributes]
        if self.canonical_values:
            doc["canonicalValues"] = list(self.canonical_values)
        if self.reference_types:
            doc["referenceTypes"] = list(self.reference_types)
        return doc


@dataclass(frozen=True)
class Schema:
    id: str
    name: str
    description: str
    attributes: tuple[Attribute, ...] = field(default_factory=tuple)

    @cached_property
    def _index(self) -> dict[str, Attribute]:
        return {attribute.name.lower(): attribute for attribute in self.attributes}

    def attribute(self, name: str) -> Attribute | None:
        return self._index.get(name.lower())

    def __iter__(self) -> Iterator[Attribute]:
        return iter(self.attributes)

    def to_document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": [attribute.to_document() for attribute in self.attributes],
        }


def string(name: str, description: str = "", **kwargs: Any) -> Attribute:
    return Attribute(name, AttributeType.STRING, description, **kwargs)


def boolean(name: str, description: str = "", **kwargs: Any) -> Attribute:
    return Attribute(name, AttributeType.BOOLEAN, description, **kwargs)


def reference(name: str, types: tuple[str, ...], description: str = "", **kwargs: Any) -> Attribute:
    return Attribute(name, AttributeType.REFERENCE, description, reference_types=types, **kwargs)


def complex_(
    name: str, subs: tuple[Attribute, ...], description: str = "", **kwargs: Any
) -> Attribute:
    return Attribute(name, AttributeType.COMPLEX, description, sub_attributes=subs, **kwargs)
