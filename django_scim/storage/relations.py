"""Storage in a many-to-many relation: ``members`` of a group, ``groups`` of a user.

Elements are references to another resource type: its SCIM id, ``$ref``,
``display`` and ``type``. They are read for a whole page of owners with one
query over the through table (the target's display column and side-row id
carried along, no model instance per row), so a group of thousands of members
costs one query; and they are changed by deltas, so adding or removing k
members costs O(k) whatever the group's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Model, Q, Sum

from django_scim import identity, locks
from django_scim.errors import InvalidFilter, InvalidValue, NoTarget
from django_scim.filters.compare import ALWAYS, NEVER, compare, present
from django_scim.filters.to_q import ElementFilter, Scope
from django_scim.filters.values import compare_values
from django_scim.paths import AttributePath
from django_scim.schemas.attributes import Attribute
from django_scim.storage import records
from django_scim.storage.base import ElementBuilder, Mapping, Owner
from django_scim.storage.common import id_condition


def _ids(values: Iterable[Any]) -> dict[Any, Any]:
    """Parsed ids -> as sent, skipping what cannot be an id."""
    parsed = {}
    for value in values:
        key = identity.parse(value)
        if key is not None:
            parsed[key] = value
    return parsed


def find(target: Owner, values: Iterable[Any], lock: bool = False) -> list[Model]:
    """Objects of ``target``'s type (within what the request may see) with those ids;
    ``lock``: their rows locked until the transaction ends."""
    ids = _ids(values)
    if not ids:
        return []
    condition = records.with_ids(target.get_model(), target.namespace, ids)
    found = target.scoped_queryset().filter(condition)
    return list(locks.rows_locked(found.order_by("pk")) if lock else found)


def resolve(target: Owner, values: list[Any], lock: bool = True) -> list[Model]:
    """Objects for the ids ``values`` (members to add), their rows locked unless the
    caller locks them with others (:func:`django_scim.locks.rows_locked` says why); 400
    invalidValue if one is unknown."""
    for value in values:
        if identity.parse(value) is None:
            raise InvalidValue(f"{value!r} is not a {target.resource_type_name} id.")
    found = find(target, values, lock=lock)
    if len(found) != len(_ids(values)):
        raise InvalidValue(
            f"Unknown {target.resource_type_name} id(s) among {sorted(map(str, values))}."
        )
    return found


def _display_mapping(target: Owner) -> tuple[AttributePath, Mapping] | None:
    """The target's per-tenant column behind its display text, if it has one (a tenant's
    names are stored behind a prefix, see :class:`~django_scim.storage.columns.Column`)."""
    if not target.tenant or not target.display_field:
        return None
    for path, mapping in target.resource_type.fields:
        if getattr(mapping, "per_tenant", False) and mapping.field == target.display_field:
            return path, mapping
    return None


class RelationScope(Scope):
    """Elements that are related objects of another resource type (members, groups)."""

    def __init__(self, mapping: ManyToMany, target: Owner) -> None:
        self.mapping = mapping
        self.target = target

    def leaf(self, sub: Attribute, op: str | None, value: Any) -> Q:
        if sub.name == "value":
            return id_condition(self.target, op, value, sub.case_exact)
        field = self.target.display_field
        if sub.name == "display" and field:
            per_tenant = _display_mapping(self.target)
            if per_tenant is not None:  # compared as the tenant's names, without the prefix
                path, mapping = per_tenant
                return mapping.condition(self.target, path, sub, op, value)
            return present(field, sub) if op is None else compare(field, op, value, sub)
        if sub.name == "type":
            if op is None:
                return ALWAYS
            matched = compare_values(self.mapping.element_type, op, value, sub.case_exact)
            return ALWAYS if matched else NEVER
        if sub.name == "$ref":
            raise InvalidFilter("Filtering on '$ref' is not supported; filter on 'value'.")
        return NEVER if op != "ne" else ALWAYS


class ManyToMany(Mapping):
    """A multi-valued reference to another resource type through a many-to-many relation.

    ``relation`` is the manager attribute on the object (``groups``, ``user_set``);
    ``target`` the resource type referred to; ``element_type`` the elements'
    ``type`` (default: the target's name).
    """

    is_relation = True

    def __init__(
        self,
        relation: str,
        target: str,
        element_type: str | None = None,
        read_only: bool = False,
    ) -> None:
        self.relation = relation
        self.target = target
        self.element_type = element_type or target
        self.read_only = read_only

    def query_name(self, model: type[Model]) -> str:
        """The name to filter on: ``user`` for the reverse accessor ``user_set``."""
        for field in model._meta.get_fields():
            reverse = field.auto_created and not field.concrete
            accessor = getattr(field, "get_accessor_name", lambda: None)() if reverse else None
            if self.relation in (field.name, accessor):
                return field.name
        raise InvalidValue(f"{model.__name__} has no relation {self.relation!r}.")

    def through(self, model: type[Model]) -> tuple[type[Model], str, str]:
        """The relation's through model, and its foreign keys to ``model`` and to the target."""
        field: Any = model._meta.get_field(self.query_name(model))
        if field.concrete:  # the ManyToManyField itself (User.groups)
            return (
                field.remote_field.through,
                field.m2m_field_name(),
                field.m2m_reverse_field_name(),
            )
        forward = field.field  # the reverse side of one (Group.user_set)
        return (
            forward.remote_field.through,
            forward.m2m_reverse_field_name(),
            forward.m2m_field_name(),
        )

    def _target(self, owner: Owner) -> Owner:
        target = owner.related(self.target)
        if target is None:
            raise InvalidValue(f"Resource type {self.target!r} is not served.")
        found: Owner = target
        return found

    # -- reading ---------------------------------------------------------------

    def load(
        self, owner: Owner, objs: list[Model], cache: dict[Any, Any]
    ) -> Iterable[tuple[str, Any]]:
        """The references of every object of ``objs``, from one query over the through
        table with the target's display column and its side-row id (a correlated
        subquery: the id is all a reference needs of the target's side row)."""
        if not objs:
            return []
        target = self._target(owner)
        through, near, far = self.through(type(objs[0]))
        near_key = through._meta.get_field(near).attname  # type: ignore[union-attr]
        far_key = through._meta.get_field(far).attname  # type: ignore[union-attr]
        display = f"{far}__{target.display_field}" if target.display_field else far_key
        rows = through._default_manager.filter(**{f"{near_key}__in": [obj.pk for obj in objs]})
        if target.tenant and target.tenant_membership != "identities":
            # RFC 7644 §6: another tenant's objects are never shown. Where membership is a
            # SCIM identity, the targets' held ids (read with each reference) say it.
            rows = rows.filter(**{f"{far_key}__in": target.scoped_queryset().values("pk")})
        held = records.id_of(target.get_model(), target.namespace, far_key)
        rows = rows.order_by(far_key).values_list(near_key, far_key, display, "pk", held)
        found: dict[Any, list[list[Any]]] = {obj.pk: [] for obj in objs}
        states: dict[Any, list[int]] = {obj.pk: [0, 0] for obj in objs}
        per_tenant = _display_mapping(target) is not None
        for near_pk, far_pk, text, row_pk, scim_id in rows:
            if per_tenant and isinstance(text, str):
                text = target.shown_name(text)
            found[near_pk].append([far_pk, text, scim_id])
            states[near_pk][0] += 1
            states[near_pk][1] += row_pk
        if not target.display_field:
            self._display(target, found)
        for obj in objs:
            cache[(self.relation, obj.pk)] = found[obj.pk]
            cache[(self.relation, "state", obj.pk)] = states[obj.pk]
        return []

    def load_state(self, owner: Owner, objs: list[Model], cache: dict[Any, Any]) -> None:
        """How many through rows each object has and the sum of their keys (one aggregate
        query, for objects whose references were not read). Through rows are inserted
        with keys never used before, so any change of membership changes the pair."""
        wanted = [obj.pk for obj in objs if (self.relation, "state", obj.pk) not in cache]
        if not wanted:
            return
        through, near, _far = self.through(type(objs[0]))
        near_key = through._meta.get_field(near).attname  # type: ignore[union-attr]
        rows = (
            through._default_manager.filter(**{f"{near_key}__in": wanted})
            .order_by()
            .values(near_key)
            .annotate(count=Count("pk"), total=Sum("pk"))
            .values_list(near_key, "count", "total")
        )
        for pk in wanted:
            cache[(self.relation, "state", pk)] = [0, 0]
        for near_pk, count, total in rows:
            # PostgreSQL sums bigints as numeric: Decimal, which no JSON encoder takes.
            cache[(self.relation, "state", near_pk)] = [count, int(total or 0)]

    def state(self, obj: Model, cache: dict[Any, Any]) -> Any:
        return cache.get((self.relation, "state", obj.pk))

    def _display(self, target: Any, found: dict[Any, list[list[Any]]]) -> None:
        """Display text from ``display()`` where the target declares no display column."""
        keys = {ref[0] for refs in found.values() for ref in refs}
        instances = target.get_model()._default_manager.in_bulk(keys)
        for refs in found.values():
            for ref in refs:
                if ref[0] in instances:
                    ref[1] = target.display(instances[ref[0]])

    def read(self, owner: Owner, obj: Model, stored: Any, cache: dict[Any, Any]) -> Any:
        key = (self.relation, obj.pk)
        if key not in cache:
            self.load(owner, [obj], cache)
        location = owner.location  # type: ignore[attr-defined]
        target = self._target(owner)
        space = target.namespace
        # A tenant's objects are those with an identity in it: no side row, not shown.
        by_identity = bool(target.tenant) and target.tenant_membership == "identities"
        items = []
        for target_pk, display, held in cache[key]:
            if by_identity and held is None:
                continue
            scim_id = held or identity.derived_text(space, target_pk)
            items.append(
                {
                    "value": scim_id,
                    "$ref": location(self.target, scim_id),
                    "display": display,
                    "type": self.element_type,
                }
            )
        return items or None

    # -- writing ---------------------------------------------------------------

    def _values(self, value: Any) -> list[Any]:
        for item in value or []:
            kind = item.get("type")
            if kind and kind.lower() != self.element_type.lower():
                raise InvalidValue(f"Members of type {kind!r} are not supported here.")
        return [item.get("value") for item in value or []]

    def save_related(self, owner: Owner, obj: Model, value: Any, creating: bool) -> bool:
        """The relation as ``value`` says; whether it changed (a PUT that repeats the
        members writes nothing and keeps the version, RFC 7643 §3.1)."""
        if self.read_only or (creating and not value):
            return False
        manager = getattr(obj, self.relation)
        target = self._target(owner)
        wanted = resolve(target, self._values(value), lock=creating)
        if creating:
            manager.set(wanted)
            return True
        return self._replace(manager, target, wanted)

    def _replace(self, manager: Any, target: Owner, wanted: list[Model]) -> bool:
        """The relation holds exactly ``wanted``: the members it gains and those it loses
        are locked first, in one query in key order (two such writes on groups sharing
        members then lock them in the same order). Whether anything changed."""
        current = set(manager.values_list("pk", flat=True))
        gone = current - {found.pk for found in wanted}
        added = [found for found in wanted if found.pk not in current]
        if gone or added:
            keys = gone | {found.pk for found in added}
            rows = target.get_model()._default_manager.filter(pk__in=keys).order_by("pk")
            list(locks.rows_locked(rows))
        if gone:
            manager.remove(*gone)
        if added:
            manager.add(*added)
        return bool(gone or added)

    def change(self, owner: Owner, obj: Any, change: Any) -> None:
        """O(k) membership changes: the existing members are never loaded. The members
        added or removed are locked first (:func:`django_scim.locks.rows_locked`), except
        by a clear, which would lock every member of a group of thousands."""
        manager = getattr(obj, self.relation)
        target = self._target(owner)
        if change.kind == "add":
            manager.add(*resolve(target, self._values(change.values)))
        elif change.kind == "set":
            wanted = resolve(target, self._values(change.values), lock=False)
            self._replace(manager, target, wanted)
        elif change.kind == "clear":
            manager.clear()
        elif change.kind == "remove":
            found = find(target, self._values(change.values), lock=True)
            if found:
                manager.remove(*found)
        else:
            self._remove_where(manager, target, change)

    def _remove_where(self, manager: Any, target: Owner, change: Any) -> None:
        attribute = change.path.attribute
        assert attribute is not None and change.filter is not None
        condition = ElementFilter(attribute, change.filter).on(RelationScope(self, target))
        doomed = list(locks.rows_locked(manager.filter(condition).order_by("pk")))
        if not doomed:
            raise NoTarget("No member matches the filter.")
        manager.remove(*doomed)

    # -- searching -------------------------------------------------------------

    def elements(self, owner: Owner, path: AttributePath, build: ElementBuilder) -> Q:
        target = owner.related(self.target)
        if target is None:
            return NEVER
        related = target.get_model()._default_manager.filter(build(RelationScope(self, target)))
        model = owner.get_model()
        owners = model._default_manager.filter(**{f"{self.query_name(model)}__in": related})
        return Q(pk__in=owners.values("pk"))
