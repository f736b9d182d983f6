"""Filter AST -> Django ``Q`` on the adapter's model, so search runs in the database.

Each attribute lives in one of four places, and each leaf is translated where
its data is:

- a model column (``Column``, ``PrimaryValue``'s primary value): a condition on the model;
- a many-to-many relation (``members``, ``groups``): a subquery over the related model;
- the side table (unmapped attributes): JSON conditions on ``ResourceRecord.attributes``,
  and for multi-valued attributes on ``ResourceElement`` rows, one row per element, so
  a value path (``emails[type eq "work" and value co "@x"]``) matches within one element;
- the common attributes: ``id``/``externalId``/``meta.*`` on the record (or the model's
  creation column).

Conditions on other tables become ``pk IN (subquery)``, so ``not`` means "no
element matches" and objects without a side row simply have no side attributes.
Unknown attributes and operators an attribute forbids are 400 invalidFilter.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from django_scim.adapters.fields import Column, ManyToMany, PrimaryValue
from django_scim.adapters.records import path_element_key
from django_scim.errors import InvalidFilter
from django_scim.expressions import UUIDText
from django_scim.filters import ast
from django_scim.filters.ast import resolve_filter_path
from django_scim.filters.compare import (
    ALWAYS,
    NEVER,
    STRING_TYPES,
    coerce,
    compare,
    compare_text,
    present,
)
from django_scim.models import ResourceElement, ResourceRecord
from django_scim.paths import AttributePath, UnknownAttribute, parse_path
from django_scim.schemas.attributes import Attribute
from django_scim.schemas.characteristics import AttributeType

if TYPE_CHECKING:
    from django_scim.adapters.base import ResourceAdapter


class Scope(ABC):
    """Where the sub-attributes of one element live, for the inside of a value path."""

    @abstractmethod
    def leaf(self, sub: Attribute, op: str | None, value: Any) -> Q:
        """The condition ``sub op value`` on one element, in this storage."""


def json_leaf(prefix: str, key: str, attribute: Attribute, op: str | None, value: Any) -> Q:
    """A condition on one JSON member (``prefix__key``), typed by the schema."""
    lookup = f"{prefix}__{key}"
    if op is None:
        q = Q(**{f"{lookup}__isnull": False})
        if attribute.type in STRING_TYPES:
            q &= ~Q(**{lookup: ""})
        return q
    if attribute.type in STRING_TYPES or attribute.type is AttributeType.DATETIME:
        if attribute.type is AttributeType.DATETIME and value is not None:
            value = value.isoformat()
        return compare(KT(lookup), op, value, attribute)
    if value is None:
        return (
            ~json_leaf(prefix, key, attribute, None, None)
            if op == "eq"
            else json_leaf(prefix, key, attribute, None, None)
        )
    # Guarded by "the key is there", so a missing key yields FALSE, never SQL
    # NULL, and ``not (...)`` around it stays the exact negation.
    stored = Q(**{f"{lookup}__isnull": False})
    if op == "eq":
        return Q(**{lookup: value}) & stored
    if op == "ne":
        return ~(Q(**{lookup: value}) & stored)
    return Q(**{f"{lookup}__{op.replace('ge', 'gte').replace('le', 'lte')}": value}) & stored


class ElementScope(Scope):
    """Elements stored as ResourceElement rows (``data`` holds the element)."""

    def leaf(self, sub: Attribute, op: str | None, value: Any) -> Q:
        if op == "eq" and sub.name == "value" and isinstance(value, str) and not sub.case_exact:
            return Q(value_key=value.lower()[:255]) & json_leaf("data", "value", sub, op, value)
        return json_leaf("data", sub.name, sub, op, value)


class ColumnElementScope(Scope):
    """The element whose value a model column holds (``PrimaryValue``).

    Its value is the column (which wins over the side table, so edits made
    outside SCIM are searched as shown). Its other sub-attributes are in its
    element row, marked ``in_column``; an object without such a row (made
    outside SCIM) shows ``{"value": <column>, "primary": true}`` and nothing else.
    Every leaf speaks of this one element, so and/or/not combine them exactly.
    """

    def __init__(self, field: str, marked: Any, unmarked: Q) -> None:
        self.field = field
        self.marked = marked  # condition on the marked row -> Q on the model
        self.unmarked = unmarked  # objects without a marked row

    def leaf(self, sub: Attribute, op: str | None, value: Any) -> Q:
        if sub.name == "value":
            return present(self.field, sub) if op is None else compare(self.field, op, value, sub)
        if sub.name == "primary":  # shown as true where there is no row
            unmarked_matches = op is None or _python_compare(True, op, value, True)
        else:
            unmarked_matches = op is not None and _absent_matches(op, value)
        q = self.marked(json_leaf("data", sub.name, sub, op, value))
        return q | self.unmarked if unmarked_matches else q


class SingularScope(Scope):
    """The sub-attributes of a singular complex attribute, wherever each is stored."""

    def __init__(self, translator: QueryTranslator, path: AttributePath) -> None:
        self.translator = translator
        self.path = path

    def leaf(self, sub: Attribute, op: str | None, value: Any) -> Q:
        path = AttributePath(self.path.schema, self.path.attribute, sub, self.path.is_extension)
        return self.translator._singular(path, sub, op, value)


class RelationScope(Scope):
    """Elements that are related objects of another resource type (members, groups)."""

    def __init__(self, mapping: ManyToMany, target: ResourceAdapter) -> None:
        self.mapping = mapping
        self.target = target

    def leaf(self, sub: Attribute, op: str | None, value: Any) -> Q:
        if sub.name == "value":
            if op is None:
                return ALWAYS
            records = ResourceRecord.objects.filter(resource_type=self.target.resource_type_name)
            condition = id_condition(op, value, sub.case_exact)
            return Q(pk__in=self.target.pks_from_records(records.filter(condition)))
        if sub.name == "display" and self.target.display_field:
            field = self.target.display_field
            return present(field, sub) if op is None else compare(field, op, value, sub)
        if sub.name == "type":
            constant = self.mapping.element_type
            if op is None:
                return ALWAYS
            matched = _python_compare(constant, op, value, sub.case_exact)
            return ALWAYS if matched else NEVER
        if sub.name == "$ref":
            raise InvalidFilter("Filtering on '$ref' is not supported; filter on 'value'.")
        return NEVER if op != "ne" else ALWAYS


def id_condition(op: str | None, value: Any, case_exact: bool = True) -> Q:
    """A condition on ``ResourceRecord.id``: the id as the string it is rendered as.

    An id is caseExact (RFC 7643 §3.1); a reference to one (``members.value``)
    may not be, so ``case_exact`` follows the attribute compared. Equality, the
    lookup IdPs make, uses the key itself; every other operator compares the
    id's canonical text (lower-case, dashed).
    """
    if op is None:
        return ALWAYS
    if value is None:
        return ALWAYS if op == "ne" else NEVER
    if op in ("eq", "ne"):
        key = _canonical_uuid(value if case_exact else value.lower())
        matched = Q(id=key) if key is not None else NEVER
        return matched if op == "eq" else ~matched
    return compare_text(UUIDText("id"), op, value, case_exact)


def _canonical_uuid(value: str) -> UUID | None:
    """``value`` as a UUID if it is spelled exactly as ids are rendered, else None."""
    try:
        key = UUID(value)
    except ValueError:
        return None
    return key if str(key) == value else None


def _python_compare(left: Any, op: str, right: Any, case_exact: bool) -> bool:
    from django_scim.filters.evaluate import compare_values

    return compare_values(left, op, right, case_exact)


class QueryTranslator:
    """Translates one filter for one adapter. Stateless apart from the adapter."""

    def __init__(self, adapter: ResourceAdapter, unknown_matches_nothing: bool = False) -> None:
        self.adapter = adapter
        self.resource_type = adapter.resource_type
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

    # -- leaves ------------------------------------------------------------------

    def _resolve(self, ref: ast.AttrRef) -> AttributePath:
        return resolve_filter_path(ref, self.resource_type)

    def _known(self, ref: ast.AttrRef) -> bool:
        if not self.unknown_matches_nothing:
            return True
        try:
            parse_path(ref.text, self.resource_type)
        except UnknownAttribute:
            return False
        return True

    def _schemas(self, op: str | None, value: Any) -> Q:
        """``schemas eq "urn"`` (RFC 7644 §3.4.2.2 example): which schemas a resource carries."""
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
            q = self._record_q(Q(attributes__has_key=extension.id))
            for path, mapping in self.adapter.bound_fields:
                target = path.sub_attribute or path.attribute
                if path.schema == extension.id and isinstance(mapping, Column) and target:
                    q |= present(mapping.field, target)
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

    def _valuepath(self, node: ast.ValuePath) -> Q:
        if not self._known(node.path):
            return NEVER
        path = self._resolve(node.path)
        attribute = path.attribute
        assert attribute is not None
        if path.sub_attribute is not None or not attribute.is_complex:
            raise InvalidFilter(f"'{node.path.text}[...]' needs a complex attribute.")
        if not attribute.multi_valued:
            # ``name[familyName eq "J"]``: the one value, when there is one, is the element.
            scope = SingularScope(self, path)
            return ElementFilter(attribute, scope).translate(node.filter) & self._present_complex(
                path
            )
        return self._elements(
            path, lambda scope: ElementFilter(attribute, scope).translate(node.filter)
        )

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
        return self._singular(path, target, op, typed)

    def _present_complex(self, path: AttributePath) -> Q:
        attribute = path.attribute
        assert attribute is not None
        q = NEVER
        for sub in attribute.sub_attributes:
            sub_path = AttributePath(path.schema, attribute, sub, path.is_extension)
            q |= self._singular(sub_path, sub, None, None)
        return q

    # -- storage -----------------------------------------------------------------

    def _singular(self, path: AttributePath, target: Attribute, op: str | None, value: Any) -> Q:
        common = self._common(path, target, op, value)
        if common is not None:
            return common
        mapping = self.adapter.mapping_for(path)
        if isinstance(mapping, Column):
            return (
                present(mapping.field, target)
                if op is None
                else compare(mapping.field, op, value, target)
            )
        if mapping is not None:
            raise InvalidFilter(f"'{path}' cannot be filtered.")
        return self._record_q(
            json_leaf("attributes", _json_key(path), target, op, value), _absent_matches(op, value)
        )

    def _common(
        self, path: AttributePath, target: Attribute, op: str | None, value: Any
    ) -> Q | None:
        if path.is_extension or path.schema != self.resource_type.schema.id:
            return None
        name = path.attribute.name if path.attribute else ""
        if name == "id":
            # An object without a side row has an id the moment it is shown, one
            # nobody can know yet: it is present and equal to no given value.
            return self._record_q(id_condition(op, value), op is None or op == "ne")
        if name == "externalId":
            return self._record_q(
                present("external_id", target)
                if op is None
                else compare("external_id", op, value, target),
                _absent_matches(op, value),
            )
        if name != "meta":
            return None
        return self._meta(target, op, value)

    def _meta(self, target: Attribute, op: str | None, value: Any) -> Q:
        if target.name == "resourceType":
            matched = op is None or _python_compare(
                self.resource_type.name, op, value, target.case_exact
            )
            return ALWAYS if matched else NEVER
        if target.name == "created":
            field = self.adapter.created_field
            if field:
                return present(field, target) if op is None else compare(field, op, value, target)
            return self._record_q(
                present("created", target) if op is None else compare("created", op, value, target)
            )
        if target.name == "lastModified":
            # A side row, once made, starts from the object's creation time.
            field = self.adapter.created_field
            unseen: Q | bool = op is None or op == "ne"
            if field and op is not None:
                unseen = compare(field, op, value, target)
            return self._record_q(
                present("last_modified", target)
                if op is None
                else compare("last_modified", op, value, target),
                unseen,
            )
        raise InvalidFilter(f"'meta.{target.name}' cannot be filtered.")

    def _record_q(self, condition: Q, unseen: Q | bool = False) -> Q:
        """Objects whose side row meets ``condition``.

        ``unseen`` says how objects without a side row yet (made outside SCIM,
        never served) answer: they have no side attributes, so ``ne`` and
        ``eq null`` match them.
        """
        rows = ResourceRecord.objects.filter(Q(resource_type=self.resource_type.name) & condition)
        q = Q(pk__in=self.adapter.pks_from_records(rows))
        if unseen is False:
            return q
        every = ResourceRecord.objects.filter(resource_type=self.resource_type.name)
        without_row = ~Q(pk__in=self.adapter.pks_from_records(every))
        return q | (without_row if unseen is True else without_row & unseen)

    def _elements(self, path: AttributePath, build: Any) -> Q:
        """A condition on the elements of a multi-valued attribute, wherever they are kept."""
        mapping = self.adapter.mapping_for(path)
        if isinstance(mapping, ManyToMany):
            target = self.adapter.ctx.adapter(mapping.target)
            if target is None:
                return NEVER
            related = target.get_model()._default_manager.filter(
                build(RelationScope(mapping, target))
            )
            model = self.adapter.get_model()
            owners = model._default_manager.filter(**{f"{mapping.query_name(model)}__in": related})
            return Q(pk__in=owners.values("pk"))
        if mapping is not None and not isinstance(mapping, PrimaryValue):
            raise InvalidFilter(f"'{path}' cannot be filtered.")
        key = path_element_key(path)
        if not isinstance(mapping, PrimaryValue):
            return Q(pk__in=self._element_owners(Q(attribute=key) & build(ElementScope())))
        # One IN over a UNION rather than ``IN (...) OR column = x``: an OR
        # with a subquery defeats the column's index and scans the table.
        rows = Q(attribute=key, in_column=False) & build(ElementScope())
        column = self._column_element(path, mapping, build, key)
        model = self.adapter.get_model()
        owners = self._element_owners(rows).union(
            model._default_manager.filter(column).order_by().values("pk")
        )
        return Q(pk__in=owners)

    def _element_owners(self, condition: Q) -> QuerySet:
        """Keys of objects owning a matching element row (element index, then record by key)."""
        rows = ResourceElement.objects.filter(
            condition, record__resource_type=self.resource_type.name
        )
        pk = self.adapter.get_model()._meta.pk
        return rows.order_by().values_list(Cast("record__object_pk", output_field=pk), flat=True)

    def _element_q(self, condition: Q) -> Q:
        return Q(pk__in=self._element_owners(condition))

    def _column_element(
        self, path: AttributePath, mapping: PrimaryValue, build: Any, key: str
    ) -> Q:
        """The element whose value the column holds: only when the column has a value."""
        attribute = path.attribute
        assert attribute is not None

        def marked(condition: Q) -> Q:
            return self._element_q(Q(attribute=key, in_column=True) & condition)

        unmarked = ~self._element_q(Q(attribute=key, in_column=True))
        scope = ColumnElementScope(mapping.field, marked, unmarked)
        exists = present(mapping.field, attribute.sub_attribute("value") or attribute)
        return build(scope) & exists


def _absent_matches(op: str | None, value: Any) -> bool:
    """Whether an absent attribute meets the condition: ``ne <value>`` and ``eq null`` do."""
    return (op == "ne" and value is not None) or (op == "eq" and value is None)


def _json_key(path: AttributePath) -> str:
    """The JSON member path inside ``ResourceRecord.attributes`` (``__``-joined)."""
    assert path.attribute is not None
    parts = [path.schema] if path.is_extension else []
    parts.append(path.attribute.name)
    if path.sub_attribute is not None and not path.attribute.multi_valued:
        parts.append(path.sub_attribute.name)
    return "__".join(parts)


class ElementFilter:
    """The inside of a value path: paths name sub-attributes of one element."""

    def __init__(self, attribute: Attribute, scope: Scope) -> None:
        self.attribute = attribute
        self.scope = scope

    def translate(self, node: ast.Node) -> Q:
        if isinstance(node, ast.And):
            return self.translate(node.left) & self.translate(node.right)
        if isinstance(node, ast.Or):
            return self.translate(node.left) | self.translate(node.right)
        if isinstance(node, ast.Not):
            return ~self.translate(node.expr)
        if isinstance(node, ast.ValuePath):
            raise InvalidFilter("Value paths cannot be nested.")
        sub = self.attribute.sub_attribute(node.path.text)
        if sub is None:
            raise InvalidFilter(
                f"'{node.path.text}' is not a sub-attribute of '{self.attribute.name}'."
            )
        if isinstance(node, ast.Present):
            return self.scope.leaf(sub, None, None)
        return self.scope.leaf(
            sub, node.op, coerce(sub, node.op, node.value, f"{self.attribute.name}.{sub.name}")
        )


def filter_queryset(adapter: ResourceAdapter, queryset: QuerySet, node: ast.Node) -> QuerySet:
    return queryset.filter(QueryTranslator(adapter).translate(node))
