from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("scim/v2/", include("django_scim.urls")),
    # RFC 7644 §6.1: each organisation's own base URL as well (scim/acme/v2/), answering
    # only the clients bound to that tenant; an instance namespace of its own.
    path("scim/<str:tenant>/v2/", include("django_scim.urls", namespace="scim-tenant")),
]
