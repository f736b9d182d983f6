"""Admin for SCIM clients (token shown once, on creation) and the read-only provisioning log."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from django_scim import jsoncodec
from django_scim.models import ProvisioningLog, SCIMClient


@admin.register(SCIMClient)
class SCIMClientAdmin(admin.ModelAdmin):
    list_display = ("name", "token_prefix", "scope", "is_active", "created", "last_used")
    list_filter = ("is_active", "scope")
    search_fields = ("name", "token_prefix")
    readonly_fields = ("token_prefix", "created", "last_used")
    fields = ("name", "scope", "is_active", "token_prefix", "created", "last_used")
    actions = ["revoke", "rotate_token"]

    def save_model(self, request: HttpRequest, obj: SCIMClient, form: Any, change: bool) -> None:
        if not change:
            raw = obj.set_token()
            super().save_model(request, obj, form, change)
            self._show_token(request, obj, raw)
            return
        super().save_model(request, obj, form, change)

    def _show_token(self, request: HttpRequest, obj: SCIMClient, raw: str) -> None:
        messages.warning(
            request,
            format_html(
                str(
                    _("Bearer token for {}: <code>{}</code> — copy it now, it is not shown again.")
                ),
                obj.name,
                raw,
            ),
        )

    @admin.action(description=_("Revoke selected clients"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[SCIMClient]) -> None:
        count = queryset.update(is_active=False)
        self.message_user(request, _("%d client(s) revoked.") % count)

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def rotate_token(self, request: HttpRequest, queryset: QuerySet[SCIMClient]) -> None:
        for client in queryset:
            raw = client.set_token()
            client.save(update_fields=["token_prefix", "token_digest"])
            self._show_token(request, client, raw)


@admin.register(ProvisioningLog)
class ProvisioningLogAdmin(admin.ModelAdmin):
    list_display = (
        "created",
        "client_name",
        "method",
        "path",
        "resource_type",
        "operation",
        "status",
        "scim_type",
        "duration_ms",
    )
    list_filter = (
        "client",
        "resource_type",
        "method",
        "status",
        "operation",
        ("created", admin.DateFieldListFilter),
    )
    search_fields = ("path", "resource_id", "client_name")
    date_hierarchy = "created"
    list_select_related = ("client",)
    show_full_result_count = False
    fields = (
        "created",
        "client",
        "client_name",
        "method",
        "path",
        "resource_type",
        "resource_id",
        "operation",
        "status",
        "scim_type",
        "duration_ms",
        "remote_addr",
        "pretty_request_body",
        "pretty_response_body",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("request body"))
    def pretty_request_body(self, obj: ProvisioningLog) -> str:
        return _pretty(obj.request_body)

    @admin.display(description=_("response body"))
    def pretty_response_body(self, obj: ProvisioningLog) -> str:
        return _pretty(obj.response_body)


def _pretty(text: str) -> str:
    if not text:
        return "—"
    with contextlib.suppress(jsoncodec.JSONDecodeError):
        text = jsoncodec.dumps_pretty(jsoncodec.loads(text))
    return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)
