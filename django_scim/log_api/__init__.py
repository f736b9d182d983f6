"""A read-only API over the provisioning log, for monitoring: staff only, filtered with
django-filter, cursor-paginated, with a CSV export. Include its URLs where you like::

    path("scim-log/", include("django_scim.log_api.urls")),
"""
