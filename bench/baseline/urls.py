from __future__ import annotations

from django.contrib import admin
from django.urls import path

from bench.baseline import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("scim/v2/ServiceProviderConfig", views.service_provider_config),
    path("scim/v2/Users", views.user_list),
    path("scim/v2/Users/<str:scim_id>", views.user_detail),
    path("scim/v2/Groups", views.group_list),
    path("scim/v2/Groups/<str:scim_id>", views.group_detail),
]
