"""URLs of the provisioning-log API: include them under a prefix of your choice."""

from __future__ import annotations

from django.urls import path

from django_scim.log_api import views

app_name = "scim_log"

urlpatterns = [
    path("", views.LogListView.as_view(), name="list"),
    path("export.csv", views.LogExportView.as_view(), name="export"),
    path("<int:pk>/", views.LogDetailView.as_view(), name="detail"),
]
