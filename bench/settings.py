"""Benchmark settings: stock auth models; SQLite, or PostgreSQL with SCIM_BENCH_DB=postgres."""

from __future__ import annotations

import os
import tempfile

from tests.settings import *  # noqa: F403

DEBUG = False
if os.environ.get("SCIM_BENCH_DB") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("SCIM_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("SCIM_PG_PORT", "5432"),
            "USER": os.environ.get("SCIM_PG_USER", "scim"),
            "PASSWORD": os.environ.get("SCIM_PG_PASSWORD", ""),
            "NAME": os.environ.get("SCIM_PG_NAME", "scim"),
            "CONN_MAX_AGE": 600,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SCIM_BENCH_SQLITE")
            or os.path.join(tempfile.gettempdir(), "django_scim_bench.sqlite3"),
        }
    }
