"""The provisioning log's query parameters, as a django-filter ``FilterSet``.

Every filter is an equality or a range on an indexed column (or one that
narrows an indexed range), so a monitoring job polling ``created_after`` reads
only the new rows. ``tenant`` is the tenant the client was bound to when it
sent the request (RFC 7644 §6), kept on the row: it reads the (tenant, created)
index, and still finds the rows of a client deleted since.
"""

from __future__ import annotations

from django_filters import rest_framework as filters

from django_scim.models import ProvisioningLog, SCIMClient


class ProvisioningLogFilter(filters.FilterSet):
    client = filters.ModelChoiceFilter(queryset=SCIMClient.objects.all())
    client_name = filters.CharFilter()
    tenant = filters.CharFilter()
    method = filters.CharFilter(lookup_expr="iexact")
    #: ``status_min`` / ``status_max``: e.g. every refusal with status_min=400&status_max=499.
    status = filters.RangeFilter()
    operation = filters.CharFilter()
    resource_type = filters.CharFilter()
    resource_id = filters.CharFilter()
    scim_type = filters.CharFilter()
    protected_account = filters.BooleanFilter()
    #: ``created_after`` / ``created_before``, ISO 8601.
    created = filters.IsoDateTimeFromToRangeFilter()

    class Meta:
        model = ProvisioningLog
        fields = [
            "client",
            "client_name",
            "tenant",
            "method",
            "status",
            "operation",
            "resource_type",
            "resource_id",
            "scim_type",
            "protected_account",
            "created",
        ]
