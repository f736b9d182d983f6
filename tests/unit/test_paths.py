"""Attribute paths and PATCH paths resolved against the schemas, one rule per test.

RFC 7644 §3.10 (attribute notation), §3.5.2 (PATCH "path" grammar); RFC 7643
§2.1 (names are case-insensitive) and §3.3 (extension URNs).
"""

from __future__ import annotations

import pytest

from django_scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from django_scim.errors import InvalidPath
from django_scim.patch_paths import parse_patch_path
from django_scim.paths import UnknownAttribute, parse_path
from tests.unit.engine import GROUP_TYPE, USER_TYPE


def key(text: str) -> tuple[str, str | None, str | None]:
    return parse_path(text, USER_TYPE).key


def test_a_core_attribute():
    """RFC 7644 §3.10: an attribute of the resource type's core schema by its name."""
    assert key("userName") == (USER_SCHEMA, "userName", None)


@pytest.mark.parametrize("text", ["USERNAME", "username", "UserName"])
def test_names_are_case_insensitive(text):
    """RFC 7643 §2.1: "Attribute names are case insensitive"; the canonical spelling is
    returned."""
    assert key(text) == (USER_SCHEMA, "userName", None)


def test_a_sub_attribute():
    """RFC 7644 §3.10: "Sub-attributes of complex attributes ... are referred to with the
    attribute name, a period, and the sub-attribute name" (``name.givenName``)."""
    assert key("name.givenName") == (USER_SCHEMA, "name", "givenName")


def test_sub_attribute_names_are_case_insensitive():
    """RFC 7643 §2.1, for sub-attributes too."""
    assert key("NAME.GIVENNAME") == (USER_SCHEMA, "name", "givenName")


def test_a_core_attribute_qualified_by_its_urn():
    """RFC 7644 §3.10: "the attribute name MAY be prefixed with the schema URI" of the core
    schema."""
    assert key(f"{USER_SCHEMA}:name.familyName") == (USER_SCHEMA, "name", "familyName")


def test_the_urn_is_case_insensitive():
    """RFC 7643 §2.1 with RFC 7644 §3.10: the URN prefix matches in any case."""
    assert key(f"{USER_SCHEMA.upper()}:userName") == (USER_SCHEMA, "userName", None)


def test_an_extension_attribute_by_urn():
    """RFC 7643 §3.3 and RFC 7644 §3.10: ``urn:...:enterprise:2.0:User:department``."""
    path = parse_path(f"{ENTERPRISE_USER_SCHEMA}:department", USER_TYPE)
    assert path.key == (ENTERPRISE_USER_SCHEMA, "department", None)
    assert path.is_extension


def test_an_extension_sub_attribute_by_urn():
    """RFC 7644 §3.10: ``urn:...:enterprise:2.0:User:manager.value``."""
    assert key(f"{ENTERPRISE_USER_SCHEMA}:manager.value") == (
        ENTERPRISE_USER_SCHEMA,
        "manager",
        "value",
    )


def test_the_extension_urn_alone_names_the_extension():
    """RFC 7643 §3.3: the URN is the key of the extension's sub-object."""
    path = parse_path(ENTERPRISE_USER_SCHEMA, USER_TYPE)
    assert (path.schema, path.attribute, path.is_extension) == (ENTERPRISE_USER_SCHEMA, None, True)


def test_a_bare_extension_name_resolves_to_the_one_extension_with_it():
    """RFC 7644 §3.10 qualifies extension attributes by URN; Entra ID sends ``manager``
    bare (docs/dialects.md), taken when one extension declares it."""
    assert key("manager") == (ENTERPRISE_USER_SCHEMA, "manager", None)


@pytest.mark.parametrize(("text", "name"), [("id", "id"), ("externalId", "externalId")])
def test_common_attributes(text, name):
    """RFC 7643 §3.1: "id", "externalId" and "meta" belong to every resource, outside any
    schema's attribute list."""
    assert key(text) == (USER_SCHEMA, name, None)


def test_a_meta_sub_attribute():
    """RFC 7643 §3.1: "meta.lastModified" is a sub-attribute of the common "meta"."""
    assert key("META.LASTMODIFIED") == (USER_SCHEMA, "meta", "lastModified")


def test_path_prints_canonically():
    """RFC 7644 §3.10: the printed path is the canonical notation, URN-qualified for an
    extension."""
    assert str(parse_path("department", USER_TYPE)) == f"{ENTERPRISE_USER_SCHEMA}:department"


@pytest.mark.parametrize(
    "text", ["favouriteColour", "name.nickname", "userName.value", "name.givenName.x", ""]
)
def test_unknown_paths_raise(text):
    """RFC 7644 §3.12: a path naming nothing is "invalidPath" (or "invalidFilter" in a
    filter); the resolver raises UnknownAttribute for either."""
    with pytest.raises(UnknownAttribute):
        parse_path(text, USER_TYPE)


def test_the_core_urn_alone_names_no_attribute():
    """RFC 7644 §3.10: the core schema URN is only a prefix; alone it names nothing."""
    with pytest.raises(UnknownAttribute):
        parse_path(USER_SCHEMA, USER_TYPE)


# -- PATCH paths -----------------------------------------------------------------------------


def test_patch_path_with_a_value_filter():
    """RFC 7644 §3.5.2: PATH = attrPath / valuePath [subAttr]; ``emails[type eq "work"]``
    selects values of "emails"."""
    path = parse_patch_path('emails[type eq "work"]', USER_TYPE)
    assert (path.attribute.key, path.filter is not None) == ((USER_SCHEMA, "emails", None), True)


def test_patch_path_with_a_value_filter_and_sub_attribute():
    """RFC 7644 §3.5.2: ``addresses[type eq "work"].streetAddress`` (the §3.5.2.3 example)."""
    path = parse_patch_path('addresses[type eq "work"].streetAddress', USER_TYPE)
    assert path.sub_attribute is not None
    assert path.sub_attribute.name == "streetAddress"
    assert path.target.name == "streetAddress"


def test_patch_path_with_a_compound_filter():
    """RFC 7644 §3.5.2.2: ``emails[type eq "work" and value ew "example.com"]``."""
    path = parse_patch_path('emails[type eq "work" and value ew "example.com"]', USER_TYPE)
    assert path.filter is not None


def test_patch_path_is_case_insensitive():
    """RFC 7643 §2.1: names in a value path are case-insensitive too."""
    path = parse_patch_path('EMAILS[TYPE eq "work"].VALUE', USER_TYPE)
    assert (path.attribute.key, path.sub_attribute.name) == ((USER_SCHEMA, "emails", None), "value")


def test_patch_path_on_group_members():
    """RFC 7644 §3.5.2.2: ``members[value eq "2819c223-..."]`` (the single-member example)."""
    path = parse_patch_path('members[value eq "2819c223"]', GROUP_TYPE)
    assert path.attribute.key == ("urn:ietf:params:scim:schemas:core:2.0:Group", "members", None)


@pytest.mark.parametrize("text", ["", "   ", None, 7])
def test_patch_path_must_be_a_non_empty_string(text):
    """RFC 7644 §3.5.2: "path" is a string (an attribute path)."""
    with pytest.raises(InvalidPath):
        parse_patch_path(text, USER_TYPE)


@pytest.mark.parametrize(
    "text",
    [
        "favouriteColour",
        'emails[type eq "work"',
        'emails[colour eq "red"]',
        'emails[type eq "work"].colour',
        "emails[type eq]",
        'userName[value eq "x"]',
        'emails.value[type eq "work"]',
    ],
)
def test_malformed_or_unknown_patch_paths_are_invalid_path(text):
    """RFC 7644 §3.12, invalidPath: "The "path" attribute was invalid or malformed"."""
    with pytest.raises(InvalidPath):
        parse_patch_path(text, USER_TYPE)
