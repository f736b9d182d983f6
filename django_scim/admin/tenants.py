"""The tenant in the admin (RFC 7644 §6): the list filter the clients and the log share.

Django's default filter for a plain column lists its values with ``SELECT DISTINCT``
over the whole table, on every page: on the provisioning log, a scan of millions of
rows. The tenants come from the clients instead (a handful of rows), and the filter
itself is an equality on the (tenant, created) index.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from django_scim.models import SCIMClient

#: The filter value for "bound to no tenant": a tenant key never holds "@" (it names the
#: namespace ``User@acme``), so no tenant can be called this.
NO_TENANT = "@none"


class TenantFilter(admin.SimpleListFilter):
    """Rows of one tenant, or of none. Shown once some client is bound to a tenant."""

    title = _("tenant")
    parameter_name = "tenant"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        keys = set(
            SCIMClient.objects.exclude(tenant="").order_by().values_list("tenant", flat=True)
        )
        if not keys:
            return []
        value = self.value()
        if value and value != NO_TENANT:
            keys.add(value)  # a tenant whose clients were deleted still has log rows
        return [(NO_TENANT, _("no tenant")), *((key, key) for key in sorted(keys))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(tenant="" if value == NO_TENANT else value)
