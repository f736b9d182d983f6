"""Admin for the provisioning log: read-only and cheap at a million rows.

The log is append-only here: no add, change or delete; retention is
``scim_prune_logs``'s job.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from django_scim import history, jsoncodec
from django_scim.admin.tenants import TenantFilter
from django_scim.admin_pages import change_table, history_response
from django_scim.models import ProvisioningLog
from django_scim.schemas.registry import get_registry


class CappedCountPaginator(Paginator):
    """Counts at most ``cap`` + 1 rows: ``SELECT COUNT(*) FROM (... LIMIT cap + 1)``.

    The admin counts the rows of the list it shows to number its pages; on a log
    of millions that COUNT reads the whole index on every page. Past the cap the
    list says "10001" and pages as far as that; filters and the date hierarchy
    narrow the rest.
    """

    cap = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()  # type: ignore[attr-defined]


OPERATIONS = (
    "list",
    "read",
    "create",
    "replace",
    "patch",
    "delete",
    "search",
    "bulk",
    "me",
    "discovery",
    "unknown",
    "unsupported",
)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
STATUSES = (200, 201, 204, 400, 401, 403, 404, 405, 409, 412, 413, 415, 429, 500, 501, 503)


def choices_filter(field: str, title: Any, choices: Any) -> type[admin.SimpleListFilter]:
    """A list filter over fixed values. Django's default for a plain column lists its values
    with ``SELECT DISTINCT`` over the whole table, on every page: a scan of the log."""

    class ChoicesFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            return [(str(value), str(value)) for value in choices()]

        def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
            value = self.value()
            return queryset.filter(**{field: value}) if value else queryset

    ChoicesFilter.title = title
    return ChoicesFilter


def _resource_types() -> list[str]:
    return [resource_type.name for resource_type in get_registry().resource_types]


class StatusClassFilter(admin.SimpleListFilter):
    title = _("outcome")
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("2xx", _("success (2xx)")),
            ("4xx", _("refused (4xx)")),
            ("5xx", _("failed (5xx)")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value not in {"2xx", "4xx", "5xx"}:
            return queryset
        low = int(value[0]) * 100
        return queryset.filter(status__gte=low, status__lt=low + 100)


@admin.register(ProvisioningLog)
class ProvisioningLogAdmin(admin.ModelAdmin):
    list_display = (
        "created",
        "client_name",
        "tenant",
        "method",
        "path",
        "resource_type",
        "operation",
        "status",
        "scim_type",
        "protected_account",
        "duration_ms",
    )
    list_filter = (
        "client",
        TenantFilter,
        choices_filter("resource_type", _("resource type"), _resource_types),
        choices_filter("method", _("method"), lambda: METHODS),
        StatusClassFilter,
        choices_filter("status", _("status"), lambda: STATUSES),
        choices_filter("operation", _("operation"), lambda: OPERATIONS),
        "protected_account",
        ("created", admin.DateFieldListFilter),
    )
    search_fields = ("resource_id", "path", "client_name")
    date_hierarchy = "created"
    list_select_related = ("client",)
    show_full_result_count = False
    paginator = CappedCountPaginator
    fields = (
        "created",
        "sent_by",
        "tenant",
        "method",
        "path",
        "resource_type",
        "resource_link",
        "operation",
        "status",
        "scim_type",
        "protected_account",
        "duration_ms",
        "remote_addr",
        "change_table",
        "pretty_request_body",
        "pretty_response_body",
    )
    readonly_fields = fields

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "history/<str:resource_type>/<str:resource_id>/",
                wrap(self.resource_history_view),
                name="django_scim_resource_history",
            ),
            *super().get_urls(),
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an audit trail: retention is scim_prune_logs's job

    @admin.display(description=_("client"))
    def sent_by(self, obj: ProvisioningLog) -> str:
        """The client, linked while it exists; its name as logged once it is deleted."""
        if obj.client_id is None:
            return obj.client_name or "—"
        url = reverse("admin:django_scim_scimclient_change", args=[obj.client_id])
        return format_html('<a href="{}">{}</a>', url, obj.client_name)

    @admin.display(description=_("resource id"))
    def resource_link(self, obj: ProvisioningLog) -> str:
        if not (obj.resource_type and obj.resource_id):
            return "—"
        url = reverse(
            "admin:django_scim_resource_history", args=[obj.resource_type, obj.resource_id]
        )
        return format_html('{} (<a href="{}">{}</a>)', obj.resource_id, url, _("history"))

    @admin.display(description=_("changes"))
    def change_table(self, obj: ProvisioningLog) -> str:
        return change_table(obj.changes)

    @admin.display(description=_("request body"))
    def pretty_request_body(self, obj: ProvisioningLog) -> str:
        return _pretty(obj.request_body)

    @admin.display(description=_("response body"))
    def pretty_response_body(self, obj: ProvisioningLog) -> str:
        return _pretty(obj.response_body)

    def resource_history_view(
        self, request: HttpRequest, resource_type: str, resource_id: str
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        resource = history.Resource(resource_type, resource_id)
        return history_response(
            request, self.admin_site, resource, title=f"{resource_type} {resource_id}"
        )


def _pretty(text: str) -> str:
    if not text:
        return "—"
    with contextlib.suppress(jsoncodec.JSONDecodeError):
        text = jsoncodec.dumps_pretty(jsoncodec.loads(text))
    return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)
