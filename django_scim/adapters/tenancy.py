"""Tenancy policy (RFC 7644 §6): adoption of existing users, and detaching on DELETE.

A client bound to a tenant sees only the tenant's objects (the adapter's
``scoped_queryset()``); this module decides the two moments where an object
crosses the tenant's border:

- **Adoption.** A POST whose unique value (``userName``) is held by an object
  outside the tenant is 409 ``uniqueness`` by default: sites have lost
  accounts to a tenant taking over another tenant's user by its e-mail
  address. With ``SCIM["ADOPT_EXISTING_USERS"]`` a tenant may adopt an
  object that belongs to no other tenant, and with
  ``SCIM["ADOPTION_DOMAINS"]`` only one whose name and e-mail address are in
  the tenant's domains (the adapter's ``adoption_domains()``). A user whose
  stored name carries the tenant's own prefix (``acme+bjensen``: the tenant
  made it, then detached it) is taken back without either setting. Protected
  accounts are never adopted.
- **Detaching.** ``SCIM["DELETE_MODE"] = "detach"`` takes the object out of
  the tenant (the adapter's ``detach()`` hook, then its identity in the
  tenant) and leaves the person, who may belong to other tenants.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from django_scim.adapters import lifecycle
from django_scim.adapters.base import ResourceAdapter
from django_scim.conf import scim_settings
from django_scim.models import ResourceRecord
from django_scim.storage import records


def detaches(adapter: ResourceAdapter) -> bool:
    """Whether DELETE takes the object out of the client's tenant (``DELETE_MODE``): for
    people (an adapter with an ``active_field``); a tenant's groups are its own, deleted."""
    detaching = scim_settings.DELETE_MODE == "detach" and bool(adapter.tenant)
    return detaching and bool(adapter.active_field)


def detach(adapter: ResourceAdapter, obj: Model) -> None:
    """The object leaves the tenant: the site's membership, then its identity there."""
    adapter.detach(obj)
    records.rows_of(adapter.namespace).filter(object_pk=str(obj.pk)).delete()


def tenants_of(adapter: ResourceAdapter, obj: Model) -> set[str]:
    """The tenants ``obj`` has a SCIM identity in, and those the site says it belongs to."""
    held = ResourceRecord.objects.filter(
        resource_type=adapter.resource_type_name, object_pk=str(obj.pk)
    ).exclude(tenant="")
    return set(held.values_list("tenant", flat=True)) | set(adapter.tenants_of(obj))


def _domain(value: Any) -> str | None:
    if not isinstance(value, str) or "@" not in value:
        return None
    return value.rsplit("@", 1)[1].lower()


def _in_domains(adapter: ResourceAdapter, obj: Model, value: Any) -> bool:
    """Whether the tenant's adoption domains (if it has any) cover the matched value and
    the object's e-mail address."""
    domains = adapter.adoption_domains()
    if domains is None:
        return True
    allowed = {domain.lower() for domain in domains}
    email_field = getattr(type(obj), "get_email_field_name", None)
    email = getattr(obj, email_field(), "") if email_field else ""
    named = [value] + ([email] if email else [])
    return all(_domain(item) in allowed for item in named)


def _made_by_tenant(adapter: ResourceAdapter, mapping: Any, holder: Model) -> bool:
    """Whether ``holder``'s name is stored behind this tenant's prefix: only the tenant's
    own writes store such names, so the user was the tenant's (detached since)."""
    prefix = adapter.tenant_name_prefix()
    field = getattr(mapping, "field", None) if getattr(mapping, "per_tenant", False) else None
    stored = getattr(holder, field, None) if field else None
    return bool(prefix) and isinstance(stored, str) and stored.startswith(prefix)


def adoptable(adapter: ResourceAdapter, data: dict[str, Any]) -> QuerySet | None:
    """The object outside the tenant holding one of ``data``'s unique values, if the
    policy lets the tenant adopt it; None otherwise (the POST is then 409)."""
    if not adapter.tenant:
        return None
    for mapping, value, condition in lifecycle.unique_values(adapter, data):
        holder = adapter.get_queryset().filter(condition).first()
        if holder is None or tenants_of(adapter, holder):
            return None  # in a tenant already: another's, or this one's (a duplicate)
        policy = scim_settings.ADOPT_EXISTING_USERS and _in_domains(adapter, holder, value)
        if not policy and not _made_by_tenant(adapter, mapping, holder):
            return None
        return adapter.get_queryset().filter(pk=holder.pk)
    return None
