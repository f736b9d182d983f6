"""The common attributes every resource has (RFC 7643 §3.1): ``id``, ``externalId``, ``meta``.

They live in the side row, or are derived when an object has none yet: the
id from the object's key (:mod:`django_scim.identity`), ``meta.created`` from
the model's creation column when the adapter names one, ``meta.lastModified``
from the side row's last write or, before any, from the creation time.
Rendering fills them in itself; these mappings answer filters and sorting.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Coalesce

from django_scim import identity
from django_scim.errors import InvalidFilter, InvalidValue
from django_scim.filters.compare import (
    ALWAYS,
    NEVER,
    absent_matches,
    compare,
    compare_text,
    present,
)
from django_scim.filters.values import compare_values
from django_scim.paths import AttributePath
from django_scim.schemas.attributes import Attribute
from django_scim.storage import expressions, records
from django_scim.storage.base import Mapping, Owner


def id_text(owner: Owner) -> Any:
    """Each object's id as text: its side row's, else the one derived from its key."""
    held = records.value_of(owner.get_model(), owner.namespace, expressions.uuid_text("id"))
    if owner.get_model()._meta.pk.get_internal_type() == "UUIDField":
        return held  # derived from a UUID key by exclusive-or: not expressible as text
    derived = expressions.derived_id_text(owner.namespace)
    return Coalesce(held, derived, output_field=CharField())


def id_condition(owner: Owner, op: str | None, value: Any, case_exact: bool = True) -> Q:
    """Objects of ``owner``'s type whose id satisfies ``op value``.

    An id is caseExact (RFC 7643 §3.1); a reference to one (``members.value``)
    may not be, so ``case_exact`` follows the attribute compared. Equality, the
    lookup identity providers make, finds the object by key or side row; every
    other operator compares the id's canonical text (lower-case, dashed).
    """
    if op is None:
        return ALWAYS
    if value is None:
        return ALWAYS if op == "ne" else NEVER
    if op in ("eq", "ne"):
        key = identity.parse(value if case_exact else value.lower(), exact=True)
        model = owner.get_model()
        found = records.with_id(model, owner.namespace, key) if key else NEVER
        return found if op == "eq" else ~found
    return compare_text(id_text(owner), op, value, case_exact)


class Id(Mapping):
    """``id``: assigned by the service provider, never written by a client."""

    read_only = True

    def condition(
        self, owner: Owner, path: AttributePath, target: Attribute, op: str | None, value: Any
    ) -> Q:
        return id_condition(owner, op, value)

    def sort_key(self, owner: Owner, path: AttributePath, target: Attribute) -> tuple[Any, bool]:
        return id_text(owner), True


class ExternalId(Mapping):
    """``externalId``: the client's identifier, kept in the side row (indexed)."""

    def condition(
        self, owner: Owner, path: AttributePath, target: Attribute, op: str | None, value: Any
    ) -> Q:
        leaf = (
            present("external_id", target)
            if op is None
            else compare("external_id", op, value, target)
        )
        model = owner.get_model()
        return records.having(model, owner.namespace, leaf, absent_matches(op, value))

    def sort_key(self, owner: Owner, path: AttributePath, target: Attribute) -> tuple[Any, bool]:
        return records.value_of(owner.get_model(), owner.namespace, "external_id"), False


class Meta(Mapping):
    """``meta.created``, ``meta.lastModified`` and ``meta.resourceType``."""

    read_only = True

    def condition(
        self, owner: Owner, path: AttributePath, target: Attribute, op: str | None, value: Any
    ) -> Q:
        name = target.name
        if name == "resourceType":
            matched = op is None or compare_values(
                owner.resource_type_name, op, value, target.case_exact
            )
            return ALWAYS if matched else NEVER
        if name == "created":
            return self._created(owner, target, op, value)
        if name == "lastModified":
            return self._last_modified(owner, target, op, value)
        raise InvalidFilter(f"'meta.{name}' cannot be filtered.")

    def _created(self, owner: Owner, target: Attribute, op: str | None, value: Any) -> Q:
        field = owner.created_field
        if field:
            return present(field, target) if op is None else compare(field, op, value, target)
        leaf = present("created", target) if op is None else compare("created", op, value, target)
        return records.having(owner.get_model(), owner.namespace, leaf)

    def _last_modified(self, owner: Owner, target: Attribute, op: str | None, value: Any) -> Q:
        # An object without a side row was last modified when it was created.
        field = owner.created_field
        unseen: Q | bool = op is None or op == "ne"
        if field and op is not None:
            unseen = compare(field, op, value, target)
        leaf = (
            present("last_modified", target)
            if op is None
            else compare("last_modified", op, value, target)
        )
        return records.having(owner.get_model(), owner.namespace, leaf, unseen)

    def sort_key(self, owner: Owner, path: AttributePath, target: Attribute) -> tuple[Any, bool]:
        name = target.name
        if name == "created":
            if owner.created_field:
                return F(owner.created_field), False
            return records.value_of(owner.get_model(), owner.namespace, "created"), False
        if name == "lastModified":
            return records.value_of(owner.get_model(), owner.namespace, "last_modified"), False
        if name == "resourceType":
            return Value(owner.resource_type_name), True
        raise InvalidValue(f"Cannot sort by 'meta.{name}'.")
