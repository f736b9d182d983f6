from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from example_project.accounts.models import User


@admin.register(User)
class EmployeeAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Employment", {"fields": ("employee_number", "department")}),
    )
    list_display = (*UserAdmin.list_display, "employee_number", "department")
