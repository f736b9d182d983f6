"""The example site's user admin, with what django_scim offers a site's own admin:
a SCIM history page per user, the client that provisioned each user (column and
filter), and the fields the identity provider owns read-only for users it manages; and the
organisations (tenants) with their members."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from django_scim.user_admin import (
    ProvisionedByFilter,
    SCIMHistoryMixin,
    SCIMManagedFieldsMixin,
    SCIMProvisionedByMixin,
)
from example_project.accounts.models import Membership, Organisation, User


@admin.register(User)
class EmployeeAdmin(SCIMManagedFieldsMixin, SCIMHistoryMixin, SCIMProvisionedByMixin, UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Employment", {"fields": ("employee_number", "department")}),
    )
    list_display = (*UserAdmin.list_display, "employee_number", "department", "provisioned_by")
    list_filter = (*UserAdmin.list_filter, ProvisionedByFilter, "organisations")


class MembershipInline(admin.TabularInline):
    model = Membership
    autocomplete_fields = ("user",)
    readonly_fields = ("joined",)
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """An organisation's key is the tenant its SCIM clients are bound to; its members are
    the users those clients see."""

    list_display = ("name", "slug", "email_domains")
    search_fields = ("name", "slug", "email_domains")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (MembershipInline,)
