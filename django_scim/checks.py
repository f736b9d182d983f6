"""System checks for misconfiguration, one function per check, with stable ids.

| id                | problem                                                       |
| ----------------- | ------------------------------------------------------------- |
| django_scim.E001  | ``rest_framework`` is not in INSTALLED_APPS                   |
| django_scim.E002  | ``SCIM`` has a key this app does not know (likely a typo)     |
| django_scim.E003  | an import string in ``SCIM`` does not import                  |
| django_scim.E004  | the adapters do not form a valid registry                     |
| django_scim.E005  | ``MAX_RESULTS`` or ``DEFAULT_COUNT`` is not a positive integer |
| django_scim.E006  | ``DELETE_MODE`` is not "delete", "deactivate" or "detach"     |
| django_scim.W001  | an adapter overrides ``tenant_queryset()`` but keeps its      |
|                   | ``tenant_membership = "identities"``                          |
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from django_scim.adapters.base import ResourceAdapter
from django_scim.conf import DELETE_MODES, IMPORT_STRINGS, scim_settings
from django_scim.schemas.registry import Registry


@register(Tags.compatibility)
def check_rest_framework_installed(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if apps.is_installed("rest_framework"):
        return []
    return [
        Error(
            "django_scim needs Django REST framework.",
            hint="Add 'rest_framework' to INSTALLED_APPS.",
            id="django_scim.E001",
        )
    ]


@register(Tags.compatibility)
def check_unknown_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [
        Error(
            f"Unknown SCIM setting {key!r}.",
            hint="Check the spelling against the settings reference.",
            id="django_scim.E002",
        )
        for key in scim_settings.unknown_keys()
    ]


@register(Tags.compatibility)
def check_import_strings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for key in sorted(IMPORT_STRINGS):
        try:
            getattr(scim_settings, key)
        except ImproperlyConfigured as exc:
            errors.append(Error(str(exc), hint="Fix the dotted path.", id="django_scim.E003"))
    return errors


@register(Tags.compatibility)
def check_registry(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        Registry(scim_settings.ADAPTERS)
    except ImproperlyConfigured as exc:
        if "could not import" in str(exc):
            return []  # reported by E003
        return [
            Error(
                str(exc),
                hint="Each adapter must subclass ResourceAdapter and map "
                "existing attributes; names and endpoints must be unique.",
                id="django_scim.E004",
            )
        ]
    return []


@register(Tags.compatibility)
def check_tenant_membership(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """An adapter with its own ``tenant_queryset()`` whose ``tenant_membership`` still says
    "identities": references (a group's members, a user's groups) would be shown by SCIM
    identity, hiding members the site added itself."""
    try:
        registry = Registry(scim_settings.ADAPTERS)
    except ImproperlyConfigured:
        return []  # reported by E003 or E004
    found = []
    for resource_type in registry.resource_types:
        adapter = resource_type.adapter_class
        own = adapter.tenant_queryset is not ResourceAdapter.tenant_queryset
        if own and adapter.tenant_membership == "identities":
            found.append(
                Warning(
                    f"{adapter.__name__} overrides tenant_queryset() but its "
                    'tenant_membership is "identities".',
                    hint='Declare tenant_membership = "site" on it (docs/tenancy.md).',
                    id="django_scim.W001",
                )
            )
    return found


@register(Tags.compatibility)
def check_paging_limits(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for key in ("MAX_RESULTS", "DEFAULT_COUNT"):
        value = getattr(scim_settings, key)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            errors.append(
                Error(
                    f"SCIM[{key!r}] must be a positive integer, not {value!r}.",
                    id="django_scim.E005",
                )
            )
    return errors


@register(Tags.compatibility)
def check_delete_mode(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if scim_settings.DELETE_MODE in DELETE_MODES:
        return []
    return [Error(f"SCIM['DELETE_MODE'] must be one of {DELETE_MODES}.", id="django_scim.E006")]
