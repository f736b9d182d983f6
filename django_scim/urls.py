"""Mount with ``path("scim/v2/", include("django_scim.urls"))``.

Resource endpoints are resolved through the registry at request time, so
adding an adapter in settings needs no URL change. Every other URL under the
prefix answers a SCIM 404.
"""

from __future__ import annotations

from django.urls import path, re_path

from django_scim.views import base, bulk, discovery, me, resources

app_name = "scim"

urlpatterns = [
    path("", base.NotFoundView.as_view(), name="root"),
    re_path(
        r"^ServiceProviderConfig/?$",
        discovery.ServiceProviderConfigView.as_view(),
        name="service-provider-config",
    ),
    re_path(r"^Schemas/?$", discovery.SchemaListView.as_view(), name="schemas"),
    re_path(
        r"^Schemas/(?P<schema_id>[^/]+)/?$",
        discovery.SchemaDetailView.as_view(),
        name="schema-detail",
    ),
    re_path(r"^ResourceTypes/?$", discovery.ResourceTypeListView.as_view(), name="resource-types"),
    re_path(
        r"^ResourceTypes/(?P<name>[^/]+)/?$",
        discovery.ResourceTypeDetailView.as_view(),
        name="resource-type-detail",
    ),
    re_path(r"^\.search/?$", resources.RootSearchView.as_view(), name="search"),
    # RFC 7644 §3.7: /Bulk is POSTed to; any other method is 405.
    re_path(r"^Bulk/?$", bulk.BulkView.as_view(http_method_names=["post", "options"]), name="bulk"),
    re_path(r"^Me/?$", me.MeView.as_view(), name="me"),
    re_path(
        r"^(?P<endpoint>[^/.][^/]*)/\.search/?$",
        resources.ResourceSearchView.as_view(),
        name="resource-search",
    ),
    re_path(
        r"^(?P<endpoint>[^/.][^/]*)/?$", resources.ResourceListView.as_view(), name="resource-list"
    ),
    re_path(
        r"^(?P<endpoint>[^/.][^/]*)/(?P<resource_id>[^/]+)/?$",
        resources.ResourceDetailView.as_view(),
        name="resource-detail",
    ),
    re_path(r"^.*$", base.NotFoundView.as_view(), name="not-found"),
]
