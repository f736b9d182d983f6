"""A resource's history: every SCIM request about one user or group, newest first.

Read from the provisioning log through its ``(resource_type, resource_id,
created)`` index, with the change set each write recorded; nothing is
re-computed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, QuerySet

from django_scim import identity
from django_scim.models import ProvisioningLog, ResourceRecord
from django_scim.schemas.registry import get_registry


@dataclass(frozen=True)
class Resource:
    resource_type: str
    scim_id: str


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
    record_id = (
        ResourceRecord.objects.filter(resource_type=name, object_pk=str(obj.pk))
        .values_list("id", flat=True)
        .first()
    )
    return Resource(name, str(record_id or identity.derived_id(name, obj.pk)))


def entries(resource: Resource) -> QuerySet[ProvisioningLog]:
    return (
        ProvisioningLog.objects.filter(
            resource_type=resource.resource_type, resource_id=resource.scim_id
        )
        .select_related("client")
        .defer("request_body", "response_body")
        .order_by("-created", "-pk")
    )
