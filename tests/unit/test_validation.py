"""Request payloads against the schema, on plain dicts, one rule per test.

RFC 7643 §2 (attribute types and characteristics), §4 (User), §7 (schema
definitions); RFC 7644 §3.3 and §3.5.1 (what a client sends).
"""

from __future__ import annotations

from typing import Any

import pytest

from django_scim.constants import ENTERPRISE_USER_SCHEMA
from django_scim.errors import InvalidSyntax, InvalidValue, Mutability
from django_scim.schemas.attributes import Attribute, Schema, string
from django_scim.schemas.characteristics import AttributeType
from django_scim.schemas.characteristics import Mutability as M
from django_scim.schemas.core import USER
from django_scim.schemas.registry import ResourceType
from django_scim.validation import check_immutable, validate_resource, validate_value
from tests.conftest import load_sample
from tests.unit.engine import GROUP_TYPE, USER_TYPE

WHEN = Attribute("when", AttributeType.DATETIME)
COUNT = Attribute("count", AttributeType.INTEGER)
RATIO = Attribute("ratio", AttributeType.DECIMAL)
BADGE = Schema(
    id="urn:example:schemas:Badge",
    name="Badge",
    description="Badge",
    attributes=(string("badge", "Set once.", mutability=M.IMMUTABLE),),
)
BADGE_TYPE = ResourceType("Badge", "/Badges", "Badge", BADGE, (), None)  # type: ignore[arg-type]


@pytest.fixture
def bjensen() -> dict[str, Any]:
    """RFC 7643 §8.3, as a client would POST it."""
    return load_sample("rfc7643-8.3-user-enterprise.json")


def test_the_rfc_user_validates(bjensen):
    """RFC 7643 §8.3: the full Enterprise User representation is a valid User."""
    result = validate_resource(bjensen, USER_TYPE)
    assert result["userName"] == "bjensen@example.com"
    assert result[ENTERPRISE_USER_SCHEMA]["employeeNumber"] == "701984"


def test_the_rfc_group_validates():
    """RFC 7643 §8.4: the Group representation is a valid Group."""
    result = validate_resource(load_sample("rfc7643-8.4-group.json"), GROUP_TYPE)
    assert result["displayName"] == "Tour Guides"


def test_read_only_attributes_are_ignored(bjensen):
    """RFC 7643 §2.2, readOnly: "The attribute SHALL NOT be modified"; RFC 7644 §3.5.1:
    "readOnly" values provided "SHALL be ignored"."""
    result = validate_resource(bjensen, USER_TYPE)
    assert not {"id", "meta", "schemas", "groups"} & set(result)


def test_read_only_sub_attributes_are_ignored(bjensen):
    """RFC 7643 §4.3: the manager's "displayName" is readOnly."""
    manager = validate_resource(bjensen, USER_TYPE)[ENTERPRISE_USER_SCHEMA]["manager"]
    assert "displayName" not in manager


def test_write_only_password_is_accepted(bjensen):
    """RFC 7643 §4.1.1: password is "writeOnly", set by the client, never returned."""
    assert validate_resource(bjensen, USER_TYPE)["password"] == "t1meMa$heen"


def test_missing_required_attribute_is_invalid_value():
    """RFC 7643 §4.1.1: userName is REQUIRED; RFC 7644 §3.12 invalidValue: "A required
    value was missing"."""
    with pytest.raises(InvalidValue):
        validate_resource({"displayName": "Babs"}, USER_TYPE)


def test_empty_string_for_required_attribute_is_missing():
    """RFC 7644 §3.5.1: an empty value unassigns the attribute, so a required one is
    missing."""
    with pytest.raises(InvalidValue):
        validate_resource({"userName": ""}, USER_TYPE)


def test_missing_required_attribute_after_patch_is_mutability():
    """RFC 7644 §3.5.2.2: removing a required attribute fails with "mutability"."""
    with pytest.raises(Mutability):
        validate_resource({"displayName": "Babs"}, USER_TYPE, missing=Mutability)


def test_attribute_names_are_case_insensitive():
    """RFC 7643 §2.1: "Attribute names are case insensitive"; the result uses the
    canonical spelling."""
    result = validate_resource({"USERNAME": "b", "Name": {"GIVENNAME": "B"}}, USER_TYPE)
    assert result == {"userName": "b", "name": {"givenName": "B"}}


def test_unknown_attributes_are_ignored():
    """RFC 7644 §3.3 lets a provider ignore what it does not support; vendor extensions
    and unknown keys are dropped (docs/dialects.md)."""
    payload = {"userName": "b", "favouriteColour": "red", "urn:example:ext": {"a": 1}}
    assert validate_resource(payload, USER_TYPE) == {"userName": "b"}


def test_body_must_be_an_object():
    """RFC 7644 §3.12, invalidSyntax: the request body "was invalid"."""
    with pytest.raises(InvalidSyntax):
        validate_resource([], USER_TYPE)


def test_schemas_must_be_a_list_of_strings():
    """RFC 7643 §3: "schemas" is "an array of Strings"."""
    with pytest.raises(InvalidSyntax):
        validate_resource({"schemas": "urn:x", "userName": "b"}, USER_TYPE)


def test_extension_must_be_an_object():
    """RFC 7643 §3.3: extension attributes sit in a sub-object keyed by the URN."""
    with pytest.raises(InvalidValue):
        validate_resource({"userName": "b", ENTERPRISE_USER_SCHEMA: "x"}, USER_TYPE)


def test_null_means_unassigned():
    """RFC 7644 §3.5.1: "Clients MAY ... set an attribute to "null" ... the attribute is
    unassigned"."""
    assert validate_resource({"userName": "b", "nickName": None}, USER_TYPE) == {"userName": "b"}


def test_string_where_string_expected():
    """RFC 7643 §2.3.1: a string is "A sequence of zero or more Unicode characters"."""
    with pytest.raises(InvalidValue):
        validate_resource({"userName": 7}, USER_TYPE)


def test_nul_character_is_refused():
    """RFC 7643 §2.3.1 strings are Unicode characters encoded as JSON; U+0000 cannot be
    stored in any database text type, so it is refused as invalidValue."""
    with pytest.raises(InvalidValue):
        validate_resource({"userName": "b\x00b"}, USER_TYPE)


@pytest.mark.parametrize(("text", "value"), [("True", True), ("false", False), (" TRUE ", True)])
def test_boolean_strings_are_booleans(text, value):
    """RFC 7643 §2.3.2: a boolean is "true" or "false"; Entra ID sends the strings "True"
    and "False" (docs/dialects.md)."""
    assert validate_value(USER.attribute("active"), text, "active") is value


@pytest.mark.parametrize("value", ["yes", 1, 0, "1"])
def test_other_values_are_not_booleans(value):
    """RFC 7643 §2.3.2: "The literal "true" or "false"."."""
    with pytest.raises(InvalidValue):
        validate_value(USER.attribute("active"), value, "active")


@pytest.mark.parametrize("value", [True, 1.0, "1"])
def test_integer_rejects_other_types(value):
    """RFC 7643 §2.3.4: an integer is "A decimal number with no fractional digits"."""
    with pytest.raises(InvalidValue):
        validate_value(COUNT, value, "count")


def test_decimal_accepts_integers():
    """RFC 7643 §2.3.3: a decimal is "A real number with at least one digit to the left
    and right of the period"; JSON's 2 is the number 2.0."""
    assert validate_value(RATIO, 2, "ratio") == 2


@pytest.mark.parametrize("value", [True, "1.5"])
def test_decimal_rejects_other_types(value):
    """RFC 7643 §2.3.3: a decimal is a JSON number."""
    with pytest.raises(InvalidValue):
        validate_value(RATIO, value, "ratio")


@pytest.mark.parametrize("value", ["2010-01-23T04:56:22Z", "2010-01-23T04:56:22+01:00"])
def test_datetime_accepts_xsd_datetime(value):
    """RFC 7643 §2.3.5: "A DateTime value (e.g., 2008-01-23T04:56:22Z)"."""
    assert validate_value(WHEN, value, "when") == value


@pytest.mark.parametrize("value", ["yesterday", 20100123])
def test_datetime_rejects_other_values(value):
    """RFC 7643 §2.3.5: the value "MUST be encoded as a valid xsd:dateTime"."""
    with pytest.raises(InvalidValue):
        validate_value(WHEN, value, "when")


def test_datetime_needs_a_time():
    """RFC 7643 §2.3.5: the value "MUST include both a date and a time"."""
    with pytest.raises(InvalidValue):
        validate_value(WHEN, "2010-01-23", "when")


def test_binary_accepts_base64(bjensen):
    """RFC 7643 §2.3.6: binary is "Arbitrary binary data ... base64 encoded"; §8.2's
    certificate is."""
    certificates = validate_resource(bjensen, USER_TYPE)["x509Certificates"]
    assert certificates == bjensen["x509Certificates"]


def test_binary_rejects_other_text():
    """RFC 7643 §2.3.6: the value "MUST be base64 encoded as specified in Section 4 of
    [RFC4648]"."""
    with pytest.raises(InvalidValue):
        validate_resource({"userName": "b", "x509Certificates": [{"value": "n*t b64"}]}, USER_TYPE)


def test_only_one_primary_value_is_kept():
    """RFC 7643 §2.4: the primary "value "true" MUST appear no more than once"; the first
    is kept."""
    emails = [{"value": "a@x.org", "primary": True}, {"value": "b@x.org", "primary": True}]
    result = validate_value(USER.attribute("emails"), emails, "emails")
    assert [e["primary"] for e in result] == [True, False]


def test_one_object_for_a_multi_valued_attribute_is_a_list_of_one():
    """RFC 7643 §2.4 wants a JSON array; OneLogin sends one object, taken as one element
    (docs/dialects.md)."""
    result = validate_value(USER.attribute("emails"), {"value": "a@x.org"}, "emails")
    assert result == [{"value": "a@x.org"}]


def test_multi_valued_attribute_must_be_a_list():
    """RFC 7643 §2.4: multi-valued attributes are JSON arrays."""
    with pytest.raises(InvalidValue):
        validate_value(USER.attribute("emails"), "a@x.org", "emails")


def test_immutable_value_sent_again_unchanged_is_allowed():
    """RFC 7643 §2.2, immutable: "The attribute MAY be defined at resource creation ... the
    attribute SHALL NOT be updated"; sending the same value is no update."""
    check_immutable({"badge": "X1"}, {"badge": "X1"}, BADGE_TYPE)


def test_setting_an_unset_immutable_value_is_allowed():
    """RFC 7643 §2.2, immutable: it MAY be set "at record update when an initial value is
    not set"."""
    check_immutable({"badge": "X1"}, {}, BADGE_TYPE)


def test_changing_an_immutable_value_is_mutability():
    """RFC 7643 §2.2, immutable: "the attribute SHALL NOT be updated"; RFC 7644 §3.12
    names the error "mutability"."""
    with pytest.raises(Mutability):
        check_immutable({"badge": "X2"}, {"badge": "X1"}, BADGE_TYPE)
