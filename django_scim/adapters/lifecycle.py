"""Lifecycle policy: delete or deactivate, revival on re-POST, and the signals.

- ``SCIM["DELETE_MODE"]``: ``"delete"`` removes the object (its ``delete()``,
  Django's cascade and signals, then its side row); ``"deactivate"`` clears
  the adapter's ``active_field`` and keeps the row.
- ``SCIM["REVIVE_ON_CREATE"]``: a POST matching a deactivated object of the
  client's tenant by a unique value (``userName``) revives that object with
  its id, as Okta expects after deactivate -> reactivate -> reassign. Never by
  ``externalId``: it is not unique (RFC 7643 §3.1), and Microsoft's test
  collection posts several users sharing one, each a different person.
- Every change is announced with a signal of :mod:`django_scim.signals`, sent
  once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.dispatch import Signal

from django_scim import signals
from django_scim.adapters.base import ResourceAdapter
from django_scim.conf import scim_settings
from django_scim.models import ResourceRecord
from django_scim.schemas.characteristics import Uniqueness
from django_scim.storage.base import Mapping


def send(adapter: ResourceAdapter, signal: Signal, obj: Model, scim_id: str) -> None:
    """Send ``signal`` for ``obj`` once the transaction commits."""
    pk = obj.pk  # read now: after a delete, Django clears it before the commit

    def deliver() -> None:
        if obj.pk is None:
            obj.pk = pk  # a deleted object still says which row it was
        signal.send(
            sender=type(adapter),
            resource_type=adapter.resource_type_name,
            instance=obj,
            scim_id=scim_id,
            client=adapter.client,
        )

    transaction.on_commit(deliver)


def is_active(adapter: ResourceAdapter, obj: Model) -> bool | None:
    return bool(getattr(obj, adapter.active_field)) if adapter.active_field else None


def send_deactivation(
    adapter: ResourceAdapter, obj: Model, scim_id: str, was_active: bool | None
) -> None:
    if was_active and is_active(adapter, obj) is False:
        send(adapter, signals.resource_deactivated, obj, scim_id)


def can_revive(adapter: ResourceAdapter) -> bool:
    return bool(scim_settings.REVIVE_ON_CREATE and adapter.active_field)


def _inactive(adapter: ResourceAdapter) -> QuerySet:
    assert adapter.active_field
    return adapter.scoped_queryset().filter(**{adapter.active_field: False})


def unique_values(
    adapter: ResourceAdapter, data: dict[str, Any]
) -> Iterator[tuple[Mapping, Any, Q]]:
    """Each unique singular value of ``data`` (``userName``), with its mapping and the
    condition finding the object that holds it: what identifies a resource on re-POST."""
    for path, mapping in adapter.resource_type.fields:
        attribute = path.sub_attribute or path.attribute
        value = path.get(data)
        if attribute is None or value is None or attribute.uniqueness is Uniqueness.NONE:
            continue
        if attribute.multi_valued or mapping.is_relation:
            continue
        yield mapping, value, mapping.condition(adapter, path, attribute, "eq", value)


def dormant_by_unique_value(adapter: ResourceAdapter, data: dict[str, Any]) -> QuerySet | None:
    """A deactivated object holding one of the new resource's unique values, if any."""
    if not can_revive(adapter):
        return None
    for _mapping, _value, condition in unique_values(adapter, data):
        dormant = _inactive(adapter).filter(condition)
        if dormant.exists():
            return dormant
    return None


def deactivates(adapter: ResourceAdapter) -> bool:
    """Whether DELETE deactivates rather than deletes (``DELETE_MODE``)."""
    return scim_settings.DELETE_MODE in ("deactivate", "detach") and bool(adapter.active_field)


def deactivate(adapter: ResourceAdapter, obj: Model, scim_id: str) -> None:
    """DELETE in ``deactivate`` mode: the active field cleared, the row kept."""
    assert adapter.active_field
    setattr(obj, adapter.active_field, False)
    adapter.on_deactivate(obj)
    obj.save(update_fields=[adapter.active_field])
    send(adapter, signals.resource_deactivated, obj, scim_id)


def delete(adapter: ResourceAdapter, obj: Model, scim_id: str) -> None:
    """DELETE in ``delete`` mode: the object's own ``delete()`` (Django's cascade and
    signals), then its side row."""
    send(adapter, signals.resource_deleted, obj, scim_id)
    pk = obj.pk
    obj.delete()
    ResourceRecord.objects.filter(
        resource_type=adapter.resource_type_name, object_pk=str(pk)
    ).delete()
