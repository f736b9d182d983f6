"""This app on the site README's setup makes (bench/peer/run --site defaults).

example_project around it (the same contrib apps, middleware, URLs), but
nothing example_project adds for speed or for its own needs: the stock
``auth.User`` (no custom user model, so no index on LOWER(username)), no
``SCIM`` setting, and Django's default database options (no ``CONN_MAX_AGE``;
on SQLite no write-ahead log and the default transaction mode; on PostgreSQL
no server-side binding or prepared statements).
"""

from __future__ import annotations

from example_project.settings import *  # noqa: F403
from example_project.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "example_project.accounts"]
AUTH_USER_MODEL = "auth.User"
for _name in ("SCIM", "LOGGING"):
    globals().pop(_name, None)

_KEPT = ("ENGINE", "NAME", "HOST", "PORT", "USER", "PASSWORD")
DATABASES = {"default": {key: value for key, value in DATABASES["default"].items() if key in _KEPT}}
