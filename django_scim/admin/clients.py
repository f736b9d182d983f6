"""Admin for SCIM clients: the token lifecycle and each client's health.

A token is shown once, when it is issued (on creation, or by rotation); every
lifecycle step goes through :mod:`django_scim.clients`, like ``manage.py
scim_token``. Each client has a health page (:mod:`django_scim.health`).

A client's tenant (RFC 7644 §6) is chosen when it is added and read-only after that:
moving a client to another tenant would show it another organisation's people.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from django_scim import clients, health
from django_scim.admin.tenants import TenantFilter
from django_scim.conf import scim_settings
from django_scim.models import ProvisioningLog, SCIMClient

TENANT_HELP = _(
    "Key of the organisation this client provisions: it then sees and changes only that "
    "tenant's users and groups. Empty: every user and group of the site. Fixed once the "
    "client is saved (moved to another tenant, it would see another organisation's "
    "people): for another tenant, add another client."
)


def _log_count(since: Any, errors: bool) -> Coalesce:
    rows = ProvisioningLog.objects.filter(client=OuterRef("pk"), created__gte=since)
    if errors:
        rows = rows.filter(status__gte=400)
    counted = rows.order_by().values("client").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class ExpiryFilter(admin.SimpleListFilter):
    title = _("expiry")
    parameter_name = "expiry"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("expired", _("expired")),
            ("soon", _("expires soon")),
            ("never", _("never expires")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        soon = now + timedelta(days=scim_settings.TOKEN_EXPIRY_WARNING_DAYS)
        return {
            "expired": lambda: queryset.filter(expires__lte=now),
            "soon": lambda: queryset.filter(expires__gt=now, expires__lte=soon),
            "never": lambda: queryset.filter(expires__isnull=True),
        }.get(self.value() or "", lambda: queryset)()


class SCIMClientForm(forms.ModelForm):
    def clean_tenant(self) -> str:
        """The key names the tenant's namespace (``User@acme``) and may appear in the URL
        (``scim/acme/v2/``): neither "@" nor "/". Surrounding whitespace is stripped."""
        try:
            return clients.check_tenant(self.cleaned_data["tenant"])
        except clients.ClientError as exc:
            raise ValidationError(str(exc), code="invalid") from None


@admin.register(SCIMClient)
class SCIMClientAdmin(admin.ModelAdmin):
    form = SCIMClientForm
    list_display = (
        "name",
        "tenant",
        "token_prefix",
        "scope",
        "state",
        "strict",
        "last_used",
        "expiry",
        "requests_24h",
        "errors_24h",
        "health_link",
    )
    list_filter = ("is_active", "scope", "strict", ExpiryFilter, TenantFilter)
    search_fields = ("name", "token_prefix", "tenant")
    readonly_fields = ("token_prefix", "created", "last_used")
    fields = (
        "name",
        "tenant",
        "scope",
        "strict",
        "is_active",
        "expires",
        "cycle_minutes",
        "token_prefix",
        "created",
        "last_used",
    )
    actions = ["revoke", "reactivate", "rotate_token", "reactivate_and_rotate"]
    change_form_template = "admin/django_scim/scimclient/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[SCIMClient]:
        since = timezone.now() - timedelta(hours=24)
        return (
            super()
            .get_queryset(request)
            .annotate(
                scim_requests_24h=_log_count(since, errors=False),
                scim_errors_24h=_log_count(since, errors=True),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The tenant is set when the client is added, never changed (see the module)."""
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else (*fields, "tenant")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        kwargs.setdefault("help_texts", {"tenant": TENANT_HELP})
        return super().get_form(request, obj, change, **kwargs)

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/rotate/", wrap(self.rotate_view), name="django_scim_rotate"),
            path("<path:object_id>/health/", wrap(self.health_view), name="django_scim_health"),
            *super().get_urls(),
        ]

    # -- columns

    @admin.display(description=_("state"))
    def state(self, obj: SCIMClient) -> str:
        if not obj.is_active:
            return str(_("revoked"))
        return str(_("expired")) if obj.is_expired else str(_("active"))

    @admin.display(description=_("expires"), ordering="expires")
    def expiry(self, obj: SCIMClient) -> str:
        if obj.expires is None:
            return "—"
        left = obj.expires - timezone.now()
        text = f"{obj.expires:%Y-%m-%d %H:%M}"
        if left <= timedelta(0):
            return format_html('<strong class="scim-expired">{} ({})</strong>', text, _("expired"))
        if left <= timedelta(days=scim_settings.TOKEN_EXPIRY_WARNING_DAYS):
            return format_html(
                '<strong class="scim-expires-soon">{} ({})</strong>',
                text,
                _("in %(days)d days") % {"days": left.days},
            )
        return text

    @admin.display(description=_("requests (24 h)"), ordering="scim_requests_24h")
    def requests_24h(self, obj: Any) -> int:
        return obj.scim_requests_24h

    @admin.display(description=_("errors (24 h)"), ordering="scim_errors_24h")
    def errors_24h(self, obj: Any) -> int:
        return obj.scim_errors_24h

    @admin.display(description=_("health"))
    def health_link(self, obj: SCIMClient) -> str:
        url = reverse("admin:django_scim_health", args=[obj.pk])
        stale = health.is_stale(obj, obj.last_used, timezone.now())
        label = _("stale") if stale else _("health")
        css = "scim-stale" if stale else "scim-healthy"
        return format_html('<a class="{}" href="{}">{}</a>', css, url, label)

    # -- creation and lifecycle

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

    def _each(self, request: HttpRequest, queryset: QuerySet, step: Any) -> None:
        for client in queryset:
            try:
                raw = step(client)
            except clients.ClientError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                continue
            if raw:
                self._show_token(request, client, raw)
            else:
                self.message_user(request, _("%s: done.") % client.name)

    @admin.action(description=_("Revoke selected clients"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[SCIMClient]) -> None:
        count = queryset.update(is_active=False)
        self.message_user(request, _("%d client(s) revoked.") % count)

    @admin.action(description=_("Reactivate selected clients (their current token works again)"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[SCIMClient]) -> None:
        self._each(request, queryset, clients.reactivate)

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def rotate_token(self, request: HttpRequest, queryset: QuerySet[SCIMClient]) -> None:
        self._each(request, queryset, clients.rotate)

    @admin.action(description=_("Reactivate and issue a new token"))
    def reactivate_and_rotate(self, request: HttpRequest, queryset: QuerySet[SCIMClient]) -> None:
        self._each(request, queryset, lambda client: clients.rotate(client, reactivate=True))

    # -- pages

    def _client(self, request: HttpRequest, object_id: str, change: bool) -> SCIMClient:
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        allowed = self.has_change_permission if change else self.has_view_permission
        if not allowed(request, obj):
            raise PermissionDenied
        return obj

    def rotate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Confirm, then issue a new token; a revoked client is reactivated only if asked."""
        client = self._client(request, object_id, change=True)
        change_url = reverse("admin:django_scim_scimclient_change", args=[client.pk])
        if request.method == "POST":
            try:
                raw = clients.rotate(client, reactivate=bool(request.POST.get("reactivate")))
            except clients.ClientError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self._show_token(request, client, raw)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": client,
            "title": _("Rotate the token of %s") % client.name,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/django_scim/scimclient/rotate.html", context)

    def health_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        client = self._client(request, object_id, change=False)
        report = health.health(client)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": client,
            "title": _("Provisioning health of %s") % client.name,
            "health": report,
            "chart": mark_safe(health.chart(report.hours)),  # numbers and dates only
            "stale_after": health.stale_after(client),
            "log_url": reverse("admin:django_scim_provisioninglog_changelist")
            + f"?client__id__exact={client.pk}",
        }
        return TemplateResponse(request, "admin/django_scim/scimclient/health.html", context)


# -- the provisioning log -----------------------------------------------------------------
