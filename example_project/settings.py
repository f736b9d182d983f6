"""Example site: a custom user model served over SCIM. SQLite by default.

Set SCIM_EXAMPLE_DB=postgres (with SCIM_PG_HOST, SCIM_PG_PORT, SCIM_PG_USER,
SCIM_PG_PASSWORD, SCIM_PG_NAME) to run it on PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-project-not-for-production")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "static/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "example_project.accounts",
    "example_project.directory",
    # The four SCIM lines of the README:
    "rest_framework",
    "django_scim",
]

AUTH_USER_MODEL = "accounts.User"

SCIM = {
    # EmployeeUserAdapter also serves each organisation's members to the clients bound
    # to its tenant (accounts.Organisation, docs/tenancy.md).
    "ADAPTERS": [
        "example_project.accounts.adapters.EmployeeUserAdapter",
        "django_scim.adapters.groups.GroupAdapter",
    ],
    # DELETE_MODE stays "delete": the unbound "Demo IdP" and the conformance checkers
    # expect a deleted user to be gone. A site of organisations would choose "detach".
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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

if os.environ.get("SCIM_EXAMPLE_DB") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("SCIM_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("SCIM_PG_PORT", "5432"),
            "USER": os.environ.get("SCIM_PG_USER", "scim"),
            "PASSWORD": os.environ.get("SCIM_PG_PASSWORD", ""),
            "NAME": os.environ.get("SCIM_PG_NAME", "scim"),
            "CONN_MAX_AGE": 60,
            # Server-side parameters and prepared statements (psycopg 3): a statement
            # run five times on a connection is planned once, not on every request.
            # Leave these out behind a transaction-pooling PgBouncer.
            "OPTIONS": {"server_side_binding": True, "prepare_threshold": 5},
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SCIM_EXAMPLE_SQLITE", str(BASE_DIR / "db.sqlite3")),
            # SQLite serialises writers. A deferred transaction that reads and then
            # writes fails at once with "database is locked" when another writer
            # (such as the provisioning log of the previous request) holds the
            # lock; IMMEDIATE takes the write lock up front and waits for it.
            # Write-ahead logging lets reads go on during a write, and with
            # synchronous=NORMAL a commit does not wait for the disk (a power cut
            # may lose the last commits, never the file). A connection kept open
            # between requests spares each one opening the file and, as the last
            # connection closes, copying the log back into it. docs/settings.md.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {"timeout": 20}
            | (
                {
                    "transaction_mode": "IMMEDIATE",
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                }
                if django.VERSION >= (5, 1)
                else {}
            ),
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django_scim": {"handlers": ["console"], "level": "WARNING"}},
}
