"""The default storage: attributes a model has no column for, kept in the side table.

A singular attribute is a member of the side row's JSON (``attributes``); a
multi-valued one is also one ``ResourceElement`` row per element, so a value
filter matches within one element and ``value eq`` uses an index.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from django_scim.filters.compare import absent_matches, json_leaf
from django_scim.filters.to_q import Scope
from django_scim.models import ResourceElement
from django_scim.paths import AttributePath
from django_scim.schemas.attributes import Attribute
from django_scim.storage import records
from django_scim.storage.base import ElementBuilder, Mapping, Owner


def json_key(path: AttributePath) -> str:
    """The JSON member path inside ``ResourceRecord.attributes`` (``__``-joined)."""
    parts = [path.schema] if path.is_extension else []
    if path.attribute is not None:
        parts.append(path.attribute.name)
        if path.sub_attribute is not None and not path.attribute.multi_valued:
            parts.append(path.sub_attribute.name)
    return "__".join(parts)


class ElementScope(Scope):
    """Elements kept as ResourceElement rows (``data`` holds the element)."""

    def leaf(self, sub: Attribute, op: str | None, value: Any) -> Q:
        if op == "eq" and sub.name == "value" and isinstance(value, str) and not sub.case_exact:
            return Q(value_key=value.lower()[:255]) & json_leaf("data", "value", sub, op, value)
        return json_leaf("data", sub.name, sub, op, value)


def first_element(owner: Owner, path: AttributePath) -> Subquery:
    """The primary element's (else the first element's) sub-attribute, as text: what a
    multi-valued attribute sorts by (RFC 7644 §3.4.2.3)."""
    sub = path.sub_attribute
    assert sub is not None
    resource_type, tenant = records.split(owner.namespace)
    rows = ResourceElement.objects.filter(
        attribute=records.path_element_key(path),
        record__resource_type=resource_type,
        record__tenant=tenant,
        record__object_pk=Cast(OuterRef("pk"), CharField()),
    ).order_by(
        Case(
            When(data__primary=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        "position",
    )
    return Subquery(rows.values_list(KT(f"data__{sub.name}"), flat=True)[:1])


class SideTable(Mapping):
    """Any attribute no declared mapping stores."""

    def condition(
        self, owner: Owner, path: AttributePath, target: Attribute, op: str | None, value: Any
    ) -> Q:
        model = owner.get_model()
        if path.attribute is None:  # an extension schema as a whole: carried or not
            return records.having(model, owner.namespace, Q(attributes__has_key=path.schema))
        leaf = json_leaf("attributes", json_key(path), target, op, value)
        return records.having(model, owner.namespace, leaf, absent_matches(op, value))

    def elements(self, owner: Owner, path: AttributePath, build: ElementBuilder) -> Q:
        condition = Q(attribute=records.path_element_key(path)) & build(ElementScope())
        owners = records.element_owners(owner.get_model(), owner.namespace, condition)
        return Q(pk__in=owners)

    def sort_key(self, owner: Owner, path: AttributePath, target: Attribute) -> tuple[Any, bool]:
        assert path.attribute is not None
        if path.attribute.multi_valued:
            return first_element(owner, path), False
        return records.value_of(
            owner.get_model(), owner.namespace, KT(f"attributes__{json_key(path)}")
        ), False
