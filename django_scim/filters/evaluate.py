"""The same filter AST evaluated on a SCIM dict (PATCH value paths; a cross-check for the SQL).

Semantics match ``to_q`` by construction: the schema decides case
sensitivity and types, a multi-valued attribute matches when any element
does, ``ne`` is ``not eq`` (so it matches an absent value), and absent means
null, ``""`` or ``[]``.
"""

from __future__ import annotations

from typing import Any

from django_scim.errors import InvalidFilter
from django_scim.filters import ast
from django_scim.filters.ast import resolve_filter_path
from django_scim.filters.compare import coerce
from django_scim.filters.values import compare_values, is_absent
from django_scim.paths import AttributePath
from django_scim.schemas.attributes import Attribute
from django_scim.schemas.registry import ResourceType


def _leaves(node: ast.Node) -> list[ast.Node]:
    """Comparisons and value paths of a filter, in written order."""
    found: list[ast.Node] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, (ast.And, ast.Or)):
            pending += [current.right, current.left]
        elif isinstance(current, ast.Not):
            pending.append(current.expr)
        else:
            found.append(current)
    return found


class Evaluator:
    """Whether one resource matches a filter.

    ``matches`` checks every leaf of the filter before evaluating it, so an
    unknown attribute or a wrong value type is an error whatever the data, as
    it is for the SQL translator; evaluation itself short-circuits.
    """

    def __init__(self, resource_type: ResourceType) -> None:
        self.resource_type = resource_type

    def matches(self, node: ast.Node, resource: dict[str, Any]) -> bool:
        self.check(node)
        return self._matches(node, resource)

    def check(self, node: ast.Node) -> None:
        """Raise InvalidFilter for any leaf that is invalid, on no data in particular."""
        for leaf in _leaves(node):
            if isinstance(leaf, ast.ValuePath) and leaf.path.text.lower() != "schemas":
                path = self._resolve(leaf.path)
                self._value_path(path, leaf, {})
                assert path.attribute is not None
                ElementEvaluator(path.attribute).check(leaf.filter)
            else:
                self._matches(leaf, {})

    def _matches(self, node: ast.Node, resource: dict[str, Any]) -> bool:
        if isinstance(node, ast.And):
            return self._matches(node.left, resource) and self._matches(node.right, resource)
        if isinstance(node, ast.Or):
            return self._matches(node.left, resource) or self._matches(node.right, resource)
        if isinstance(node, ast.Not):
            return not self._matches(node.expr, resource)
        if node.path.text.lower() == "schemas" and not isinstance(node, ast.ValuePath):
            return self._schemas(node, resource)
        path = self._resolve(node.path)
        if isinstance(node, ast.ValuePath):
            return self._value_path(path, node, resource)
        return self._leaf(path, node, resource)

    def _schemas(self, node: ast.Compare | ast.Present, resource: dict[str, Any]) -> bool:
        carried = [urn.lower() for urn in resource.get("schemas", [])]
        if isinstance(node, ast.Present):
            return bool(carried)
        if node.op not in ("eq", "ne") or not isinstance(node.value, str):
            raise InvalidFilter("'schemas' supports eq and ne with a schema URN.")
        found = node.value.lower() in carried
        return found if node.op == "eq" else not found

    def _resolve(self, ref: ast.AttrRef) -> AttributePath:
        return resolve_filter_path(ref, self.resource_type)

    def _value_path(
        self, path: AttributePath, node: ast.ValuePath, resource: dict[str, Any]
    ) -> bool:
        attribute = path.attribute
        assert attribute is not None
        if path.sub_attribute is not None or not attribute.is_complex:
            raise InvalidFilter(f"'{node.path.text}[...]' needs a complex attribute.")
        value = AttributePath(path.schema, attribute, None, path.is_extension).get(resource)
        elements = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        inner = ElementEvaluator(attribute)
        return any(inner._matches(node.filter, element) for element in elements)

    def _leaf(
        self, path: AttributePath, node: ast.Compare | ast.Present, resource: dict[str, Any]
    ) -> bool:
        attribute = path.attribute
        assert attribute is not None
        op = node.op if isinstance(node, ast.Compare) else None
        raw = node.value if isinstance(node, ast.Compare) else None
        name = node.path.text
        if attribute.is_complex and path.sub_attribute is None:
            if op is None:
                # RFC 7644 §3.4.2.2: pr on a complex attribute asks for a non-empty node.
                whole = path.get(resource)
                if isinstance(whole, list):
                    return any(not is_absent(item) for item in whole)
                return not is_absent(whole)
            implied = attribute.sub_attribute("value")
            if implied is None:
                raise InvalidFilter(f"'{name}' is complex: compare one of its sub-attributes.")
            path = AttributePath(path.schema, attribute, implied, path.is_extension)
        target = path.sub_attribute or attribute
        typed = coerce(target, op, raw, name) if op is not None else None
        if attribute.multi_valued:
            # RFC 7644 §3.4.2.2: a multi-valued attribute matches when any element does.
            return any(_test(value, target, op, typed) for value in _element_values(path, resource))
        return _test(path.get(resource), target, op, typed)


def _element_values(path: AttributePath, resource: dict[str, Any]) -> list[Any]:
    """The compared value of each element (absent ones included, as None)."""
    attribute = path.attribute
    assert attribute is not None
    whole = AttributePath(path.schema, attribute, None, path.is_extension).get(resource)
    items = whole if isinstance(whole, list) else []
    if path.sub_attribute is None:
        return items
    return [item.get(path.sub_attribute.name) if isinstance(item, dict) else None for item in items]


def _test(value: Any, attribute: Attribute, op: str | None, typed: Any) -> bool:
    if op is None:
        return not is_absent(value)
    return compare_values(value, op, typed, attribute.case_exact)


class ElementEvaluator:
    """The inside of a value path: sub-attributes of one element."""

    def __init__(self, attribute: Attribute) -> None:
        self.attribute = attribute

    def matches(self, node: ast.Node, element: dict[str, Any]) -> bool:
        self.check(node)
        return self._matches(node, element)

    def check(self, node: ast.Node) -> None:
        """Raise InvalidFilter for any invalid leaf, whatever the element holds."""
        for leaf in _leaves(node):
            self._matches(leaf, {})

    def _matches(self, node: ast.Node, element: dict[str, Any]) -> bool:
        if isinstance(node, ast.And):
            return self._matches(node.left, element) and self._matches(node.right, element)
        if isinstance(node, ast.Or):
            return self._matches(node.left, element) or self._matches(node.right, element)
        if isinstance(node, ast.Not):
            return not self._matches(node.expr, element)
        if isinstance(node, ast.ValuePath):
            raise InvalidFilter("Value paths cannot be nested.")
        sub = self.attribute.sub_attribute(node.path.text)
        if sub is None:
            raise InvalidFilter(
                f"'{node.path.text}' is not a sub-attribute of '{self.attribute.name}'."
            )
        value = element.get(sub.name) if isinstance(element, dict) else None
        if isinstance(node, ast.Present):
            return not is_absent(value)
        typed = coerce(sub, node.op, node.value, f"{self.attribute.name}.{sub.name}")
        return compare_values(value, node.op, typed, sub.case_exact)
