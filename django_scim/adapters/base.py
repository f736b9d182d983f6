"""``ResourceAdapter``: the bridge between one resource type and one Django model.

A site serves a custom model by subclassing and declaring ``fields``; every
queryset goes through ``get_queryset()``, the one scoping hook, which sees the
request and its client (``self.request``, ``self.client``), so a site can
restrict what each client reads and writes (multi-tenancy).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar
from uuid import UUID

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connections, router, transaction
from django.db.models import DateField, DateTimeField, Field, Model, QuerySet
from django.db.models.deletion import Collector
from django.db.models.functions import Cast
from django.db.models.manager import BaseManager
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal
from django.utils import timezone

from django_scim import dialects, jsoncodec, locks, lookups, signals
from django_scim import patch as patching
from django_scim.adapters import fields, records
from django_scim.adapters.context import RequestContext
from django_scim.adapters.fields import Column, Mapping
from django_scim.adapters.records import copy_json
from django_scim.conf import scim_settings
from django_scim.errors import InvalidValue, Mutability, NotFound, Uniqueness
from django_scim.models import ResourceRecord
from django_scim.paths import AttributePath, UnknownAttribute, parse_path
from django_scim.projection import Projection
from django_scim.schemas.attributes import Schema
from django_scim.schemas.characteristics import Uniqueness as U
from django_scim.schemas.registry import ResourceType
from django_scim.validation import check_immutable, validate_resource


def _columns(obj: Model) -> dict[str, Any]:
    """The values of ``obj``'s own columns, by field name."""
    return {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}


#: save() methods that only write the row (AbstractBaseUser's also reports a new
#: password, which is why a user with one set is saved through it).
_PLAIN_SAVES = (Model.save, AbstractBaseUser.save)

#: pre_save() methods that only read the attribute (unless auto_now is set).
_PLAIN_PRE_SAVES = (Field.pre_save, DateField.pre_save, DateTimeField.pre_save)

_RESOURCE_SIGNALS = (
    signals.resource_created,
    signals.resource_replaced,
    signals.resource_patched,
    signals.resource_deactivated,
)


def _written(obj: Model, before: dict[str, Any]) -> list[str]:
    """The fields ``obj.save()`` would change: those whose value differs from ``before``
    and those that compute their value as they are saved (auto_now, a custom pre_save)."""
    return [
        f.name
        for f in obj._meta.concrete_fields
        if not f.primary_key
        and (
            getattr(obj, f.attname) != before[f.name]
            or type(f).pre_save not in _PLAIN_PRE_SAVES
            or getattr(f, "auto_now", False)
        )
    ]


#: The side row's fields a write may change (besides last_modified).
_RECORD_DATA = ("object_pk", "external_id", "attributes")

#: (adapter class, id of its resource type) -> (that resource type, bound fields).
_BOUND_FIELDS: dict[tuple[type, int], tuple[Any, list[tuple[AttributePath, Mapping]]]] = {}


class ResourceAdapter:
    #: Resource type name (``User``) and endpoint (``/Users``), RFC 7643 §6.
    resource_type_name: ClassVar[str]
    endpoint: ClassVar[str]
    description: ClassVar[str] = ""
    schema: ClassVar[Schema]
    extensions: ClassVar[tuple[Schema, ...]] = ()
    #: SCIM attribute path -> mapping onto the model; the rest lives in the side table.
    fields: ClassVar[dict[str, Mapping]] = {}
    #: Model field holding the creation time (meta.created), if the model has one.
    created_field: ClassVar[str | None] = None
    #: Model field cleared by DELETE when SCIM["DELETE_MODE"] is "deactivate".
    active_field: ClassVar[str | None] = None
    #: Model field behind ``display`` where other resources reference this one (filterable).
    display_field: ClassVar[str | None] = None

    def __init__(self, ctx: RequestContext) -> None:
        self.ctx = ctx
        self.request = ctx.request
        self.client = ctx.client

    # -- declaration ---------------------------------------------------------

    @classmethod
    def get_model(cls) -> type[Model]:
        raise ImproperlyConfigured(f"{cls.__name__} must define get_model().")

    @classmethod
    def build_resource_type(cls) -> ResourceType:
        return ResourceType(
            name=cls.resource_type_name,
            endpoint=cls.endpoint,
            description=cls.description or cls.resource_type_name,
            schema=cls.schema,
            extensions=tuple(cls.extensions),
            adapter_class=cls,
        )

    @classmethod
    def check_fields(cls, resource_type: ResourceType) -> None:
        for key in cls.fields:
            try:
                path = parse_path(key, resource_type)
            except UnknownAttribute:
                path = None
            if path is None or path.attribute is None:
                raise ImproperlyConfigured(
                    f"{cls.__name__}.fields: {key!r} is not an attribute of {resource_type.name}."
                )

    @cached_property
    def resource_type(self) -> ResourceType:
        found = self.ctx.registry.get(self.resource_type_name)
        return found or self.build_resource_type()

    @cached_property
    def _mappings_by_key(self) -> dict[tuple[str, str | None, str | None], Mapping]:
        return {path.key: mapping for path, mapping in self.bound_fields}

    def mapping_for(self, path: AttributePath) -> Mapping | None:
        """The mapping that stores ``path``: declared for the path itself or its whole attribute."""
        found = self._mappings_by_key.get(path.key)
        if found is None and path.sub_attribute is not None:
            found = self._mappings_by_key.get((path.key[0], path.key[1], None))
        return found

    @cached_property
    def column_element_keys(self) -> frozenset[str]:
        """Element keys of the multi-valued attributes whose primary value is a column."""
        from django_scim.adapters.fields import PrimaryValue

        return frozenset(
            records.path_element_key(path)
            for path, mapping in self.bound_fields
            if isinstance(mapping, PrimaryValue)
        )

    def pks_from_records(self, records: QuerySet) -> QuerySet:
        """Primary keys of this model named by side-table rows, as a subquery."""
        pk = self.get_model()._meta.pk
        return records.values_list(Cast("object_pk", output_field=pk), flat=True)

    @cached_property
    def bound_fields(self) -> list[tuple[AttributePath, Mapping]]:
        """The declared fields resolved against the schema: once per class and registry,
        not once per request (adapters are made per request)."""
        key = (type(self), id(self.resource_type))
        found = _BOUND_FIELDS.get(key)
        if found is None or found[0] is not self.resource_type:
            bound = [
                (parse_path(name, self.resource_type), mapping)
                for name, mapping in self.fields.items()
            ]
            found = _BOUND_FIELDS[key] = (self.resource_type, bound)
        return found[1]

    # -- hooks a site overrides ---------------------------------------------

    def get_queryset(self) -> QuerySet:
        """Every object this adapter serves. Override to scope by ``self.client``."""
        return self.get_model()._default_manager.all()

    def prepare_new(self, obj: Model) -> None:
        """Called on a new object before its first save: set tenant fields here."""

    def display(self, obj: Model) -> str:
        """The ``display`` text used where other resources reference this one."""
        return str(obj)

    def created_of(self, obj: Model) -> datetime | None:
        return getattr(obj, self.created_field) if self.created_field else None

    def on_deactivate(self, obj: Model) -> None:
        """Called when DELETE deactivates instead of deleting."""

    # -- reading -----------------------------------------------------------------

    def _fields_for(self, projection: Projection | None) -> list[tuple[AttributePath, Mapping]]:
        """Relation mappings the response will not show are skipped (no query at all)."""
        return [
            (path, mapping)
            for path, mapping in self.bound_fields
            if not mapping.is_relation
            or projection is None
            or projection.wants(path.schema, path.attribute.name)  # type: ignore[union-attr]
        ]

    def prefetched(self, queryset: QuerySet, projection: Projection | None) -> QuerySet:
        for _path, mapping in self._fields_for(projection):
            queryset = mapping.prefetch(queryset)
        return queryset

    def filtered(self, queryset: QuerySet, text: str, across_types: bool = False) -> QuerySet:
        """Apply a SCIM filter (RFC 7644 §3.4.2.2) in the database."""
        from django_scim.filters.parser import parse_filter
        from django_scim.filters.to_q import QueryTranslator

        node = parse_filter(text)
        return queryset.filter(QueryTranslator(self, across_types).translate(node))

    def ordered(self, queryset: QuerySet) -> QuerySet:
        """A stable order for paging (RFC 7644 §3.4.2.4)."""
        return queryset.order_by("pk")

    def load(self, objs: list[Model], projection: Projection | None) -> None:
        """Side rows for ``objs`` and for whatever their relations show (unless a write of
        this request read a relation in its last round trip: that one is current)."""
        self.ctx.load_records(self.resource_type_name, objs)
        read = self.ctx.read_with_write  # empty but after a write: lists pay nothing
        for _path, mapping in self._fields_for(projection):
            stale = [obj for obj in objs if (mapping, obj.pk) not in read] if read else objs
            mapping.load_related(stale, self.ctx)

    def refreshed(self, obj: Model, projection: Projection | None) -> Model:
        """``obj`` as just written, ready to render: its relations are read again (unless
        the write read them), its row and side row are not (the write left them current
        in memory)."""
        self.load([obj], projection)
        return obj

    def record_of(self, obj: Model) -> ResourceRecord:
        record = self.ctx.record(self.resource_type_name, obj)
        if record is None:
            self.ctx.load_records(self.resource_type_name, [obj])
            record = self.ctx.record(self.resource_type_name, obj)
        assert record is not None
        return record

    def get(
        self, scim_id: str, projection: Projection | None = None, for_update: bool = False
    ) -> Model:
        """The object with SCIM id ``scim_id``, within ``get_queryset()``; 404 otherwise."""
        model = self.get_model()
        plain = self._fetched_plainly()
        if plain and lookups.can_join(ResourceRecord, model):
            # The side row and the object in one query.
            both = lookups.one_with_target(
                ResourceRecord,
                "object_pk",
                model,
                for_update,
                resource_type=self.resource_type_name,
                id=self._record_key(scim_id),
            )
            record, obj = both if both else (None, None)
        else:
            record = self._find_record(scim_id, for_update)
            if plain:
                obj = lookups.one(model, False, **{model._meta.pk.name: record.object_pk})
            else:
                queryset = self.prefetched(self.get_queryset(), projection)
                found = list(queryset.filter(pk=record.object_pk)[:1])  # by key: no ORDER BY
                obj = found[0] if found else None
        if record is None or obj is None:
            raise NotFound(f"{self.resource_type_name} {scim_id} not found.")
        self.ctx.remember(record)
        self.load([obj], projection)
        return obj

    def _fetched_plainly(self) -> bool:
        """Whether one object is the row with that key and nothing else, so that it can be
        read with prepared SQL instead of a queryset compiled afresh on every request:
        true unless the adapter scopes or prefetches (overrides ``get_queryset`` or
        ``prefetched``, or has a mapping that prefetches), the model's default manager
        has a ``get_queryset`` of its own, or the model inherits from a concrete one."""
        model = self.get_model()
        return (
            type(self).get_queryset is ResourceAdapter.get_queryset
            and type(self).prefetched is ResourceAdapter.prefetched
            and type(model._default_manager).get_queryset is BaseManager.get_queryset
            and not model._meta.parents
            and all(type(m).prefetch is Mapping.prefetch for _path, m in self.bound_fields)
        )

    def _record_key(self, scim_id: str) -> UUID:
        try:
            return UUID(str(scim_id))
        except ValueError:
            raise NotFound(f"{self.resource_type_name} {scim_id} not found.") from None

    def _find_record(self, scim_id: str, for_update: bool) -> ResourceRecord:
        key = self._record_key(scim_id)
        record = lookups.one(
            ResourceRecord, for_update, resource_type=self.resource_type_name, id=key
        )
        if record is None:
            raise NotFound(f"{self.resource_type_name} {scim_id} not found.")
        return record

    def page(
        self,
        queryset: QuerySet,
        offset: int,
        count: int,
        projection: Projection | None,
        ordering: list[Any] | None = None,
    ) -> list[Model]:
        if count <= 0:
            return []
        queryset = queryset.order_by(*ordering) if ordering else self.ordered(queryset)
        objs = list(self.prefetched(queryset, projection)[offset : offset + count])
        self.load(objs, projection)
        return objs

    def to_scim(self, obj: Model, projection: Projection | None = None) -> dict[str, Any]:
        """The full SCIM representation (before projection), with meta."""
        record = self.record_of(obj)
        data = copy_json(record.attributes) or {}
        relations = []
        for path, mapping in self._fields_for(projection):
            value = mapping.to_scim(obj, self.ctx, path.get(data))
            if mapping.is_relation:
                relations.append((path, value))
            else:
                path.set(data, value)
        resource: dict[str, Any] = {"schemas": self._schemas_of(data), "id": str(record.id)}
        if record.external_id:
            resource["externalId"] = record.external_id
        resource.update(self._in_schema_order(data))
        version = self._version(resource, record)
        for path, value in relations:
            path.set(resource, value)
        resource["meta"] = self._meta(obj, record, version)
        return resource

    def _in_schema_order(self, data: dict[str, Any]) -> dict[str, Any]:
        ordered = {a.name: data[a.name] for a in self.schema if a.name in data}
        ordered.update((k, v) for k, v in data.items() if k not in ordered)
        return ordered

    def _schemas_of(self, data: dict[str, Any]) -> list[str]:
        return [self.schema.id] + [ext.id for ext in self.extensions if data.get(ext.id)]

    def _version(self, resource: dict[str, Any], record: ResourceRecord) -> str:
        """A weak ETag over the stored state (relations excluded: they are not loaded always)."""
        digest = hashlib.sha1(
            jsoncodec.dumps_sorted([resource, record.last_modified]), usedforsecurity=False
        )
        return f'W/"{digest.hexdigest()[:20]}"'

    def _meta(self, obj: Model, record: ResourceRecord, version: str) -> dict[str, Any]:
        created = self.created_of(obj) or record.created
        modified = max(record.last_modified, created)
        return {
            "resourceType": self.resource_type_name,
            "created": created.isoformat(),
            "lastModified": modified.isoformat(),
            "location": self.ctx.location(self.resource_type_name, record.id),
            "version": version,
        }

    def pks_for_ids(self, ids: Iterable[Any]) -> list[Any]:
        """Primary keys for SCIM ids; ids that name nothing are skipped (removal is idempotent)."""
        keys = set()
        for value in ids:
            try:
                keys.add(UUID(str(value)))
            except ValueError:
                continue
        if not keys:
            return []
        rows = ResourceRecord.objects.filter(resource_type=self.resource_type_name, id__in=keys)
        return list(
            self.get_queryset()
            .filter(pk__in=self.pks_from_records(rows))
            .values_list("pk", flat=True)
        )

    def resolve_ids(self, ids: Iterable[Any]) -> list[Model]:
        """Objects for SCIM ids (group members) in ``get_queryset()``; 400 if one is unknown."""
        keys = set()
        for value in ids:
            try:
                keys.add(UUID(str(value)))
            except ValueError:
                raise InvalidValue(f"{value!r} is not a {self.resource_type_name} id.") from None
        if not keys:
            return []
        rows = ResourceRecord.objects.filter(resource_type=self.resource_type_name, id__in=keys)
        pks = [row.object_pk for row in rows]
        objs = list(self.get_queryset().filter(pk__in=pks))
        if len(objs) != len(keys):
            raise InvalidValue(
                f"Unknown {self.resource_type_name} id(s) among {sorted(map(str, keys))}."
            )
        return objs

    # -- writing -----------------------------------------------------------------

    def _send(self, signal: Signal, obj: Model, record: ResourceRecord) -> None:
        # Read now: after a delete, Django clears both keys before the commit.
        scim_id, pk = str(record.id), obj.pk

        def send() -> None:
            if obj.pk is None:
                obj.pk = pk  # a deleted object still says which row it was
            signal.send(
                sender=type(self),
                resource_type=self.resource_type_name,
                instance=obj,
                scim_id=scim_id,
                client=self.client,
            )

        transaction.on_commit(send)

    def _apply(
        self, obj: Model, data: dict[str, Any], creating: bool, relations: bool = True
    ) -> list[tuple[Mapping, Any]]:
        """Put mapped values on ``obj``; leave the side-table remainder in ``data``."""
        pending = []
        for path, mapping in self.bound_fields:
            value = path.get(data) if mapping.keep_in_record else path.pop(data)
            if mapping.read_only or (mapping.is_relation and not relations):
                continue
            field = getattr(mapping, "field", None)
            kept = not creating and field is not None and getattr(obj, field, None) == value
            mapping.assign(obj, value, creating)
            assert path.attribute is not None
            if path.sub_attribute is None and not kept:  # an unchanged value stays unique
                mapping.check_unique(self, obj, value, path.attribute)
            pending.append((mapping, value))
        for extension in self.extensions:
            if not data.get(extension.id):
                data.pop(extension.id, None)
        return pending

    def unobserved(self, obj: Model) -> bool:
        """Whether nothing but this app sees how ``obj`` is written: its model keeps
        Django's own save(), nothing listens to its saves or to this adapter's signals.

        Then a change is written as a narrow UPDATE in the side row's round trip,
        and a relation the request did not touch is read in that same round trip:
        no code of the site's can run between the write and the response.
        """
        model = type(obj)
        return (
            model.save in _PLAIN_SAVES
            and getattr(obj, "_password", None) is None
            and not model._meta.parents
            and not pre_save.has_listeners(model)
            and not post_save.has_listeners(model)
            and not any(signal.has_listeners(type(self)) for signal in _RESOURCE_SIGNALS)
        )

    def _reading_with_write(
        self, obj: Model, pending: list[tuple[Mapping, Any]], more_relations: bool
    ) -> Mapping | None:
        """The one relation the response shows, when it can be read as the write ends."""
        if self.ctx.shows is None or more_relations:
            return None
        if any(mapping.is_relation for mapping, _value in pending):
            return None
        shown = [m for _path, m in self._fields_for(self.ctx.shows) if m.is_relation]
        if len(shown) != 1 or not self.unobserved(obj):
            return None
        return shown[0]

    def _save(
        self,
        obj: Model,
        record: ResourceRecord,
        data: dict[str, Any],
        pending: list[tuple[Mapping, Any]],
        creating: bool,
        columns: dict[str, Any] | None = None,
        more_relations: bool = False,
        at_once: bool = False,
    ) -> None:
        """Write ``obj`` and its side row. With ``columns`` (the values before the change)
        the object is saved only if one of them changed: a change of side attributes
        alone (title, phoneNumbers, ...) leaves the site's row alone. When it is saved,
        it is saved through its save(), so the model's own save(), its signals and
        auto_now fields behave as usual; only when nothing could tell the difference
        (:meth:`unobserved`) is the UPDATE narrowed to what changed and sent with the
        side row's. ``more_relations``: relation writes follow this one. ``at_once``
        (see :meth:`_created_at_once`): a new object's INSERT, its side row's and its
        elements' are one statement, which needs no transaction of its own.
        """
        try:
            with nullcontext() if at_once else transaction.atomic(savepoint=False):
                site_writes = self._site_writes(obj, columns, at_once)
                writes = self._record_writes(obj, record, data, creating, at_once)
                shown = self._reading_with_write(obj, pending, more_relations)
                reading = shown.reading([obj], self.ctx) if shown else None
                if creating:
                    # A row just made has no relation yet (nothing of the site's ran).
                    rows: list[Any] = []
                    if at_once:  # the new key, from the INSERT's RETURNING
                        new_key = lookups.Statement(writes[0].alias, "SELECT * FROM w0", [])
                        (obj.pk,) = lookups.run(*site_writes, *writes, new_key)[0]
                        record.object_pk = str(obj.pk)
                    else:
                        lookups.run(*site_writes, *writes)
                else:
                    # The site's row, the side row and its elements, and the relation
                    # the response shows: one round trip on PostgreSQL.
                    rows = lookups.run(*site_writes, *writes, *([reading] if reading else []))
                if shown is not None and reading is not None:
                    shown.take([obj], self.ctx, rows)
                    self.ctx.read_with_write.add((shown, obj.pk))
        except IntegrityError:
            raise Uniqueness(
                f"A {self.resource_type_name} with these unique values exists."
            ) from None
        for mapping, value in pending:
            mapping.save_related(obj, value, self.ctx, creating)
        self.ctx.remember(record)

    def _site_writes(
        self, obj: Model, columns: dict[str, Any] | None, at_once: bool
    ) -> list[lookups.Statement]:
        """The statements that write the site's row, to send with the side row's; or
        none, when the row is saved through its save() here and now, or unchanged."""
        if at_once:
            return [lookups.inserting(obj, returning=True)]
        if columns is not None and columns == _columns(obj):
            return []
        if columns is not None and self.unobserved(obj):
            return [lookups.updating(obj, *_written(obj, columns))]
        if columns is None and self._inserts_plainly(obj):
            (obj.pk,) = lookups.run(lookups.inserting(obj, returning=True))[0]
            return []
        obj.save()
        return []

    def _inserts_plainly(self, obj: Model) -> bool:
        """Whether a new ``obj`` can be inserted with prepared SQL that reads its new key
        back (``RETURNING``), as its save() would, unobserved."""
        alias = router.db_for_write(type(obj))
        return (
            bool(type(obj)._meta.pk.db_returning)
            and connections[alias].features.can_return_columns_from_insert
            and self.unobserved(obj)
        )

    def _record_writes(
        self,
        obj: Model,
        record: ResourceRecord,
        data: dict[str, Any],
        creating: bool,
        at_once: bool,
    ) -> list[lookups.Statement]:
        """The statements that write the side row (``data`` becomes its attributes) and,
        when they changed, its element rows."""
        kept = {name: getattr(record, name) for name in _RECORD_DATA}
        record.object_pk = str(obj.pk)
        record.external_id = data.pop("externalId", None)
        fields.check_length(record, "external_id", record.external_id)
        elements_before = records.multi_valued(record.attributes, self.resource_type)
        record.attributes = data
        record.last_modified = timezone.now()
        if creating:
            # A new resource was created and last modified at the same instant.
            record.created = record.last_modified = self.created_of(obj) or record.last_modified
        if at_once:
            writes = [lookups.inserting_keyed_by(record, "object_pk", 0, type(obj))]
        elif record._state.adding:
            writes = [lookups.inserting(record)]
        else:
            changed = [n for n in _RECORD_DATA if getattr(record, n) != kept[n]]
            writes = [lookups.updating(record, *changed, "last_modified")]
        if creating or elements_before != records.multi_valued(data, self.resource_type):
            writes += records.element_writes(
                record, self.resource_type, creating, self.column_element_keys
            )
        return writes

    def _unique_values_enforced(self) -> bool:
        """Whether the database itself refuses every value SCIM calls taken (then no
        advisory lock is held, and checking a value needs no transaction)."""
        model = self.get_model()
        for path, mapping in self.bound_fields:
            attribute = path.sub_attribute or path.attribute
            if attribute is None or attribute.uniqueness is U.NONE:
                continue
            if type(mapping).check_unique is Mapping.check_unique:
                continue  # checks nothing, holds nothing
            if not isinstance(mapping, Column) or not locks.enforced_by_database(
                model, mapping.field, attribute.case_exact
            ):
                return False
        return True

    def _created_at_once(self, obj: Model, pending: list[tuple[Mapping, Any]]) -> bool:
        """Whether a new ``obj`` and its side rows can be written as one statement: it is
        inserted plainly, no relation is written after it, and its database is
        PostgreSQL, shared with the side table."""
        alias = router.db_for_write(type(obj))
        return (
            alias == router.db_for_write(ResourceRecord)
            and connections[alias].vendor == "postgresql"
            and not any(mapping.is_relation for mapping, _value in pending)
            and self._inserts_plainly(obj)
        )

    def create(self, payload: Any) -> Model:
        data = validate_resource(payload, self.resource_type)
        # Where the database refuses duplicates itself no lock is held, so the checks
        # need no transaction, and the write is one statement where it can be.
        unlocked = self._unique_values_enforced()
        with nullcontext() if unlocked else transaction.atomic():
            return self._create(data, unlocked)

    def _create(self, data: dict[str, Any], unlocked: bool) -> Model:
        revive = scim_settings.REVIVE_ON_CREATE and self.active_field
        dormant = self._dormant_by_external_id(data) if revive else None
        if dormant is not None:
            return self._revive(dormant, data)
        obj = self.get_model()()
        self.prepare_new(obj)
        sent = copy_json(data) if revive else data  # _apply takes mapped values out
        try:
            pending = self._apply(obj, data, creating=True)
        except Uniqueness:
            # Looked for only now: a name is taken far less often than not.
            dormant = self._dormant_by_name(sent) if revive else None
            if dormant is None:
                raise
            return self._revive(dormant, sent)
        at_once = unlocked and self._created_at_once(obj, pending)
        with transaction.atomic() if unlocked and not at_once else nullcontext():
            record = ResourceRecord(resource_type=self.resource_type_name)
            self._save(obj, record, data, pending, creating=True, at_once=at_once)
            self._send(signals.resource_created, obj, record)
        return obj

    def replace(self, obj: Model, payload: Any) -> Model:
        data = validate_resource(payload, self.resource_type)
        with transaction.atomic(savepoint=False):
            self._replace(obj, data)
        return obj

    def _replace(self, obj: Model, data: dict[str, Any]) -> ResourceRecord:
        record = self.record_of(obj)
        check_immutable(data, self.to_scim(obj, self.without_relations()), self.resource_type)
        was_active = self._is_active(obj)
        columns = _columns(obj)
        pending = self._apply(obj, data, creating=False)
        self._save(obj, record, data, pending, creating=False, columns=columns)
        self._send(signals.resource_replaced, obj, record)
        self._send_deactivation(obj, record, was_active)
        return record

    # -- lifecycle ---------------------------------------------------------------

    def _is_active(self, obj: Model) -> bool | None:
        return bool(getattr(obj, self.active_field)) if self.active_field else None

    def _send_deactivation(
        self, obj: Model, record: ResourceRecord, was_active: bool | None
    ) -> None:
        if was_active and self._is_active(obj) is False:
            self._send(signals.resource_deactivated, obj, record)

    def _inactive(self) -> QuerySet:
        assert self.active_field
        return self.get_queryset().filter(**{self.active_field: False})

    def _dormant_by_name(self, data: dict[str, Any]) -> Model | None:
        """A deactivated object holding one of the new resource's unique values, if any."""
        for path, mapping in self.bound_fields:
            attribute = path.sub_attribute or path.attribute
            value = path.get(data)
            if (
                isinstance(mapping, Column)
                and attribute is not None
                and value is not None
                and attribute.uniqueness is not U.NONE
            ):
                found = self._inactive().filter(mapping.equals(value, attribute)).first()
                if found is not None:
                    return found
        return None

    def _dormant_by_external_id(self, data: dict[str, Any]) -> Model | None:
        """A deactivated object with the new resource's externalId, if it has one."""
        external_id = data.get("externalId")
        if not external_id:
            return None
        rows = ResourceRecord.objects.filter(
            resource_type=self.resource_type_name, external_id=external_id
        )
        return self._inactive().filter(pk__in=self.pks_from_records(rows)).first()

    def _revive(self, obj: Model, data: dict[str, Any]) -> Model:
        """Okta re-POSTs a user it deactivated: same object, same SCIM id, active again."""
        assert self.active_field is not None
        if data.get("active") is None:
            data["active"] = True
        with transaction.atomic(savepoint=False):
            self._replace(obj, data)
        return obj

    def without_relations(self) -> Projection:
        """A projection that loads no relation (the starting point of a PATCH)."""
        names = [str(path) for path, mapping in self.bound_fields if mapping.is_relation]
        return Projection(self.resource_type, excluded=names)

    def document(self, obj: Model) -> dict[str, Any]:
        """The resource's SCIM dict as PATCH edits it: no id, meta, schemas or relations."""
        resource = self.to_scim(obj, self.without_relations())
        for key in ("schemas", "id", "meta"):
            resource.pop(key, None)
        return resource

    def patch(self, obj: Model, body: Any) -> Model:
        """Apply a PatchOp (RFC 7644 §3.5.2); all operations or none."""
        operations = patching.parse_request(body, self.resource_type)
        with transaction.atomic(savepoint=False):
            record = self.record_of(obj)
            document = self.document(obj)
            before = copy_json(document)
            editor = patching.DocumentPatch(
                self.resource_type, document, dialects.is_lenient(self.client)
            )
            changes = self._patch_operations(operations, editor)
            if document != before:
                data = validate_resource(document, self.resource_type, missing=Mutability)
                was_active = self._is_active(obj)
                columns = _columns(obj)
                pending = self._apply(obj, data, creating=False, relations=False)
                self._save(
                    obj,
                    record,
                    data,
                    pending,
                    creating=False,
                    columns=columns,
                    more_relations=bool(changes),
                )
                self._send_deactivation(obj, record, was_active)
            elif changes:
                record.last_modified = timezone.now()
                lookups.update(record, "last_modified")
            else:
                return obj  # nothing changed: no write, no new version, no signal
            for mapping, change in changes:
                mapping.apply_change(obj, change, self.ctx)
            self._send(signals.resource_patched, obj, record)
        return obj

    def _patch_operations(
        self, operations: list[patching.Operation], editor: patching.DocumentPatch
    ) -> list[tuple[Mapping, Any]]:
        changes = []
        for operation in operations:
            for step, implicit in patching.expand(operation, self.resource_type):
                assert step.path is not None
                mapping = self.mapping_for(step.path.attribute)
                read_only = step.path.target.read_only or bool(mapping and mapping.read_only)
                if implicit and read_only:
                    continue  # Okta sends id (and groups) inside path-less values
                if mapping is not None and mapping.is_relation:
                    if read_only:
                        raise Mutability(f"'{step.path}' is read-only.")
                    changes.append((mapping, patching.relation_change(step)))
                else:
                    editor.apply(step)
        return changes

    def delete(self, obj: Model) -> None:
        record = self.record_of(obj)
        if scim_settings.DELETE_MODE == "deactivate" and self.active_field:
            with transaction.atomic():
                setattr(obj, self.active_field, False)
                self.on_deactivate(obj)
                obj.save(update_fields=[self.active_field])
                record.last_modified = timezone.now()
                lookups.update(record, "last_modified")
                self._send(signals.resource_deactivated, obj, record)
            return
        remove: Callable[[], Any] = obj.delete
        if type(obj).delete is Model.delete:
            # What Model.delete() does, with its statements sent with the side row's
            # when Django's collector needs nothing but queries (no instance to load,
            # no signal, no column to set null): then, on PostgreSQL, a DELETE is one
            # statement and needs no transaction of its own.
            collector = Collector(using=router.db_for_write(type(obj), instance=obj), origin=obj)
            collector.collect([obj])
            statements = self._deleting(obj, collector)
            if statements is not None:
                statements += records.deletes(record)
                alone = lookups.one_round_trip(*statements)
                with nullcontext() if alone else transaction.atomic():
                    lookups.run(*statements)
                    self._send(signals.resource_deleted, obj, record)
                return
            remove = collector.delete
        with transaction.atomic():
            self._send(signals.resource_deleted, obj, record)
            remove()
            records.delete(record)

    def _deleting(self, obj: Model, collector: Collector) -> list[lookups.Statement] | None:
        """The statements of ``collector.delete()`` when they are plain DELETEs: only
        ``obj`` itself to delete, the rest by query, and nothing listening."""
        model = type(obj)
        if (
            model._meta.parents
            or collector.field_updates
            or list(collector.data) != [model]
            or len(collector.data[model]) != 1
            or pre_delete.has_listeners(model)
            or post_delete.has_listeners(model)
        ):
            return None
        statements = [lookups.deleting_all(queryset) for queryset in collector.fast_deletes]
        statements.append(lookups.deleting(model, model._meta.pk.name, obj.pk))
        return statements
