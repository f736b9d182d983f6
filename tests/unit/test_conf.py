"""``scim_settings``: defaults, overrides read at call time, import strings cached
until ``SCIM`` changes, and the registry rebuilt with them.

Reading settings at call time (not at import) is what lets tests and
multi-site deployments change ``SCIM`` without a restart.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from django_scim.adapters.users import UserAdapter
from django_scim.authentication import BearerTokenAuthentication
from django_scim.conf import DEFAULTS, IMPORT_STRINGS, scim_settings
from django_scim.permissions import ClientScopePermission
from django_scim.schemas.registry import get_registry


class OtherAuthentication(BearerTokenAuthentication):
    """A stand-in authentication class for import-string tests."""


def test_defaults_apply_without_a_scim_setting(settings):
    """A project without ``SCIM`` in settings gets the documented defaults."""
    del settings.SCIM
    assert scim_settings.MAX_RESULTS == 200
    assert scim_settings.DEFAULT_COUNT == 100
    assert scim_settings.MAX_BODY_BYTES == 1024 * 1024
    assert scim_settings.MAX_JSON_DEPTH == 32
    assert scim_settings.DELETE_MODE == "delete"
    assert scim_settings.LOG_REQUESTS is True
    assert scim_settings.LAST_USED_PRECISION == 60


def test_every_default_is_readable(settings):
    """Each key of DEFAULTS is an attribute; scalar defaults (other than import strings)
    come back unchanged."""
    settings.SCIM = {}
    for name, default in DEFAULTS.items():
        value = getattr(scim_settings, name)
        if name in IMPORT_STRINGS:
            continue
        if isinstance(default, (int, str, bool)) or default is None:
            assert value == default


def test_none_setting_means_defaults(settings):
    """``SCIM = None`` is treated as an empty dict."""
    settings.SCIM = None
    assert scim_settings.MAX_RESULTS == 200


def test_override_takes_effect_immediately(settings):
    """No restart: the next read sees the new value."""
    assert scim_settings.MAX_RESULTS == 200
    settings.SCIM = {"MAX_RESULTS": 5}
    assert scim_settings.MAX_RESULTS == 5
    settings.SCIM = {"MAX_RESULTS": 7}
    assert scim_settings.MAX_RESULTS == 7


def test_override_leaves_other_defaults(settings):
    """Overriding one key does not reset the others."""
    settings.SCIM = {"MAX_RESULTS": 5}
    assert scim_settings.DEFAULT_COUNT == 100


def test_import_strings_are_resolved_to_classes(settings):
    """Dotted paths in import-string settings come back as the classes."""
    settings.SCIM = {}
    assert list(scim_settings.AUTHENTICATION_CLASSES) == [BearerTokenAuthentication]
    assert list(scim_settings.PERMISSION_CLASSES) == [ClientScopePermission]
    assert scim_settings.ADAPTERS[0] is UserAdapter


def test_classes_given_directly_are_kept(settings):
    """A class object instead of a dotted path is used as is."""
    settings.SCIM = {"AUTHENTICATION_CLASSES": [OtherAuthentication]}
    assert list(scim_settings.AUTHENTICATION_CLASSES) == [OtherAuthentication]


def test_import_string_cache_is_cleared_when_setting_changes(settings):
    """The resolved classes are cached, and dropped on ``setting_changed`` for SCIM."""
    assert list(scim_settings.AUTHENTICATION_CLASSES) == [BearerTokenAuthentication]
    settings.SCIM = {"AUTHENTICATION_CLASSES": ["tests.unit.test_conf.OtherAuthentication"]}
    assert list(scim_settings.AUTHENTICATION_CLASSES) == [OtherAuthentication]
    settings.SCIM = {}
    assert list(scim_settings.AUTHENTICATION_CLASSES) == [BearerTokenAuthentication]


def test_unresolvable_import_string_raises_improperly_configured(settings):
    """A path that does not import is ImproperlyConfigured naming the path (E003 reports it)."""
    settings.SCIM = {"PERMISSION_CLASSES": ["nowhere.Nothing"]}
    with pytest.raises(ImproperlyConfigured, match="nowhere.Nothing"):
        scim_settings.PERMISSION_CLASSES  # noqa: B018


def test_unknown_attribute_raises_attribute_error():
    """Reading a setting that does not exist is an AttributeError, not None."""
    with pytest.raises(AttributeError, match="NO_SUCH_SETTING"):
        scim_settings.NO_SUCH_SETTING  # noqa: B018


def test_unknown_keys_lists_typos(settings):
    """``unknown_keys()`` (behind E002) lists keys not in DEFAULTS, sorted."""
    settings.SCIM = {"MAX_RESULT": 1, "LOG_BODY": False, "MAX_RESULTS": 3}
    assert scim_settings.unknown_keys() == ["LOG_BODY", "MAX_RESULT"]


def test_registry_is_rebuilt_after_setting_change(settings):
    """The registry is derived from ADAPTERS and rebuilt when SCIM changes."""
    before = get_registry()
    assert [rt.name for rt in before.resource_types] == ["User", "Group"]
    settings.SCIM = {"ADAPTERS": ["django_scim.adapters.users.UserAdapter"]}
    after = get_registry()
    assert after is not before
    assert [rt.name for rt in after.resource_types] == ["User"]


def test_registry_is_reused_while_settings_are_unchanged():
    """The registry is built once, not per request."""
    assert get_registry() is get_registry()


def test_unrelated_setting_change_keeps_the_registry(settings):
    """Only a change of ``SCIM`` drops the registry."""
    before = get_registry()
    settings.USE_TZ = True
    assert get_registry() is before


def test_adapters_setting_change_is_served_without_restart(settings, scim):
    """Dropping the Group adapter makes /Groups a 404 on the next request (RFC 7644 §4:
    /ResourceTypes then lists only User)."""
    assert scim.get("Groups").status_code == 200
    settings.SCIM = {"ADAPTERS": ["django_scim.adapters.users.UserAdapter"]}
    assert scim.get("Groups").status_code == 404
    names = [r["name"] for r in scim.get("ResourceTypes").json()["Resources"]]
    assert names == ["User"]
