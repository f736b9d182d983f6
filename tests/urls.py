from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from tests import site_admin  # noqa: F401 - the site's user admin, with the SCIM mixins

urlpatterns = [
    path("admin/", admin.site.urls),
    path("scim/v2/", include("django_scim.urls")),
    # RFC 7644 §6.1: the tenant in the URL (tests/test_tenancy.py); its own instance namespace.
    path("scim/<str:tenant>/v2/", include("django_scim.urls", namespace="scim-tenant")),
    path("scim-log/", include("django_scim.log_api.urls")),
]
