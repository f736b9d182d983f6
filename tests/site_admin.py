"""The site's own user admin, as docs/provisioning-log.md tells a site to extend it."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from django_scim.user_admin import (
    ProvisionedByFilter,
    SCIMHistoryMixin,
    SCIMManagedFieldsMixin,
    SCIMProvisionedByMixin,
)

User = get_user_model()


class SiteUserAdmin(SCIMManagedFieldsMixin, SCIMHistoryMixin, SCIMProvisionedByMixin, UserAdmin):
    list_display = (*UserAdmin.list_display, "provisioned_by")
    list_filter = (*UserAdmin.list_filter, ProvisionedByFilter)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, SiteUserAdmin)
