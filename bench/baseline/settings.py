"""The baseline's site: the site it is compared with, serving bench/baseline/views.py.

Everything around the SCIM views is the compared site's: with BENCH_SITE=tuned
(the default) example_project's settings (its custom user model, its database
options), with BENCH_SITE=defaults those of bench/peer/ours_defaults.py (stock
auth.User, Django's default database options). django_scim stays installed
for its tables (SCIMClient, ResourceRecord, ResourceElement); none of its
views, adapters or log run here. Only the database differs: the file in
BASELINE_SQLITE, or the PostgreSQL database BASELINE_PG_NAME.
"""

from __future__ import annotations

import importlib
import os

_site = importlib.import_module(
    "ours_defaults" if os.environ.get("BENCH_SITE") == "defaults" else "example_project.settings"
)
globals().update((name, value) for name, value in vars(_site).items() if name.isupper())

ROOT_URLCONF = "bench.baseline.urls"
WSGI_APPLICATION = "bench.baseline.wsgi.application"

_database = dict(_site.DATABASES["default"])
if _database["ENGINE"].endswith("sqlite3"):
    _database["NAME"] = os.environ.get("BASELINE_SQLITE", "baseline.sqlite3")
else:
    _database["NAME"] = os.environ.get("BASELINE_PG_NAME", "scim_baseline")
DATABASES = {"default": _database}
