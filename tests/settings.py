"""Test settings: stock django.contrib.auth; in-memory SQLite, or PostgreSQL (SCIM_TEST_DB)."""

from __future__ import annotations

import os

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # The admin's styles, served by the live server the browser tests drive (tests/browser).
    "django.contrib.staticfiles",
    "rest_framework",
    "django_scim",
    # The example project's custom mappings (tests/test_custom_mappings.py).
    "example_project.directory",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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

if os.environ.get("SCIM_TEST_DB") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("SCIM_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("SCIM_PG_PORT", "5432"),
            "USER": os.environ.get("SCIM_PG_USER", "scim"),
            "PASSWORD": os.environ.get("SCIM_PG_PASSWORD", ""),
            "NAME": os.environ.get("SCIM_PG_NAME", "scim"),
            # SCIM_PG_PREPARED=1: server-side binding and prepared statements, as
            # example_project configures them (psycopg 3).
            "OPTIONS": (
                {"server_side_binding": True, "prepare_threshold": 5}
                if os.environ.get("SCIM_PG_PREPARED") == "1"
                else {}
            ),
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

STATIC_URL = "/static/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SCIM: dict = {}
