"""A minimal Django site serving django-scim2 (the peer) for the side-by-side benchmark.

Stock ``auth.User`` / ``auth.Group``, a fixed bearer token mapped to a service
user, and adapters that read the primary key as the SCIM id (the peer's stock
adapters expect extra ``scim_*`` columns that auth.User does not have).

Environment: PEER_SQLITE (database file), or PEER_DB=postgres with SCIM_PG_HOST,
SCIM_PG_PORT, SCIM_PG_USER, SCIM_PG_PASSWORD and PEER_PG_NAME; BENCH_SITE=defaults
for Django's default database options instead of example_project's.
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

# The same site around the SCIM app as example_project: the same contrib apps (so
# that deleting a user cascades to the same tables, the admin log among them), the
# same middleware (plus the bearer token, which django-scim2 leaves to the site),
# the admin at the same URL.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_scim",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "peer_site.bearer.BearerTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

STATIC_URL = "static/"

PEER_TOKEN = os.environ.get("PEER_TOKEN", "peer-bench-token")
PEER_SERVICE_USER = "scim-service"

# BENCH_SITE=defaults: Django's default database options, as a new site has them;
# tuned (the default): example_project's options. The peer has no custom user
# model in either: its adapters serve the stock auth.User.
TUNED = os.environ.get("BENCH_SITE", "tuned") != "defaults"

if os.environ.get("PEER_DB") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("SCIM_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("SCIM_PG_PORT", "5432"),
            "USER": os.environ.get("SCIM_PG_USER", "scim"),
            "PASSWORD": os.environ.get("SCIM_PG_PASSWORD", ""),
            "NAME": os.environ.get("PEER_PG_NAME", "peer"),
        }
    }
    if TUNED:
        # The same connection reuse and prepared statements as example_project's
        # PostgreSQL settings.
        DATABASES["default"]["CONN_MAX_AGE"] = 60
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("PEER_SQLITE")
            or os.path.join(tempfile.gettempdir(), "peer_bench.sqlite3"),
        }
    }
    if TUNED:
        # The same connection reuse and options as example_project's SQLite settings.
        DATABASES["default"]["CONN_MAX_AGE"] = 60
        DATABASES["default"]["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
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
