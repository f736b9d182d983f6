"""The example site's user admin, with what django_scim offers a site's own admin:
a SCIM history page per user, the client that provisioned each user (column and
filter), and the fields the identity provider owns read-only for users it manages."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from django_scim.user_admin import (
    ProvisionedByFilter,
    SCIMHistoryMixin,
    SCIMManagedFieldsMixin,
    SCIMProvisionedByMixin,
)
from example_project.accounts.models import User


@admin.register(User)
class EmployeeAdmin(SCIMManagedFieldsMixin, SCIMHistoryMixin, SCIMProvisionedByMixin, UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Employment", {"fields": ("employee_number", "department")}),
    )
    list_display = (*UserAdmin.list_display, "employee_number", "department", "provisioned_by")
    list_filter = (*UserAdmin.list_filter, ProvisionedByFilter)
