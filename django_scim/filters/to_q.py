"""Filter AST -> Django ``Q`` on a resource type's model, so search runs in the database.

The translator knows the grammar and the schema (RFC 7644 §3.4.2.2): logical
operators, attribute resolution, the implied ``value`` sub-attribute of a
complex attribute, typing of values, value paths. Where a value is kept is
not its business: for every leaf it asks the storage (the adapter serving the
request) for the mapping of the path and lets that mapping build the
condition — on a column, on related objects, on the side table, on the
common attributes. A custom mapping is therefore filterable like the stock
ones. Unknown attributes and operators an attribute forbids are 400
invalidFilter.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Protocol

from django.db.models import Q

from django_scim.errors import InvalidFilter
from django_scim.filters import ast
from django_scim.filters.ast import resolve_filter_path
from django_scim.filters.compare import ALWAYS, NEVER, coerce
from django_scim.paths import AttributePath, UnknownAttribute, parse_path
from django_scim.schemas.attributes import Attribute
from django_scim.schemas.registry import ResourceType


class Scope(ABC):
    """Where the sub-attributes of one element live, for the inside of a value path."""

    @abstractmethod
    def leaf(self, sub: Attribute, op: str | None, value: Any) -> Q:
        """The condition ``sub op value`` on one element, in this storage."""


class Storage(Protocol):
    """What the translator needs of whoever serves the resource type (an adapter)."""

    @property
    def resource_type(self) -> ResourceType: ...

    def mapping_for(self, path: AttributePath) -> Any:
        """The mapping that stores ``path`` (one always does)."""

    def mappings_of(self, schema_id: str) -> list[tuple[AttributePath, Any]]:
        """The declared mappings of the attributes of one schema."""


class QueryTranslator:
    """Translates one filter for one resource type. Stateless apart from its storage."""

    def __init__(self, storage: Storage, unknown_matches_nothing: bool = False) -> None:
        self.storage = storage
        self.resource_type = storage.resource_type
        #: For a search across resource types: a name this type lacks is a false leaf.
        self.unknown_matches_nothing = unknown_matches_nothing

    def translate(self, node: ast.Node) -> Q:
        handler = getattr(self, f"_{type(node).__name__.lower()}")
        return handler(node)

    # -- logical nodes ---------------------------------------------------------

    def _and(self, node: ast.And) -> Q:
        return self.translate(node.left) & self.translate(node.right)

    def _or(self, node: ast.Or) -> Q:
        return self.translate(node.left) | self.translate(node.right)

    def _not(self, node: ast.Not) -> Q:
        return ~self.translate(node.expr)

    # -- leaves ----------------------------------------------------------------

    def _known(self, ref: ast.AttrRef) -> bool:
        if not self.unknown_matches_nothing:
            return True
        try:
            parse_path(ref.text, self.resource_type)
        except UnknownAttribute:
            return False
        return True

    def _schemas(self, op: str | None, value: Any) -> Q:
        """``schemas eq "urn"`` (RFC 7644 §3.4.2.2 example): which schemas a resource carries;
        an extension is carried when one of its attributes is present."""
        if op is None:
            return ALWAYS
        if op not in ("eq", "ne") or not isinstance(value, str):
            raise InvalidFilter("'schemas' supports eq and ne with a schema URN.")
        extension = self.resource_type.extension_by_id(value)
        if value.lower() == self.resource_type.schema.id.lower():
            q = ALWAYS
        elif extension is None:
            q = NEVER
        else:
            whole = AttributePath(extension.id, None, None, True)
            q = self.storage.mapping_for(whole).condition(self.storage, whole, None, None, None)
            for path, mapping in self.storage.mappings_of(extension.id):
                target = path.sub_attribute or path.attribute
                if target is not None and not target.multi_valued and not mapping.is_relation:
                    q |= mapping.condition(self.storage, path, target, None, None)
        return q if op == "eq" else ~q

    def _compare(self, node: ast.Compare) -> Q:
        if node.path.text.lower() == "schemas":
            return self._schemas(node.op, node.value)
        if not self._known(node.path):
            return NEVER
        return self._leaf(self._resolve(node.path), node.op, node.value, node.path.text)

    def _present(self, node: ast.Present) -> Q:
        if node.path.text.lower() == "schemas":
            return ALWAYS
        if not self._known(node.path):
            return NEVER
        return self._leaf(self._resolve(node.path), None, None, node.path.text)

    def _resolve(self, ref: ast.AttrRef) -> AttributePath:
        path: AttributePath = resolve_filter_path(ref, self.resource_type)
        return path

    def _valuepath(self, node: ast.ValuePath) -> Q:
        if not self._known(node.path):
            return NEVER
        path = self._resolve(node.path)
        attribute = path.attribute
        assert attribute is not None
        if path.sub_attribute is not None or not attribute.is_complex:
            raise InvalidFilter(f"'{node.path.text}[...]' needs a complex attribute.")
        inner = ElementFilter(attribute, node.filter)
        if not attribute.multi_valued:
            # ``name[familyName eq "J"]``: the one value, when there is one, is the element.
            return inner.on(SingularScope(self, path)) & self._present_complex(path)
        return self._elements(path, inner.on)

    def _leaf(self, path: AttributePath, op: str | None, value: Any, name: str) -> Q:
        attribute = path.attribute
        assert attribute is not None
        if attribute.is_complex and path.sub_attribute is None:
            if op is None:
                # RFC 7644 §3.4.2.2: pr on a complex attribute asks for a non-empty node.
                if attribute.multi_valued:
                    return self._elements(path, lambda scope: ALWAYS)
                return self._present_complex(path)
            implied = attribute.sub_attribute("value")
            if implied is None:
                raise InvalidFilter(f"'{name}' is complex: compare one of its sub-attributes.")
            # RFC 7644 §3.4.2.2: ``emails co "x"`` compares the ``value`` sub-attribute.
            path = AttributePath(path.schema, attribute, implied, path.is_extension)
        target = path.sub_attribute or attribute
        typed = coerce(target, op, value, name) if op is not None else None
        if attribute.multi_valued:
            return self._elements(path, lambda scope: scope.leaf(target, op, typed))
        return self.singular(path, target, op, typed)

    def _present_complex(self, path: AttributePath) -> Q:
        attribute = path.attribute
        assert attribute is not None
        q = NEVER
        for sub in attribute.sub_attributes:
            sub_path = AttributePath(path.schema, attribute, sub, path.is_extension)
            q |= self.singular(sub_path, sub, None, None)
        return q

    # -- storage ---------------------------------------------------------------

    def singular(self, path: AttributePath, target: Attribute, op: str | None, value: Any) -> Q:
        """A condition on a singular (sub-)attribute, built by the mapping that stores it."""
        mapping = self.storage.mapping_for(path)
        condition: Q = mapping.condition(self.storage, path, target, op, value)
        return condition

    def _elements(self, path: AttributePath, build: Any) -> Q:
        """A condition on the elements of a multi-valued attribute, wherever they are kept."""
        whole = AttributePath(path.schema, path.attribute, None, path.is_extension)
        condition: Q = self.storage.mapping_for(whole).elements(self.storage, whole, build)
        return condition


class SingularScope(Scope):
    """The sub-attributes of a singular complex attribute, each wherever it is stored."""

    def __init__(self, translator: QueryTranslator, path: AttributePath) -> None:
        self.translator = translator
        self.path = path

    def leaf(self, sub: Attribute, op: str | None, value: Any) -> Q:
        path = AttributePath(self.path.schema, self.path.attribute, sub, self.path.is_extension)
        return self.translator.singular(path, sub, op, value)


class ElementFilter:
    """The inside of a value path: paths name sub-attributes of one element."""

    def __init__(self, attribute: Attribute, node: ast.Node) -> None:
        self.attribute = attribute
        self.node = node

    def on(self, scope: Scope) -> Q:
        """The filter as a condition on one element kept in ``scope``."""
        return self._translate(self.node, scope)

    def _translate(self, node: ast.Node, scope: Scope) -> Q:
        if isinstance(node, ast.And):
            return self._translate(node.left, scope) & self._translate(node.right, scope)
        if isinstance(node, ast.Or):
            return self._translate(node.left, scope) | self._translate(node.right, scope)
        if isinstance(node, ast.Not):
            return ~self._translate(node.expr, scope)
        if isinstance(node, ast.ValuePath):
            raise InvalidFilter("Value paths cannot be nested.")
        sub = self.attribute.sub_attribute(node.path.text)
        if sub is None:
            raise InvalidFilter(
                f"'{node.path.text}' is not a sub-attribute of '{self.attribute.name}'."
            )
        if isinstance(node, ast.Present):
            return scope.leaf(sub, None, None)
        typed = coerce(sub, node.op, node.value, f"{self.attribute.name}.{sub.name}")
        return scope.leaf(sub, node.op, typed)
