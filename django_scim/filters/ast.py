"""Immutable filter AST. Attribute paths stay as written; resolving them is the translator's job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django_scim.errors import InvalidFilter
from django_scim.paths import UnknownAttribute, parse_path


@dataclass(frozen=True)
class AttrRef:
    """``[urn:]attr[.sub]`` as written, with the position it started at."""

    text: str
    position: int = 0


@dataclass(frozen=True)
class Compare:
    path: AttrRef
    op: str  # eq ne co sw ew gt ge lt le, lower-case
    value: Any  # str, bool, int, float or None


@dataclass(frozen=True)
class Present:
    path: AttrRef


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    expr: Node


@dataclass(frozen=True)
class ValuePath:
    """``attr[filter]``: the inner filter applies to one element of a complex attribute."""

    path: AttrRef
    filter: Node


Node = Compare | Present | And | Or | Not | ValuePath

COMPARE_OPS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"})


def attribute_refs(node: Node) -> list[AttrRef]:
    """The top-level attribute references of a filter (value-path insides excluded)."""
    if isinstance(node, (And, Or)):
        return attribute_refs(node.left) + attribute_refs(node.right)
    if isinstance(node, Not):
        return attribute_refs(node.expr)
    return [node.path]


def resolve_filter_path(ref: AttrRef, resource_type: Any) -> Any:
    """The attribute ``ref`` names in ``resource_type``, or InvalidFilter saying where."""
    try:
        path = parse_path(ref.text, resource_type)
    except UnknownAttribute:
        raise InvalidFilter(f"Unknown attribute '{ref.text}' at position {ref.position}.") from None
    if path.attribute is None:
        raise InvalidFilter(f"'{ref.text}' names a schema, not an attribute.")
    return path
