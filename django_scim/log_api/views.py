"""Read-only views of the provisioning log (see :mod:`django_scim.log_api`).

Authentication is the site's (DRF's ``DEFAULT_AUTHENTICATION_CLASSES``: a
session, or whatever the monitoring system uses); the caller must be staff and
hold the *view provisioning log entry* permission. SCIM bearer tokens are not
accepted here: identity providers have no business reading the log.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics, permissions, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from django_scim import jsoncodec
from django_scim.log_api.filters import ProvisioningLogFilter
from django_scim.models import ProvisioningLog

#: The columns of a list row and of the CSV export: everything but the bodies.
LIST_FIELDS = (
    "id",
    "created",
    "client",
    "client_name",
    "tenant",
    "method",
    "path",
    "resource_type",
    "resource_id",
    "operation",
    "status",
    "scim_type",
    "protected_account",
    "duration_ms",
    "remote_addr",
    "changes",
)


class CanViewProvisioningLog(permissions.BasePermission):
    """Staff holding ``django_scim.view_provisioninglog``."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_staff
            and user.has_perm("django_scim.view_provisioninglog")
        )


class LogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProvisioningLog
        fields = LIST_FIELDS


class LogEntryDetailSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProvisioningLog
        fields = (*LIST_FIELDS, "request_body", "response_body")


class LogCursorPagination(CursorPagination):
    """Newest first; a page is one index range, whatever the table's size (no COUNT)."""

    ordering = "-created"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class LogQuerysetMixin(generics.GenericAPIView):
    permission_classes = [CanViewProvisioningLog]
    # JSON only: the browsable API's filter form would need django_filters in INSTALLED_APPS.
    renderer_classes = [JSONRenderer]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProvisioningLogFilter

    def get_queryset(self) -> QuerySet[ProvisioningLog]:
        return ProvisioningLog.objects.defer("request_body", "response_body")


class LogListView(LogQuerysetMixin, generics.ListAPIView):
    """``GET``: the entries matching the filters, newest first, without bodies."""

    serializer_class = LogEntrySerializer
    pagination_class = LogCursorPagination


class LogDetailView(generics.RetrieveAPIView):
    """``GET <id>/``: one entry, with its (redacted) bodies."""

    permission_classes = [CanViewProvisioningLog]
    renderer_classes = [JSONRenderer]
    serializer_class = LogEntryDetailSerializer
    queryset = ProvisioningLog.objects.all()


class _Echo:
    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A CSV cell: JSON for the change set; text a spreadsheet would run as a formula (a
    path is whatever a client sent) prefixed with an apostrophe (OWASP, CSV injection)."""
    if isinstance(value, (list, dict)):
        value = jsoncodec.dumps(value).decode()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_rows(queryset: QuerySet[ProvisioningLog]) -> Iterator[str]:
    """The header, then one line per entry, read in chunks (never the whole table at once)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(LIST_FIELDS)
    columns = [name if name != "client" else "client_id" for name in LIST_FIELDS]
    for row in queryset.values_list(*columns).iterator(chunk_size=2000):
        yield writer.writerow([cell(value) for value in row])


class LogExportView(LogQuerysetMixin):
    """``GET export.csv``: every entry matching the filters, newest first, streamed."""

    def get(self, request: Request) -> StreamingHttpResponse:
        queryset = self.filter_queryset(self.get_queryset())
        response = StreamingHttpResponse(
            csv_rows(queryset.order_by("-created", "-pk")), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="scim-provisioning-log.csv"'
        return response
