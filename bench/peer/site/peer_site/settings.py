"""A minimal Django site serving django-scim2 (the peer) for the side-by-side benchmark.

Stock ``auth.User`` / ``auth.Group``, a fixed bearer token mapped to a service
user, and adapters that read the primary key as the SCIM id (the peer's stock
adapters expect extra ``scim_*`` columns that auth.User does not have).

Environment: PEER_SQLITE (database file), or PEER_DB=postgres with SCIM_PG_HOST,
SCIM_PG_PORT, SCIM_PG_USER, SCIM_PG_PASSWORD and PEER_PG_NAME.
"""

from __future__ import annotations

import os
import tempfile

SECRET_KEY = "peer-bench-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "peer_site.urls"
WSGI_APPLICATION = "peer_site.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_scim",
]

MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "peer_site.bearer.BearerTokenMiddleware",
]

PEER_TOKEN = os.environ.get("PEER_TOKEN", "peer-bench-token")
PEER_SERVICE_USER = "scim-service"

if os.environ.get("PEER_DB") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("SCIM_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("SCIM_PG_PORT", "5432"),
            "USER": os.environ.get("SCIM_PG_USER", "scim"),
            "PASSWORD": os.environ.get("SCIM_PG_PASSWORD", ""),
            "NAME": os.environ.get("PEER_PG_NAME", "peer"),
            # The same connection reuse as example_project's PostgreSQL settings.
            "CONN_MAX_AGE": 60,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("PEER_SQLITE")
            or os.path.join(tempfile.gettempdir(), "peer_bench.sqlite3"),
        }
    }

SCIM_SERVICE_PROVIDER = {
    "NETLOC": "127.0.0.1",
    "SCHEME": "http",
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token",
        }
    ],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="scim"',
    "USER_ADAPTER": "peer_site.adapters.AuthUserAdapter",
    "GROUP_ADAPTER": "peer_site.adapters.AuthGroupAdapter",
    "GROUP_FILTER_PARSER": "peer_site.filters.GroupNameFilter",
    "BASE_LOCATION_GETTER": "peer_site.adapters.base_location",
}
