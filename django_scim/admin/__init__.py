"""Admin for SCIM clients (token lifecycle, health) and the read-only provisioning log.

Django's admin autodiscovery imports this package; each module registers its model.
"""

from __future__ import annotations

from django_scim.admin.clients import ExpiryFilter, SCIMClientAdmin
from django_scim.admin.log import CappedCountPaginator, ProvisioningLogAdmin, StatusClassFilter
from django_scim.admin.tenants import TenantFilter

__all__ = [
    "CappedCountPaginator",
    "ExpiryFilter",
    "ProvisioningLogAdmin",
    "SCIMClientAdmin",
    "StatusClassFilter",
    "TenantFilter",
]
