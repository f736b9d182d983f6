"""A resource's history: every SCIM request about one user or group, newest first.

Read from the provisioning log through its ``(resource_type, resource_id,
created)`` index, with the change set each write recorded; nothing is
re-computed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, QuerySet

from django_scim import identity
from django_scim.models import ProvisioningLog, ResourceRecord, SCIMClient
from django_scim.schemas.registry import get_registry
from django_scim.storage import records


@dataclass(frozen=True)
class Resource:
    """One site object as SCIM names it: its id, and the ids it has in tenants (RFC 7644
    §6: one object has an id per tenant it belongs to), all of whose requests are its
    history."""

    resource_type: str
    scim_id: str
    other_ids: tuple[str, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [self.scim_id, *self.other_ids]


def resource_type_of(model: type[Model]) -> str | None:
    """The name of the resource type whose adapter serves ``model``, if one does."""
    concrete = model._meta.concrete_model
    for resource_type in get_registry().resource_types:
        if resource_type.adapter_class.get_model()._meta.concrete_model is concrete:
            return resource_type.name
    return None


def resource_of(obj: Model) -> Resource | None:
    """The SCIM resource type and id of a site object (its side row's id, else the one
    derived from its key)."""
    name = resource_type_of(type(obj))
    if name is None:
        return None
    rows = ResourceRecord.objects.filter(resource_type=name, object_pk=str(obj.pk))
    held = dict(rows.values_list("tenant", "id"))
    tenants = set(SCIMClient.objects.exclude(tenant="").values_list("tenant", flat=True))
    ids = []
    for tenant in ["", *sorted(tenants | set(held))]:
        scim_id = held.get(tenant)
        if scim_id is None and identity.derivable(obj.pk):
            scim_id = identity.derived_id(records.namespace(name, tenant), obj.pk)
        if scim_id is not None and str(scim_id) not in ids:
            ids.append(str(scim_id))
    return Resource(name, ids[0], tuple(ids[1:])) if ids else None


def entries(resource: Resource) -> QuerySet[ProvisioningLog]:
    return (
        ProvisioningLog.objects.filter(
            resource_type=resource.resource_type, resource_id__in=resource.ids
        )
        .select_related("client")
        .defer("request_body", "response_body")
        .order_by("-created", "-pk")
    )
