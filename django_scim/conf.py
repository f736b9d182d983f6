"""One settings object over ``settings.SCIM``, read at call time.

Follows the DRF ``api_settings`` pattern, with one difference that matters for
tests and multi-site deployments: nothing is read at import or class
definition time, and the cache of resolved import strings is dropped whenever
``setting_changed`` fires for ``SCIM``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

DEFAULTS: dict[str, Any] = {
    # Resource types served, one adapter class each (import strings).
    "ADAPTERS": [
        "django_scim.adapters.users.UserAdapter",
        "django_scim.adapters.groups.GroupAdapter",
    ],
    "AUTHENTICATION_CLASSES": ["django_scim.authentication.BearerTokenAuthentication"],
    "PERMISSION_CLASSES": ["django_scim.permissions.ClientScopePermission"],
    "THROTTLE_CLASSES": [],
    # Paging (RFC 7644 §3.4.2.4): the cap on ``count``, advertised as filter.maxResults.
    "MAX_RESULTS": 200,
    # Page size when a request gives no ``count``.
    "DEFAULT_COUNT": 100,
    # Cursor paging (RFC 9865): seconds a cursor stays valid, advertised as
    # pagination.cursorTimeout. Index paging (startIndex) stays the default.
    "CURSOR_TIMEOUT": 3600,
    # /Me (RFC 7644 §3.11). A SCIM client is not a person, so /Me answers it 501. Authentication
    # classes tried on /Me only, after AUTHENTICATION_CLASSES, to sign a person in (e.g.
    # "rest_framework.authentication.SessionAuthentication"); the other endpoints never see them.
    "ME_AUTHENTICATION_CLASSES": [],
    # An import string of a function (request) -> user or None: the person a request names.
    "ME_USER": "django_scim.views.me.authenticated_user",
    # The attributes a person may change on their own resource (PUT and PATCH /Me); writing
    # any other is 403. Never userName, active, groups or roles unless the site adds them.
    "ME_WRITABLE_ATTRIBUTES": [
        "name",
        "displayName",
        "nickName",
        "preferredLanguage",
        "locale",
        "timezone",
    ],
    # Filter limits (RFC 7644 §3.4.2.2): longer or deeper filters get 400 invalidFilter.
    "FILTER_MAX_LENGTH": 4096,
    "FILTER_MAX_DEPTH": 16,
    # Comparisons in one filter: each becomes SQL terms, and databases cap
    # expression size (SQLite at a depth of 1000).
    "FILTER_MAX_CONDITIONS": 200,
    # Request limits: larger bodies get 413, deeper JSON 400 invalidSyntax.
    "MAX_BODY_BYTES": 1024 * 1024,
    "MAX_JSON_DEPTH": 32,
    # /Bulk (RFC 7644 §3.7): the most operations one request may carry, and the largest body
    # (bytes), advertised as bulk.maxOperations and bulk.maxPayloadSize; over either: 413.
    # BULK_MAX_OPERATIONS = 0 turns /Bulk off (501, bulk.supported false).
    "BULK_MAX_OPERATIONS": 1000,
    "BULK_MAX_PAYLOAD_SIZE": 1024 * 1024,
    # "delete" removes the row; "deactivate" sets the adapter's active field to False;
    # "detach" (for clients bound to a tenant) takes the object out of the tenant and keeps
    # the person (the adapter's detach() hook); for a client bound to none, as "deactivate".
    "DELETE_MODE": "delete",
    # A POST whose userName matches a deactivated resource (of the client's tenant) revives
    # it (same id) instead of answering 409: Okta re-POSTs after deactivate -> reactivate ->
    # reassign. externalId never decides: it is not unique (RFC 7643 §3.1).
    "REVIVE_ON_CREATE": True,
    # For clients bound to a tenant: a POST whose userName is held by a user outside the
    # tenant is 409 uniqueness unless this is True; then a user who belongs to no other
    # tenant is adopted into it. ADOPTION_DOMAINS ({tenant: ["example.com", ...]}) limits
    # a tenant's adoptions to users whose userName and e-mail are in those domains.
    "ADOPT_EXISTING_USERS": False,
    "ADOPTION_DOMAINS": {},
    # False: passwords in requests are ignored (never stored), new users get an unusable one.
    # Okta sends a placeholder password on create even when password sync is off.
    "ACCEPT_PASSWORDS": True,
    "DOCUMENTATION_URI": None,
    # Resource types whose PATCH answers 204 No Content instead of 200 with the resource
    # (Entra advises 204 for groups; scim-sanity requires 200, hence the default).
    "PATCH_NO_CONTENT": [],
    # Provisioning log.
    "LOG_REQUESTS": True,
    "LOG_BODIES": True,
    "LOG_MAX_BODY_CHARS": 64 * 1024,
    # A read's response body (GET, POST /.search) is cut shorter: it shows state, not a
    # change, and a full page of users would make every read's row a large insert.
    "LOG_MAX_READ_BODY_CHARS": 4 * 1024,
    # Reads' log rows are written together, this many at a time (or with the next write,
    # or after five seconds); 1 writes each as its response closes (django-tenants).
    "LOG_READ_BATCH": 50,
    "LOG_RETENTION_DAYS": 90,
    # How often (seconds) a client's last_used time is written; 0 writes every request.
    "LAST_USED_PRECISION": 60,
    # Accounts no SCIM client may set a password on, delete, rename or change the privileges
    # of (deactivating them stays allowed): an import string of a predicate taking the object,
    # or None to protect no one. The default protects staff and superuser accounts.
    "PROTECTED_ACCOUNT": "django_scim.adapters.protection.is_staff_or_superuser",
    # A client is flagged stale in the admin when nothing arrived from it for this many of its
    # provider's cycles (SCIMClient.cycle_minutes; Entra ID runs every ~40 minutes).
    "STALE_AFTER_CYCLES": 3,
    # The admin flags tokens expiring within this many days.
    "TOKEN_EXPIRY_WARNING_DAYS": 14,
}

IMPORT_STRINGS = frozenset(
    {
        "ADAPTERS",
        "AUTHENTICATION_CLASSES",
        "PERMISSION_CLASSES",
        "THROTTLE_CLASSES",
        "PROTECTED_ACCOUNT",
    }
)

DELETE_MODES = ("delete", "deactivate", "detach")


def _import(value: str, key: str) -> Any:
    try:
        return import_string(value)
    except ImportError as exc:
        raise ImproperlyConfigured(f"SCIM[{key!r}]: could not import {value!r}: {exc}") from exc


def _resolve(value: Any, key: str) -> Any:
    """An import string, or a list of them, resolved; anything else as it is."""
    if isinstance(value, str):
        return _import(value, key)
    if isinstance(value, (list, tuple)):
        return [_import(item, key) if isinstance(item, str) else item for item in value]
    return value


class SCIMSettings:
    """Attribute access to ``settings.SCIM`` with defaults.

    Import strings are resolved on first use and cached until the setting changes.
    """

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    @property
    def user_settings(self) -> dict[str, Any]:
        return getattr(settings, "SCIM", None) or {}

    def unknown_keys(self) -> list[str]:
        return sorted(set(self.user_settings) - set(DEFAULTS))

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Invalid SCIM setting: {name!r}")
        if name in self._cache:
            return self._cache[name]
        value = self.user_settings.get(name, DEFAULTS[name])
        if name in IMPORT_STRINGS:
            value = _resolve(value, name)
            self._cache[name] = value
        return value

    def reload(self) -> None:
        self._cache.clear()


scim_settings = SCIMSettings()


def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting == "SCIM":
        scim_settings.reload()


setting_changed.connect(_reload)
