"""Writing resources: create, replace, patch and delete, each one path on Django's public API.

Every write is one transaction on the model's database: the object is read
with its row locked (so concurrent writers of one resource queue, and no
membership change is lost), the payload is validated against the schema,
values go onto the object through its mappings, the object is saved with its
own ``save()`` (its signals, ``auto_now`` fields and overrides behave as
Django documents) when one of its columns changed, and its side row and
element rows are written with the ORM. Bad input raises a SCIM error before
anything is written, and any error rolls everything back.

Each method returns the resource as the response shows it (before
projection), rendered from what was just written: the object and side row
as in memory, the relations the response shows read again.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, router, transaction
from django.db.models import Model
from django.dispatch import Signal
from django.utils import timezone

from django_scim import dialects, identity, preconditions, signals
from django_scim import patch as patching
from django_scim.adapters import changes as changesets
from django_scim.adapters import lifecycle, protection, reading, rendering, tenancy
from django_scim.adapters.base import ResourceAdapter
from django_scim.errors import Mutability, Uniqueness
from django_scim.models import ResourceRecord, SCIMClient
from django_scim.projection import Projection
from django_scim.storage import records
from django_scim.storage.base import Mapping
from django_scim.storage.columns import check_length
from django_scim.storage.records import Record
from django_scim.validation import check_immutable, validate_resource

Pending = list[tuple[Mapping, Any]]


def columns(obj: Model) -> dict[str, Any]:
    """The values of ``obj``'s own columns, by attribute name."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _managing(client: Any) -> SCIMClient | None:
    """The client a new side row records as managing its object (a SCIMClient, if any)."""
    return client if isinstance(client, SCIMClient) else None


class Writer:
    """The writes of one resource type, for one request."""

    def __init__(self, adapter: ResourceAdapter) -> None:
        self.adapter = adapter
        self.resource_type = adapter.resource_type
        self.using = router.db_for_write(adapter.get_model())
        #: What the last write changed (:mod:`django_scim.adapters.changes`), for the log.
        self.changes: list[dict[str, Any]] = []

    # -- the four operations ---------------------------------------------------

    def create(self, payload: Any, shows: Projection | None) -> dict[str, Any]:
        """POST (RFC 7644 §3.3), or the revival of a deactivated match (REVIVE_ON_CREATE)."""
        data = validate_resource(payload, self.resource_type)
        adapter = self.adapter
        with transaction.atomic(using=self.using):
            obj = adapter.get_model()()
            adapter.prepare_new(obj)
            sent = records.copy_json(data)  # _assign takes mapped values out of data
            try:
                pending = self._assign(obj, data, creating=True, relations=True)
            except Uniqueness:
                # Looked for only now: a name is taken far less often than not.
                dormant = reading.first(adapter, lifecycle.dormant_by_unique_value(adapter, sent))
                if dormant is not None:
                    return self._revive(dormant, sent, shows)
                adopted = reading.first(adapter, tenancy.adoptable(adapter, sent))
                if adopted is None or protection.is_protected(adopted):
                    raise
                return self._adopt(adopted, sent, shows)
            record = self._save(obj, None, data, pending, changed=True, creating=True)
            if adapter.tenant:
                adapter.attach(obj)
            scim_id = records.scim_id(adapter.namespace, obj, record)
            lifecycle.send(adapter, signals.resource_created, obj, scim_id)
            self.changes = changesets.diff(None, sent)
        return self._rendered(obj, record, shows)

    def replace(
        self,
        scim_id: str,
        payload: Any,
        shows: Projection | None,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> dict[str, Any]:
        """PUT (RFC 7644 §3.5.1): every attribute as sent; immutable ones unchanged.
        ``if_match``/``if_none_match``: the request's headers (:meth:`_check`)."""
        data = validate_resource(payload, self.resource_type)
        with transaction.atomic(using=self.using):
            obj = reading.one(self.adapter, scim_id, self._without_relations(), lock=True)
            self._check(obj, if_match, if_none_match)
            record = self._replace(obj, data)
            lifecycle.send(self.adapter, signals.resource_replaced, obj, scim_id)
        return self._rendered(obj, record, shows)

    def patch(
        self,
        scim_id: str,
        body: Any,
        shows: Projection | None,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> dict[str, Any]:
        """PATCH (RFC 7644 §3.5.2): all operations or none; a PATCH that changes
        nothing writes nothing and keeps the version. Relation deltas are applied
        before the side row is written, so its last modification is the write's last."""
        operations = patching.parse_request(body, self.resource_type)
        adapter = self.adapter
        with transaction.atomic(using=self.using):
            obj = reading.one(adapter, scim_id, self._without_relations(), lock=True)
            self._check(obj, if_match, if_none_match)
            record = records.record_of(obj)
            document = self._document(obj, record)
            before = records.copy_json(document)
            editor = patching.DocumentPatch(
                self.resource_type, document, dialects.is_lenient(adapter.client)
            )
            changes = self._operations(operations, editor)
            if document == before and not changes:
                return self._rendered(obj, record, shows)
            for mapping, change in changes:
                mapping.change(adapter, obj, change)
            if document != before:
                data = validate_resource(document, self.resource_type, missing=Mutability)
                was_active = lifecycle.is_active(adapter, obj)
                record = self._store(obj, record, data, creating=False, relations=False)
                lifecycle.send_deactivation(adapter, obj, scim_id, was_active)
            else:
                record = self._touch(obj, record)
            self.changes = changesets.diff(before, document) + [
                changesets.relation(change) for _, change in changes
            ]
            lifecycle.send(adapter, signals.resource_patched, obj, scim_id)
        return self._rendered(obj, record, shows)

    def delete(
        self, scim_id: str, if_match: str | None = None, if_none_match: str | None = None
    ) -> None:
        """DELETE (RFC 7644 §3.6), or deactivation (DELETE_MODE)."""
        adapter = self.adapter
        with transaction.atomic(using=self.using):
            obj = reading.one(adapter, scim_id, self._without_relations(), lock=True)
            self._check(obj, if_match, if_none_match)
            if tenancy.detaches(adapter):
                protection.check_delete(adapter, obj)
                tenancy.detach(adapter, obj)
                lifecycle.send(adapter, signals.resource_detached, obj, scim_id)
            elif lifecycle.deactivates(adapter):
                was_active = lifecycle.is_active(adapter, obj)
                lifecycle.deactivate(adapter, obj, scim_id)
                self._touch(obj, records.record_of(obj))
                self.changes = changesets.diff({"active": was_active}, {"active": False})
            else:
                protection.check_delete(adapter, obj)
                lifecycle.delete(adapter, obj, scim_id)

    # -- steps -------------------------------------------------------------------

    def _check(self, obj: Model, if_match: str | None, if_none_match: str | None) -> None:
        """Preconditions (RFC 7644 §3.14, RFC 9110 §13.1): compared with the version of
        ``obj`` as read with its row locked in this transaction, so of two writers sending
        the same ``If-Match`` the second sees the first's change and gets 412. Nothing is
        read or rendered when neither header was sent."""
        if if_match is None and if_none_match is None:
            return
        shown = rendering.render(self.adapter, obj, self._without_relations())
        preconditions.check_write(shown["meta"]["version"], if_match, if_none_match)

    def _without_relations(self) -> Projection:
        """A projection that loads no relation (what a write starts from)."""
        names = [str(path) for path, mapping in self.resource_type.fields if mapping.is_relation]
        return Projection(self.resource_type, excluded=names)

    def _document(self, obj: Model, record: Record) -> dict[str, Any]:
        """The resource's SCIM dict as PATCH edits it: no id, meta, schemas or relations."""
        resource = rendering.render(self.adapter, obj, self._without_relations(), record)
        for key in ("schemas", "id", "meta"):
            resource.pop(key, None)
        return resource

    def _replace(self, obj: Model, data: dict[str, Any]) -> Record:
        record = records.record_of(obj)
        before, before_columns = self._document(obj, record), columns(obj)
        check_immutable(data, before, self.resource_type)
        was_active = lifecycle.is_active(self.adapter, obj)
        record = self._store(obj, record, data, creating=False)
        self.changes = changesets.diff(
            before, self._document(obj, record)
        ) + changesets.secret_columns(before_columns, columns(obj))
        scim_id = records.scim_id(self.adapter.namespace, obj, record)
        lifecycle.send_deactivation(self.adapter, obj, scim_id, was_active)
        return record

    def _revive(self, obj: Model, data: dict[str, Any], shows: Projection | None) -> dict[str, Any]:
        """Okta re-POSTs a user it deactivated: same object, same id, active again."""
        if data.get("active") is None:
            data["active"] = True
        return self._take_over(obj, data, shows, signals.resource_replaced)

    def _adopt(self, obj: Model, data: dict[str, Any], shows: Projection | None) -> dict[str, Any]:
        """A tenant takes over a user of no other tenant (``ADOPT_EXISTING_USERS``): the
        user gets an identity in the tenant, the site's membership, and the values sent."""
        return self._take_over(obj, data, shows, signals.resource_adopted, attach=True)

    def _take_over(
        self,
        obj: Model,
        data: dict[str, Any],
        shows: Projection | None,
        signal: Signal,
        attach: bool = False,
    ) -> dict[str, Any]:
        """A POST answered with an existing object: the values sent replace its own (and,
        for ``attach``, it joins the tenant's membership)."""
        record = self._replace(obj, data)
        if attach:
            self.adapter.attach(obj)
        scim_id = records.scim_id(self.adapter.namespace, obj, record)
        lifecycle.send(self.adapter, signal, obj, scim_id)
        return self._rendered(obj, record, shows)

    def _operations(
        self, operations: list[patching.Operation], editor: patching.DocumentPatch
    ) -> list[tuple[Mapping, Any]]:
        """Apply the operations to the document; relation deltas are returned, not applied."""
        changes = []
        for operation in operations:
            for step, implicit in patching.expand(operation, self.resource_type):
                assert step.path is not None
                mapping = self.adapter.mapping_for(step.path.attribute)
                read_only = step.path.target.read_only or mapping.read_only
                if implicit and read_only:
                    continue  # Okta sends id (and groups) inside path-less values
                if mapping.is_relation:
                    if read_only:
                        raise Mutability(f"'{step.path}' is read-only.")
                    changes.append((mapping, patching.relation_change(step)))
                else:
                    editor.apply(step)
        return changes

    def _assign(self, obj: Model, data: dict[str, Any], creating: bool, relations: bool) -> Pending:
        """Put mapped values on ``obj``, checking uniqueness of what changed; leave the
        side-table remainder in ``data``. Returns every mapping with its value, for
        what each writes once the object is saved (relations, related rows)."""
        pending = []
        for path, mapping in self.resource_type.fields:
            value = path.get(data) if mapping.keep_in_record else path.pop(data)
            if mapping.read_only or (mapping.is_relation and not relations):
                continue
            pending.append((mapping, value))
            if mapping.is_relation:
                continue
            before = columns(obj)
            mapping.write(self.adapter, obj, value, creating)
            assert path.attribute is not None
            if path.sub_attribute is None and (creating or columns(obj) != before):
                mapping.check_unique(self.adapter, obj, value, path.attribute)
        for extension in self.resource_type.extensions:
            if not data.get(extension.id):
                data.pop(extension.id, None)
        return pending

    def _store(
        self,
        obj: Model,
        record: Record | None,
        data: dict[str, Any],
        creating: bool,
        relations: bool = True,
    ) -> Record:
        """Put ``data`` on ``obj`` and write it (through its save(), if a column changed)
        with its side row."""
        before = {} if creating else columns(obj)
        was_protected = not creating and protection.is_protected(obj)
        pending = self._assign(obj, data, creating, relations)
        if not creating:
            protection.check_write(self.adapter, obj, was_protected, before)
        changed = creating or columns(obj) != before
        return self._save(obj, record, data, pending, changed, creating)

    def _save(
        self,
        obj: Model,
        record: Record | None,
        data: dict[str, Any],
        pending: Pending,
        changed: bool,
        creating: bool,
    ) -> Record:
        try:
            if changed:
                obj.save()
            related = False
            for mapping, value in pending:
                wrote = mapping.save_related(self.adapter, obj, value, creating)
                related = bool(wrote) or related
            record = self._write_record(obj, record, data, force=changed or related)
        except IntegrityError:
            raise Uniqueness(
                f"A {self.adapter.resource_type_name} with these unique values exists."
            ) from None
        return record

    def _write_record(
        self, obj: Model, record: Record | None, data: dict[str, Any], force: bool
    ) -> Record:
        """The side row: ``data`` (without externalId) becomes its attributes; written
        when it is new or when anything changed."""
        external_id = data.pop("externalId", None)
        check_length(ResourceRecord(), "external_id", external_id)
        now = timezone.now()
        if record is None or record.id is None:
            created = self.adapter.created_of(obj) or now
            new = Record(
                id=identity.derived_id(self.adapter.namespace, obj.pk),
                external_id=external_id,
                attributes=data,
                created=created,
                last_modified=created if record is None else now,
            )
            records.new_row(
                self.adapter.namespace, obj.pk, client=_managing(self.adapter.client), **vars(new)
            )
            self._elements(new, None)
            return new
        if not force and (external_id, data) == (record.external_id, record.attributes):
            return record  # nothing changed: no write, no new version
        updated = Record(record.id, external_id, data, record.created, now)
        ResourceRecord.objects.filter(pk=record.id).update(
            external_id=external_id, attributes=data, last_modified=now
        )
        self._elements(updated, record)
        return updated

    def _elements(self, record: Record, before: Record | None) -> None:
        resource_type = self.resource_type
        if before is not None and records.multi_valued(
            before.attributes, resource_type
        ) == records.multi_valued(record.attributes, resource_type):
            return
        assert record.id is not None
        column_keys = [
            records.path_element_key(path)
            for path, mapping in resource_type.fields
            if mapping.keep_in_record
        ]
        records.replace_elements(
            record.id, record.attributes, resource_type, column_keys, new=before is None
        )

    def _touch(self, obj: Model, record: Record) -> Record:
        """A change the side row does not hold (a relation): its last modification only."""
        if record.id is None:
            return self._write_record(obj, None, dict(record.attributes), force=True)
        now = timezone.now()
        ResourceRecord.objects.filter(pk=record.id).update(last_modified=now)
        return Record(record.id, record.external_id, record.attributes, record.created, now)

    def _rendered(self, obj: Model, record: Record, shows: Projection | None) -> dict[str, Any]:
        """The resource as written; without a projection to show (a 204 answer), with no
        relation read, only what its version needs."""
        shows = shows or self._without_relations()
        reading.load(self.adapter, [obj], shows, side_rows=False)
        return rendering.render(self.adapter, obj, shows, record)
