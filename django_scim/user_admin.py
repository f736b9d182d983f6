"""Mixins and a list filter for the site's own user (or group) admin.

Add what you want to your ``UserAdmin``::

    from django.contrib.auth.admin import UserAdmin
    from django_scim.user_admin import (
        ProvisionedByFilter, SCIMHistoryMixin, SCIMManagedFieldsMixin, SCIMProvisionedByMixin,
    )

    class SiteUserAdmin(
        SCIMManagedFieldsMixin, SCIMHistoryMixin, SCIMProvisionedByMixin, UserAdmin
    ):
        list_display = (*UserAdmin.list_display, "provisioned_by")
        list_filter = (*UserAdmin.list_filter, ProvisionedByFilter)

- :class:`SCIMHistoryMixin`: a *SCIM history* link on each object's page, to
  every SCIM request about it, newest first, with what changed.
- :class:`SCIMProvisionedByMixin` and :class:`ProvisionedByFilter`: the client
  that manages each object (the one whose write first reached it), as a
  column and a filter.
- :class:`SCIMManagedFieldsMixin` (opt-in): the fields the identity provider
  owns (those the adapter maps to columns) are read-only on the pages of
  objects a client manages, so a local edit cannot be silently overwritten by
  the next provisioning cycle.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import CharField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from django_scim import history
from django_scim.admin_pages import history_response
from django_scim.models import ResourceRecord, SCIMClient
from django_scim.schemas.registry import get_registry
from django_scim.storage.records import keys_of


def _records(model: type[Model]) -> QuerySet[ResourceRecord]:
    return ResourceRecord.objects.filter(resource_type=history.resource_type_of(model) or "")


def owned_fields(model: type[Model]) -> list[str]:
    """The model fields the adapter serving ``model`` writes from SCIM."""
    name = history.resource_type_of(model)
    resource_type = get_registry().get(name) if name else None
    if resource_type is None:
        return []
    fields = []
    for _path, mapping in resource_type.fields:
        field = getattr(mapping, "field", None)
        if isinstance(field, str) and not mapping.read_only and field not in fields:
            fields.append(field)
    return fields


class SCIMHistoryMixin:
    """A *SCIM history* page per object, linked from its change page."""

    model: type[Model]
    admin_site: admin.AdminSite

    def get_urls(self) -> list[Any]:
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/scim-history/",
                self.admin_site.admin_view(self.scim_history_view),
                name=f"{opts.app_label}_{opts.model_name}_scim_history",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return (*fields, "scim_history") if obj is not None else fields

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        if obj is not None:
            fieldsets.append((_("SCIM"), {"fields": ("scim_history",)}))
        return fieldsets

    @admin.display(description=_("SCIM history"))
    def scim_history(self, obj: Model) -> str:
        opts = self.model._meta
        url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_scim_history", args=[obj.pk]
        )
        return format_html('<a href="{}">{}</a>', url, _("Every SCIM request about it"))

    def scim_history_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if obj is None or not self.has_view_or_change_permission(request, obj):  # type: ignore[attr-defined]
            raise Http404
        resource = history.resource_of(obj)
        if resource is None:
            raise Http404
        opts = self.model._meta
        return history_response(
            request,
            self.admin_site,
            resource,
            title=str(obj),
            back_url=reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
            ),
            back_title=str(obj),
        )


class SCIMProvisionedByMixin:
    """The ``provisioned_by`` column: the client managing each object, in the list's one
    query (a subquery on the side table's unique (resource type, key) index)."""

    model: type[Model]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        client = _records(self.model).filter(
            object_pk=Cast(OuterRef("pk"), output_field=CharField())
        )
        return queryset.annotate(scim_provisioned_by=Subquery(client.values("client__name")[:1]))

    @admin.display(description=_("provisioned by"), ordering="scim_provisioned_by")
    def provisioned_by(self, obj: Any) -> str:
        return getattr(obj, "scim_provisioned_by", None) or "—"


class ProvisionedByFilter(admin.SimpleListFilter):
    """Objects managed by one SCIM client, by any, or by none."""

    title = _("provisioned by")
    parameter_name = "scim_client"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        choices = [(str(pk), name) for pk, name in SCIMClient.objects.values_list("pk", "name")]
        return [("any", _("any SCIM client")), ("none", _("not provisioned")), *choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        model = queryset.model
        managed = _records(model).filter(client__isnull=False)
        if value == "none":
            return queryset.exclude(pk__in=keys_of(model, managed))
        if value != "any":
            if not value.isdigit():
                return queryset.none()
            managed = managed.filter(client_id=int(value))
        return queryset.filter(pk__in=keys_of(model, managed))


class SCIMManagedFieldsMixin:
    """Opt-in: the fields the identity provider owns are read-only for managed objects."""

    model: type[Model]
    #: The fields to protect; None: every column the adapter writes (:func:`owned_fields`).
    scim_owned_fields: list[str] | None = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if obj is None or not self.is_scim_managed(obj):
            return fields
        owned = self.scim_owned_fields
        owned = owned_fields(self.model) if owned is None else owned
        return (*fields, *(name for name in owned if name not in fields))

    def is_scim_managed(self, obj: Model) -> bool:
        return _records(self.model).filter(object_pk=str(obj.pk), client__isnull=False).exists()
