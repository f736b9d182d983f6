"""System checks: each misconfiguration is reported at start-up under a stable id.

A typo in ``SCIM`` or a broken adapter must fail ``manage.py check`` (and
deployment), not the first provisioning request hours later.
"""

from __future__ import annotations

from typing import ClassVar

from django.core import checks as django_checks

from django_scim import checks
from django_scim.adapters.fields import Column, Mapping
from django_scim.adapters.users import UserAdapter


class MisnamedFieldAdapter(UserAdapter):
    """Maps an attribute the User schema does not have."""

    fields: ClassVar[dict[str, Mapping]] = {"shoeSize": Column("username")}


def ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_default_settings_produce_no_scim_errors(settings):
    """The test settings are a valid configuration: no django_scim message at all."""
    found = [m for m in django_checks.run_checks() if m.id and m.id.startswith("django_scim.")]
    assert found == []


def test_e001_rest_framework_not_installed(settings):
    """E001: DRF is a hard dependency; without it in INSTALLED_APPS nothing works."""
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "rest_framework"]
    assert ids(checks.check_rest_framework_installed()) == ["django_scim.E001"]


def test_e001_is_silent_when_rest_framework_is_installed():
    """The test settings install DRF: no E001."""
    assert checks.check_rest_framework_installed() == []


def test_e002_unknown_setting_key(settings):
    """E002: a misspelt key (MAX_RESULT for MAX_RESULTS) would otherwise be ignored silently."""
    settings.SCIM = {"MAX_RESULT": 10}
    errors = checks.check_unknown_settings()
    assert ids(errors) == ["django_scim.E002"]
    assert "MAX_RESULT" in errors[0].msg


def test_e002_one_error_per_unknown_key(settings):
    """Each misspelt key is reported on its own; known keys are not."""
    settings.SCIM = {"MAX_RESULT": 10, "LOG_BODY": False, "MAX_RESULTS": 10}
    assert ids(checks.check_unknown_settings()) == ["django_scim.E002", "django_scim.E002"]


def test_e003_import_string_that_does_not_import(settings):
    """E003: a dotted path in SCIM that does not import."""
    settings.SCIM = {"AUTHENTICATION_CLASSES": ["myproject.auth.NoSuchClass"]}
    errors = checks.check_import_strings()
    assert ids(errors) == ["django_scim.E003"]
    assert "myproject.auth.NoSuchClass" in errors[0].msg


def test_e003_bad_adapter_path_is_not_also_reported_as_e004(settings):
    """An adapter path that does not import is E003 only, not a second E004."""
    settings.SCIM = {"ADAPTERS": ["myproject.scim.NoSuchAdapter"]}
    assert ids(checks.check_import_strings()) == ["django_scim.E003"]
    assert checks.check_registry() == []


def test_e004_adapter_that_is_not_a_resource_adapter(settings):
    """E004: every entry of ADAPTERS must subclass ResourceAdapter."""
    settings.SCIM = {"ADAPTERS": ["django_scim.models.SCIMClient"]}
    assert ids(checks.check_registry()) == ["django_scim.E004"]


def test_e004_resource_type_declared_twice(settings):
    """E004: two adapters for the same resource type (name and endpoint must be unique)."""
    settings.SCIM = {
        "ADAPTERS": [
            "django_scim.adapters.users.UserAdapter",
            "django_scim.adapters.users.UserAdapter",
        ]
    }
    errors = checks.check_registry()
    assert ids(errors) == ["django_scim.E004"]
    assert "twice" in errors[0].msg


def test_e004_field_naming_an_unknown_attribute(settings):
    """E004: an adapter field must name an attribute of its schema (RFC 7643 §4.1)."""
    settings.SCIM = {"ADAPTERS": ["tests.unit.test_checks.MisnamedFieldAdapter"]}
    errors = checks.check_registry()
    assert ids(errors) == ["django_scim.E004"]
    assert "shoeSize" in errors[0].msg


def test_e005_max_results_not_positive(settings):
    """E005: MAX_RESULTS caps ``count`` (RFC 7644 §3.4.2.4); zero would make every page empty."""
    settings.SCIM = {"MAX_RESULTS": 0}
    assert ids(checks.check_paging_limits()) == ["django_scim.E005"]


def test_e005_default_count_not_an_integer(settings):
    """E005: DEFAULT_COUNT given as a string is refused."""
    settings.SCIM = {"DEFAULT_COUNT": "100"}
    assert ids(checks.check_paging_limits()) == ["django_scim.E005"]


def test_e005_boolean_is_not_an_integer(settings):
    """``True`` is an int in Python but not a page size."""
    settings.SCIM = {"MAX_RESULTS": True, "DEFAULT_COUNT": -1}
    assert ids(checks.check_paging_limits()) == ["django_scim.E005", "django_scim.E005"]


def test_e006_unknown_delete_mode(settings):
    """E006: DELETE_MODE is "delete" or "deactivate"; anything else is a typo."""
    settings.SCIM = {"DELETE_MODE": "purge"}
    assert ids(checks.check_delete_mode()) == ["django_scim.E006"]


def test_e006_accepts_deactivate(settings):
    """ "deactivate" is a valid DELETE_MODE: no E006."""
    settings.SCIM = {"DELETE_MODE": "deactivate"}
    assert checks.check_delete_mode() == []


def test_checks_are_registered_with_django(settings):
    """The checks run with ``manage.py check``, not only when called directly."""
    settings.SCIM = {"DELETE_MODE": "purge", "MAX_RESULT": 1}
    found = {m.id for m in django_checks.run_checks() if m.id and m.id.startswith("django_scim.")}
    assert found == {"django_scim.E002", "django_scim.E006"}
