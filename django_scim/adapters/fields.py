"""Field mappings: how one SCIM attribute is kept in a site's model.

An adapter declares ``fields = {"scim path": Mapping(...)}``; every SCIM
attribute it does not declare is kept in the side table, so each attribute of
the schema round-trips whether or not the model has a column for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, Model, Q, QuerySet, TextField

from django_scim import locks, lookups
from django_scim.adapters import references
from django_scim.adapters.records import column_element
from django_scim.errors import InvalidPath, InvalidValue, NoTarget, Uniqueness
from django_scim.schemas.attributes import Attribute
from django_scim.schemas.characteristics import Uniqueness as U

if TYPE_CHECKING:
    from django_scim.adapters.base import ResourceAdapter
    from django_scim.adapters.context import RequestContext
    from django_scim.patch import RelationChange


class Mapping:
    """Base mapping; subclasses override the hooks they need."""

    #: The value is computed from related rows (loaded only when the response wants it).
    is_relation = False
    #: The full SCIM value is also kept in the side table (the column holds a part of it).
    keep_in_record = False
    #: Input for this attribute is ignored; it is derived from other data.
    read_only = False

    def prefetch(self, queryset: QuerySet) -> QuerySet:
        """The queryset with whatever ``to_scim`` will read joined or prefetched."""
        return queryset

    def load_related(self, objs: list[Model], ctx: RequestContext) -> None:
        """Load whatever ``to_scim`` needs for all ``objs`` at once."""

    def reading(self, objs: list[Model], ctx: RequestContext) -> lookups.Statement | None:
        """The one SELECT ``load_related`` runs, if it is one, so that a write can run it
        in its own round trip; ``take`` then receives its rows."""
        return None

    def take(self, objs: list[Model], ctx: RequestContext, rows: Sequence[Any]) -> None:
        """What ``load_related`` does with the rows of ``reading``."""

    def to_scim(self, obj: Model, ctx: RequestContext, stored: Any) -> Any:
        return stored

    def assign(self, obj: Model, value: Any, creating: bool) -> None:
        """Copy the value onto the unsaved object."""

    def save_related(self, obj: Model, value: Any, ctx: RequestContext, creating: bool) -> None:
        """Write relations once the object has a primary key."""

    def check_unique(
        self, adapter: ResourceAdapter, obj: Model, value: Any, attribute: Attribute
    ) -> None:
        """Raise Uniqueness if another object holds ``value``."""

    def apply_change(self, obj: Model, change: RelationChange, ctx: RequestContext) -> None:
        """Apply a PATCH delta to a relation attribute (only relation mappings take them)."""
        raise InvalidPath("This attribute takes no relation changes.")


def check_length(obj: Model, name: str, value: Any) -> None:
    """A string longer than its column is invalidValue on every database.

    SQLite would store it and PostgreSQL refuse it; either way the answer
    would depend on the database rather than on the request.
    """
    max_length = getattr(obj._meta.get_field(name), "max_length", None)
    if isinstance(value, str) and max_length and len(value) > max_length:
        raise InvalidValue(f"Value is longer than {max_length} characters.")


def _field_default(obj: Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if getattr(field, "null", False):
        return None
    if getattr(field, "has_default", lambda: False)():
        return field.get_default()  # type: ignore[union-attr]
    return ""


def _scim_scalar(value: Any) -> Any:
    if value in ("", None):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


class Column(Mapping):
    """A singular attribute stored in one model field.

    ``keep_if_missing`` keeps the current value when a PUT omits the attribute:
    right for ``active``, which no client means to flip by leaving it out.
    """

    def __init__(self, field: str, keep_if_missing: bool = False) -> None:
        self.field = field
        self.keep_if_missing = keep_if_missing

    def to_scim(self, obj: Model, ctx: RequestContext, stored: Any) -> Any:
        return _scim_scalar(getattr(obj, self.field))

    def equals(self, value: Any, attribute: Attribute) -> Q:
        """Equality as the filters compare (``LOWER(col) = LOWER(value)``: indexed)."""
        from django_scim.filters.compare import compare

        return compare(self.field, "eq", value, attribute)

    def assign(self, obj: Model, value: Any, creating: bool) -> None:
        if value is None:
            if self.keep_if_missing:
                return
            value = _field_default(obj, self.field)
        check_length(obj, self.field, value)
        setattr(obj, self.field, value)

    def check_unique(
        self, adapter: ResourceAdapter, obj: Model, value: Any, attribute: Attribute
    ) -> None:
        from django_scim.filters.compare import STRING_TYPES

        if value is None or attribute.uniqueness is U.NONE:
            return
        folded = value if attribute.case_exact or not isinstance(value, str) else value.lower()
        model = adapter.get_model()
        if not locks.enforced_by_database(model, self.field, attribute.case_exact):
            locks.hold_value(model, adapter.resource_type_name, self.field, str(folded))
        text_column = isinstance(model._meta.get_field(self.field), (CharField, TextField))
        if text_column and isinstance(value, str) and attribute.type in STRING_TYPES:
            in_use = lookups.taken(model, self.field, value, attribute.case_exact, obj.pk)
        else:
            others = model._default_manager.filter(self.equals(value, attribute))
            if obj.pk is not None:
                others = others.exclude(pk=obj.pk)
            in_use = others.exists()
        if in_use:
            raise Uniqueness(f"{attribute.name} '{value}' is already in use.")


class PrimaryValue(Mapping):
    """A multi-valued attribute whose primary (or first) value lives in a column.

    The full list is kept in the side table; the column always wins for the
    primary value, so an edit made outside SCIM (e.g. in the admin) shows up.
    """

    keep_in_record = True

    def __init__(self, field: str, sub_attribute: str = "value") -> None:
        self.field = field
        self.sub = sub_attribute

    def _target(self, items: list[dict[str, Any]]) -> dict[str, Any] | None:
        target: dict[str, Any] | None = column_element(items)
        return target

    def to_scim(self, obj: Model, ctx: RequestContext, stored: Any) -> Any:
        column = getattr(obj, self.field) or ""
        items = [dict(item) for item in stored or [] if isinstance(item, dict)]
        target = self._target(items)
        if target is None:
            return [{self.sub: column, "primary": True}] if column else None
        if column:
            target[self.sub] = column
        else:
            items.remove(target)
        return items or None

    def assign(self, obj: Model, value: Any, creating: bool) -> None:
        target = self._target(value or [])
        column = target.get(self.sub) if target else None
        check_length(obj, self.field, column)
        setattr(obj, self.field, column or _field_default(obj, self.field))


class Password(Mapping):
    """Write-only: hashed with the site's password hashers, never returned."""

    def to_scim(self, obj: Model, ctx: RequestContext, stored: Any) -> Any:
        return None

    def assign(self, obj: Model, value: Any, creating: bool) -> None:
        from django_scim.conf import scim_settings

        if value and scim_settings.ACCEPT_PASSWORDS:
            obj.set_password(value)  # type: ignore[attr-defined]
        elif creating and hasattr(obj, "set_unusable_password"):
            obj.set_unusable_password()


class ManyToMany(Mapping):
    """A multi-valued reference to another resource type through a many-to-many relation.

    ``relation`` is the manager attribute on the object (``groups``, ``user_set``).
    Elements carry the target's SCIM id, ``$ref``, ``display`` and ``type``.
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
        self._throughs: dict[type[Model], tuple[type[Model], str, str]] = {}

    def query_name(self, model: type[Model]) -> str:
        """The name to filter on: ``user`` for the reverse accessor ``user_set``."""
        for field in model._meta.get_fields():
            reverse = field.auto_created and not field.concrete
            accessor = getattr(field, "get_accessor_name", lambda: None)() if reverse else None
            if self.relation in (field.name, accessor):
                return field.name
        raise InvalidValue(f"{model.__name__} has no relation {self.relation!r}.")

    def _through(self, model: type[Model]) -> tuple[type[Model], str, str]:
        """The relation's through model, and its columns for ``model`` and for the target
        (looked up once per model: reading and taking references both need them)."""
        found = self._throughs.get(model)
        if found is None:
            field: Any = model._meta.get_field(self.query_name(model))
            if field.concrete:  # the ManyToManyField itself (User.groups)
                found = (
                    field.remote_field.through,
                    field.m2m_field_name(),
                    field.m2m_reverse_field_name(),
                )
            else:  # the reverse side of one (Group.user_set)
                forward = field.field
                found = (
                    forward.remote_field.through,
                    forward.m2m_reverse_field_name(),
                    forward.m2m_field_name(),
                )
            self._throughs[model] = found
        return found

    def load_related(self, objs: list[Model], ctx: RequestContext) -> None:
        """References of every related object, for all ``objs``, from one query.

        Each reference is (key, display, SCIM id), read from the through table
        with the target's display column and side-row id joined in, so a group of
        thousands of members costs one query and no model instances.
        """
        if objs:
            self.take(objs, ctx, lookups.run(self.reading(objs, ctx)))

    def reading(self, objs: list[Model], ctx: RequestContext) -> lookups.Statement:
        adapter = ctx.adapter(self.target)
        through, owner, target = self._through(type(objs[0]))
        return references.selecting(
            through,
            owner,
            target,
            adapter.display_field if adapter else None,
            self.target,
            [obj.pk for obj in objs],
        )

    def take(self, objs: list[Model], ctx: RequestContext, rows: Sequence[Any]) -> None:
        adapter = ctx.adapter(self.target)
        model = type(objs[0])
        through, owner, target = self._through(model)
        found = references.collect(rows, through, owner, target, [obj.pk for obj in objs])
        self._complete(found, ctx, adapter, adapter.display_field if adapter else None)
        for obj in objs:
            ctx.references[(self.relation, model, obj.pk)] = found[obj.pk]

    def _complete(
        self,
        found: dict[Any, list[list[Any]]],
        ctx: RequestContext,
        adapter: ResourceAdapter | None,
        display_field: str | None,
    ) -> None:
        """Side rows for related objects made outside SCIM, and display text from
        ``adapter.display`` where the target declares no display column."""
        refs = [ref for group in found.values() for ref in group]
        wanted = {ref[0] for ref in refs if ref[2] is None or display_field is None}
        if not wanted or adapter is None:
            return
        instances = adapter.get_model()._default_manager.in_bulk(wanted)
        ctx.load_records(self.target, instances.values())
        for ref in refs:
            instance = instances.get(ref[0])
            if instance is None:
                continue
            if ref[2] is None:
                record = ctx.record(self.target, instance)
                ref[2] = str(record.id) if record else None
            if display_field is None:
                ref[1] = adapter.display(instance)

    def to_scim(self, obj: Model, ctx: RequestContext, stored: Any) -> Any:
        key = (self.relation, type(obj), obj.pk)
        if key not in ctx.references:
            self.load_related([obj], ctx)
        items = [
            {
                "value": scim_id,
                "$ref": ctx.location(self.target, scim_id),
                "display": display,
                "type": self.element_type,
            }
            for _pk, display, scim_id in ctx.references[key]
            if scim_id is not None
        ]
        return items or None

    def _target(self, ctx: RequestContext) -> ResourceAdapter:
        adapter = ctx.adapter(self.target)
        if adapter is None:
            raise InvalidValue(f"Resource type {self.target!r} is not served.")
        return adapter

    def _ids(self, value: Any) -> list[Any]:
        for item in value or []:
            kind = item.get("type")
            if kind and kind.lower() != self.element_type.lower():
                raise InvalidValue(f"Members of type {kind!r} are not supported here.")
        return [item.get("value") for item in value or []]

    def save_related(self, obj: Model, value: Any, ctx: RequestContext, creating: bool) -> None:
        if self.read_only or (creating and not value):
            return
        getattr(obj, self.relation).set(self._target(ctx).resolve_ids(self._ids(value)))

    def apply_change(self, obj: Model, change: RelationChange, ctx: RequestContext) -> None:
        """O(k) membership changes: the existing members are never loaded."""
        manager = getattr(obj, self.relation)
        target = self._target(ctx)
        if change.kind == "add":
            manager.add(*target.resolve_ids(self._ids(change.values)))
        elif change.kind == "set":
            manager.set(target.resolve_ids(self._ids(change.values)))
        elif change.kind == "clear":
            manager.clear()
        elif change.kind == "remove":
            pks = target.pks_for_ids(self._ids(change.values))
            if pks:
                manager.remove(*pks)
        else:
            self._remove_where(manager, target, change)

    def _remove_where(self, manager: Any, target: ResourceAdapter, change: RelationChange) -> None:
        from django_scim.filters.to_q import ElementFilter, RelationScope

        attribute = change.path.attribute
        assert attribute is not None and change.filter is not None
        condition = ElementFilter(attribute, RelationScope(self, target)).translate(change.filter)
        pks = list(manager.filter(condition).values_list("pk", flat=True))
        if not pks:
            raise NoTarget("No member matches the filter.")
        manager.remove(*pks)
