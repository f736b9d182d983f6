"""PATCH paths (RFC 7644 §3.5.2): ``attrPath`` or ``valuePath [ "." subAttr ]``.

An attribute path (:mod:`django_scim.paths`) optionally followed by a value
filter over the elements of a multi-valued attribute and a sub-attribute:
``emails[type eq "work"].value``. The filter is parsed and checked against the
attribute's sub-attributes here, so a malformed one is ``invalidPath`` before
any operation runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django_scim.errors import InvalidFilter, InvalidPath
from django_scim.filters.evaluate import ElementEvaluator
from django_scim.filters.parser import parse_filter
from django_scim.paths import AttributePath, UnknownAttribute, parse_path
from django_scim.schemas.attributes import Attribute
from django_scim.schemas.registry import ResourceType


@dataclass(frozen=True)
class PatchPath:
    """A PATCH target (RFC 7644 §3.5.2): ``attrPath`` or ``valuePath [ "." subAttr ]``."""

    attribute: AttributePath
    filter: Any = None  # a filters.ast node over the elements, or None
    sub_attribute: Attribute | None = None

    @property
    def target(self) -> Attribute:
        """The attribute whose characteristics govern the operation."""
        found = self.sub_attribute or self.attribute.sub_attribute or self.attribute.attribute
        assert found is not None
        return found

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return (
            str(self.attribute)
            + ("[...]" if self.filter is not None else "")
            + (f".{self.sub_attribute.name}" if self.sub_attribute else "")
        )


def parse_patch_path(text: Any, resource_type: ResourceType) -> PatchPath:
    """Parse a PATCH ``path``; raise InvalidPath for anything malformed or unknown."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidPath("'path' must be a non-empty string.")
    text = text.strip()
    head, bracket, rest = text.partition("[")
    try:
        path = parse_path(head, resource_type)
    except UnknownAttribute:
        raise InvalidPath(f"Unknown attribute path '{text}'.") from None
    if not bracket:
        return PatchPath(path)
    inner, closing, tail = rest.rpartition("]")
    attribute = path.attribute
    if not closing or attribute is None or path.sub_attribute or not attribute.is_complex:
        raise InvalidPath(f"Malformed value path '{text}'.")
    try:
        node = parse_filter(inner)
        ElementEvaluator(attribute).check(node)
    except InvalidFilter as exc:
        raise InvalidPath(f"Invalid filter in path '{text}': {exc.detail}") from None
    sub = None
    if tail:
        if not tail.startswith(".") or attribute.sub_attribute(tail[1:]) is None:
            raise InvalidPath(f"Unknown sub-attribute in path '{text}'.")
        sub = attribute.sub_attribute(tail[1:])
    return PatchPath(path, node, sub)
