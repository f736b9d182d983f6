"""The in-memory evaluator on hand-built SCIM resources, one rule per test.

RFC 7644 §3.4.2.2 and RFC 7643 §2: attribute names are case-insensitive;
string comparison follows the attribute's ``caseExact``; booleans, numbers and
dateTimes compare as their type (dateTimes as instants); ``pr`` is false for
null, ``""`` and ``[]``; ``ne`` is ``not eq``, so on a singular attribute it
matches an absent value; a multi-valued attribute matches when any element
does, and a value path ``attr[...]`` matches when one element satisfies the
whole inner filter. Malformed filters raise ``InvalidFilter``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from django_scim.adapters.users import UserAdapter
from django_scim.constants import ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA
from django_scim.errors import InvalidFilter
from django_scim.filters.evaluate import Evaluator, compare_values, is_absent
from django_scim.filters.parser import parse_filter
from django_scim.schemas.attributes import Attribute, Schema, boolean, complex_, string
from django_scim.schemas.characteristics import AttributeType
from django_scim.schemas.registry import ResourceType, get_registry

BJENSEN_ID = "2819c223-7f76-453a-919d-413861904646"
GROUP_ID = "e9e30dba-f08f-4109-8486-d5c6a331660a"
MEMBER_ID = "902c246b-6245-4190-8e05-00816be7344a"

BJENSEN: dict[str, Any] = {
    "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    "id": BJENSEN_ID,
    "externalId": "bjensen-EXT",
    "userName": "bjensen",
    "name": {"familyName": "O'Malley", "givenName": "Barbara"},
    "displayName": "Babs Jensen",
    "title": "Tour Guide",
    "userType": "Employee",
    "active": True,
    "emails": [
        {"value": "bjensen@example.com", "type": "work", "primary": True},
        {"value": "babs@jensen.org", "type": "home"},
    ],
    "ims": [{"value": "babs@foo.com", "type": "xmpp"}],
    ENTERPRISE_USER_SCHEMA: {
        "employeeNumber": "701984",
        "manager": {"value": "26118915-6090-4610-87e4"},
    },
    "meta": {
        "resourceType": "User",
        "created": "2010-01-23T04:56:22Z",
        "lastModified": "2011-05-13T04:42:34Z",
        "location": f"https://example.com/v2/Users/{BJENSEN_ID}",
        "version": 'W/"a330bc54f0671c9"',
    },
}

GROUP: dict[str, Any] = {
    "schemas": [GROUP_SCHEMA],
    "id": GROUP_ID,
    "displayName": "Tour Guides",
    "members": [
        {"value": BJENSEN_ID, "display": "bjensen", "type": "User"},
        {"value": MEMBER_ID, "display": "jsmith", "type": "User"},
    ],
    "meta": {"resourceType": "Group", "created": "2010-01-23T04:56:22Z"},
}


def user_type() -> ResourceType:
    found = get_registry().get("User")
    assert found is not None
    return found


def group_type() -> ResourceType:
    found = get_registry().get("Group")
    assert found is not None
    return found


def user(**changes: Any) -> dict[str, Any]:
    """BJENSEN with top-level members replaced (None removes one)."""
    resource = copy.deepcopy(BJENSEN)
    for key, value in changes.items():
        if value is None:
            resource.pop(key, None)
        else:
            resource[key] = value
    return resource


def matches(
    text: str, resource: dict[str, Any] | None = None, resource_type: ResourceType | None = None
) -> bool:
    return Evaluator(resource_type or user_type()).matches(
        parse_filter(text), BJENSEN if resource is None else resource
    )


def error_of(
    text: str, resource: dict[str, Any] | None = None, resource_type: ResourceType | None = None
) -> str:
    with pytest.raises(InvalidFilter) as caught:
        matches(text, resource, resource_type)
    return str(caught.value.detail)


# -- names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'USERNAME eq "bjensen"',
        'username eq "bjensen"',
        'NAME.FAMILYNAME eq "O\'Malley"',
        'EMAILS[TYPE eq "work"]',
        'Emails.Value eq "bjensen@example.com"',
        'META.RESOURCETYPE eq "User"',
        'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:userName eq "bjensen"',
    ],
)
def test_attribute_names_are_case_insensitive(text):
    assert matches(text)


def test_operators_are_case_insensitive():
    assert matches('userName EQ "bjensen" AND title PR')


def test_urn_qualified_core_attribute():
    assert matches(f'{USER_SCHEMA}:userName sw "bj"')
    assert matches(f'{USER_SCHEMA}:name.familyName eq "o\'malley"')


def test_urn_qualified_enterprise_attribute():
    assert matches(f'{ENTERPRISE_USER_SCHEMA}:employeeNumber eq "701984"')
    assert not matches(f'{ENTERPRISE_USER_SCHEMA}:employeeNumber eq "701985"')


def test_urn_qualified_enterprise_sub_attribute():
    assert matches(f'{ENTERPRISE_USER_SCHEMA}:manager.value sw "26118915"')


def test_enterprise_attribute_absent_when_the_extension_is_absent():
    resource = user(**{ENTERPRISE_USER_SCHEMA: None})
    assert not matches(f"{ENTERPRISE_USER_SCHEMA}:employeeNumber pr", resource)
    assert matches(f'{ENTERPRISE_USER_SCHEMA}:employeeNumber ne "701984"', resource)


# -- strings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'userName eq "BJensen"',
        'displayName eq "BABS JENSEN"',
        'emails.value eq "BJENSEN@EXAMPLE.COM"',
        'name.familyName eq "o\'malley"',
        'title co "GUIDE"',
        'userName sw "BJ"',
        'emails.type eq "WORK"',
    ],
)
def test_strings_are_case_insensitive_unless_case_exact(text):
    assert matches(text)


def test_external_id_is_case_exact():
    assert matches('externalId eq "bjensen-EXT"')
    assert not matches('externalId eq "bjensen-ext"')
    assert not matches('externalId sw "BJENSEN"')


def test_id_is_case_exact():
    assert matches(f'id eq "{BJENSEN_ID}"')
    assert not matches(f'id eq "{BJENSEN_ID.upper()}"')


def test_meta_resource_type_is_case_exact():
    assert matches('meta.resourceType eq "User"')
    assert not matches('meta.resourceType eq "user"')


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("co", "Guide", True),
        ("co", "our G", True),
        ("co", "Guides", False),
        ("sw", "Tour", True),
        ("sw", "Guide", False),
        ("ew", "Guide", True),
        ("ew", "Tour", False),
        ("eq", "Tour Guide", True),
        ("eq", "Tour", False),
        ("ne", "Tour", True),
        ("ne", "TOUR GUIDE", False),
    ],
)
def test_substring_operators(op, value, expected):
    assert matches(f'title {op} "{value}"') is expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("gt", "BJENSEN", False),
        ("ge", "BJENSEN", True),
        ("gt", "ajensen", True),
        ("lt", "c", True),
        ("le", "bjensen", True),
        ("lt", "BJ", False),
    ],
)
def test_string_ordering_is_lexicographic_and_case_insensitive(op, value, expected):
    assert matches(f'userName {op} "{value}"') is expected


def test_empty_string_operand():
    """Every string contains, starts and ends with the empty string."""
    assert matches('title co ""')
    assert matches('title sw ""')
    assert matches('title ew ""')
    assert not matches('title eq ""')


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("100%_off", 'title co "%_"'),
        ("100%_off", 'title sw "100%"'),
        ("100%_off", 'title ew "_off"'),
        ("back\\slash", 'title co "\\\\"'),
        ("back\\slash", 'title eq "back\\\\slash"'),
        ("a.b*c+(d)?[e]^$|{2}", 'title eq "a.b*c+(d)?[e]^$|{2}"'),
        ("a.b*c+(d)?[e]^$|{2}", 'title co ".b*c+("'),
        ('say "hi"', 'title co "\\"hi\\""'),
    ],
)
def test_special_characters_match_literally(title, text):
    assert matches(text, user(title=title))


@pytest.mark.parametrize(
    "text",
    [
        'title co "%"',
        'title co "_"',
        'title sw "T_ur"',
        'title eq "Tour%"',
        'title co "T.ur"',
        'title co "Tour.*"',
        'title sw "^Tour"',
        'title co "\\\\"',
    ],
)
def test_wildcards_and_regex_metacharacters_are_not_patterns(text):
    assert not matches(text)


# -- booleans -----------------------------------------------------------------------


def test_boolean_eq():
    assert matches("active eq true")
    assert not matches("active eq false")
    assert matches("active eq false", user(active=False))


@pytest.mark.parametrize(
    ("literal", "expected"),
    [('"True"', True), ('"true"', True), ('"False"', False), ('"FALSE"', False)],
)
def test_boolean_strings_as_entra_sends_them(literal, expected):
    assert matches(f"active eq {literal}") is expected


def test_boolean_ne():
    assert matches("active ne false")
    assert not matches("active ne true")


def test_boolean_ne_matches_absent():
    assert matches("active ne true", user(active=None))
    assert not matches("active eq false", user(active=None))


def test_false_is_present():
    assert matches("active pr", user(active=False))


# -- numbers --------------------------------------------------------------------------

NUMBERS = ResourceType(
    name="Widget",
    endpoint="/Widgets",
    description="Widget",
    schema=Schema(
        id="urn:example:schemas:Widget",
        name="Widget",
        description="A test-only schema with every attribute type.",
        attributes=(
            Attribute("level", AttributeType.INTEGER),
            Attribute("score", AttributeType.DECIMAL),
            Attribute("since", AttributeType.DATETIME),
            Attribute("blob", AttributeType.BINARY, case_exact=True),
            boolean("flag"),
            string("code", case_exact=True),
            string("tags", multi_valued=True),
            complex_(
                "parts",
                (string("sku"), Attribute("count", AttributeType.INTEGER)),
                multi_valued=True,
            ),
        ),
    ),
    extensions=(),
    adapter_class=UserAdapter,
)

WIDGET: dict[str, Any] = {
    "level": 5,
    "score": 2.5,
    "since": "2020-06-01T12:00:00+02:00",
    "blob": "AAEC",
    "flag": False,
    "code": "AbC",
    "tags": ["red", "Blue"],
    "parts": [{"sku": "x-1", "count": 3}, {"sku": "y-2", "count": 0}],
}


def widget(text: str, resource: dict[str, Any] | None = None) -> bool:
    return matches(text, WIDGET if resource is None else resource, NUMBERS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("level eq 5", True),
        ("level eq 5.0", True),
        ("level ne 5", False),
        ("level gt 4", True),
        ("level gt 5", False),
        ("level ge 5", True),
        ("level lt 5", False),
        ("level le 5", True),
        ("level gt -1", True),
        ("level lt 1e1", True),
    ],
)
def test_integers(text, expected):
    assert widget(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("score eq 2.5", True),
        ("score gt 2", True),
        ("score lt 2.51", True),
        ("score ge 25e-1", True),
        ("score le 2.49", False),
    ],
)
def test_decimals(text, expected):
    assert widget(text) is expected


def test_zero_is_present():
    assert widget("parts[count pr and count eq 0]")


@pytest.mark.parametrize("text", ['level eq "5"', "level eq true", 'score gt "2"'])
def test_numbers_need_number_operands(text):
    with pytest.raises(InvalidFilter, match="not a valid"):
        widget(text)


@pytest.mark.parametrize("op", ["co", "sw", "ew"])
def test_substring_operators_need_strings(op):
    with pytest.raises(InvalidFilter, match="needs a string attribute"):
        widget(f"level {op} 5")


def test_case_exact_string():
    assert widget('code eq "AbC"')
    assert not widget('code eq "abc"')
    assert widget('code co "b"')
    assert not widget('code co "B"')


def test_binary_is_a_case_exact_string_without_ordering():
    assert widget('blob eq "AAEC"')
    with pytest.raises(InvalidFilter, match="'gt' is not allowed on binary"):
        widget('blob gt "A"')


def test_multi_valued_simple_attribute():
    assert widget('tags eq "blue"')
    assert widget('tags sw "r"')
    assert not widget('tags eq "green"')


def test_value_path_on_numbers():
    assert widget('parts[sku eq "x-1" and count gt 2]')
    assert not widget('parts[sku eq "y-2" and count gt 2]')


# -- dateTime -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("gt", "2011-05-13T04:42:33Z", True),
        ("gt", "2011-05-13T04:42:34Z", False),
        ("ge", "2011-05-13T04:42:34Z", True),
        ("lt", "2011-05-13T04:42:35Z", True),
        ("le", "2011-05-13T04:42:34Z", True),
        ("lt", "2011-05-13T04:42:34Z", False),
        ("eq", "2011-05-13T04:42:34Z", True),
        ("ne", "2011-05-13T04:42:34Z", False),
    ],
)
def test_datetimes_compare_as_instants(op, value, expected):
    assert matches(f'meta.lastModified {op} "{value}"') is expected


@pytest.mark.parametrize(
    "value",
    [
        "2011-05-13T04:42:34+00:00",
        "2011-05-13T06:42:34+02:00",
        "2011-05-12T23:42:34-05:00",
        "2011-05-13T04:42:34.000Z",
        "2011-05-13t04:42:34z",
    ],
)
def test_the_same_instant_written_differently_is_equal(value):
    assert matches(f'meta.lastModified eq "{value}"')


def test_instants_not_text_decide_the_order():
    # As text "2011-05-13T05..." > "2011-05-13T04...", but the instant is earlier.
    assert matches('meta.lastModified gt "2011-05-13T05:00:00+01:00"')


def test_created():
    assert matches('meta.created lt "2011-01-01T00:00:00Z"')
    assert not matches('meta.created gt "2011-01-01T00:00:00Z"')


def test_widget_datetime_with_offset():
    assert widget('since eq "2020-06-01T10:00:00Z"')


@pytest.mark.parametrize(
    "value", ['"yesterday"', '"2011-05-13"', '"2011-05-13T04:42:34"', "1305261754", "true"]
)
def test_datetimes_need_an_instant_with_offset(value):
    message = error_of(f"meta.created gt {value}")
    assert "is not a valid dateTime value for 'meta.created'" in message


@pytest.mark.parametrize("op", ["co", "sw", "ew"])
def test_datetimes_have_no_substring_operators(op):
    assert "needs a string attribute" in error_of(f'meta.created {op} "2011"')


# -- presence -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", [], {}])
def test_is_absent(value):
    assert is_absent(value)


@pytest.mark.parametrize("value", [False, 0, "x", [{}], {"a": 1}, " "])
def test_is_not_absent(value):
    assert not is_absent(value)


def test_pr_is_true_for_a_value():
    assert matches("title pr")


@pytest.mark.parametrize("value", [None, ""])
def test_pr_is_false_for_null_and_empty_string(value):
    resource = user()
    resource["title"] = value
    assert not matches("title pr", resource)


def test_pr_is_false_for_a_missing_attribute():
    assert not matches("nickName pr")


def test_pr_is_false_for_an_empty_list():
    assert not matches("emails pr", user(emails=[]))
    assert not matches("phoneNumbers pr")


def test_pr_on_a_multi_valued_sub_attribute():
    assert matches("emails.primary pr")
    assert not matches("emails.display pr")


def test_pr_on_a_complex_attribute():
    assert matches("name pr")
    assert not matches("name pr", user(name={}))
    assert not matches("addresses pr")


def test_eq_null_means_absent_and_ne_null_present():
    assert matches("nickName eq null")
    assert not matches("title eq null")
    assert matches("title ne null")
    assert not matches("nickName ne null")


@pytest.mark.parametrize("op", ["gt", "co", "sw"])
def test_null_only_with_eq_and_ne(op):
    assert f"'{op}' cannot compare with null" in error_of(f"title {op} null")


# -- ne --------------------------------------------------------------------------------


def test_ne_is_not_eq():
    assert matches('title ne "Intern"')
    assert not matches('title ne "tour guide"')


def test_ne_matches_an_absent_singular_attribute():
    assert matches('nickName ne "Babs"')
    assert matches('externalId ne "x"', user(externalId=None))


def test_ne_on_a_multi_valued_attribute_needs_an_element_that_differs():
    """Any element, as for every operator: one other value is enough."""
    assert matches('emails.value ne "bjensen@example.com"')
    single = user(emails=[{"value": "bjensen@example.com"}])
    assert not matches('emails.value ne "bjensen@example.com"', single)


def test_ne_on_a_multi_valued_attribute_without_elements_is_false():
    assert not matches('emails.value ne "x"', user(emails=None))


# -- multi-valued attributes -------------------------------------------------------------


def test_any_element_matches():
    assert matches('emails.value ew "@jensen.org"')
    assert matches('emails.value ew "@example.com"')
    assert not matches('emails.value ew "@example.org"')


def test_a_multi_valued_complex_attribute_compares_its_value():
    """``emails co "x"`` means ``emails.value co "x"`` (RFC 7644 §3.4.2.2)."""
    assert matches('emails co "jensen.org"')
    assert matches('emails eq "BABS@jensen.org"')
    assert not matches('emails co "work"')


def test_sub_attribute_of_any_element():
    assert matches('emails.type eq "home"')
    assert matches("emails.primary eq true")
    assert not matches('emails.type eq "other"')


def test_boolean_sub_attribute_absent_in_an_element():
    assert matches("emails.primary ne true")  # the home element has no primary
    assert not matches("emails.primary eq false")


def test_elements_missing_the_sub_attribute_are_skipped():
    resource = user(emails=[{"type": "work"}, {"value": "x@y.org"}])
    assert matches('emails.value eq "x@y.org"', resource)
    assert not matches('emails.value eq "work"', resource)


# -- value paths -----------------------------------------------------------------------


MIXED = user(emails=[{"value": "a@y.org", "type": "work"}, {"value": "b@x.org", "type": "home"}])


def test_value_path_conditions_hold_for_one_element():
    assert not matches('emails[type eq "work" and value co "@x"]', MIXED)
    assert matches('emails[type eq "home" and value co "@x"]', MIXED)


def test_separate_conditions_may_hold_for_different_elements():
    assert matches('emails.type eq "work" and emails.value co "@x"', MIXED)


def test_value_path_with_or():
    assert matches('emails[type eq "other" or value ew "y.org"]', MIXED)
    assert not matches('emails[type eq "other" or value ew "z.org"]', MIXED)


def test_value_path_with_not_counts_an_absent_sub_attribute():
    resource = user(emails=[{"value": "a@y.org", "type": "work"}, {"value": "b@x.org"}])
    assert matches('emails[not (type eq "work")]', resource)
    assert not matches("emails[not (value pr)]", resource)


def test_value_path_with_pr_and_ne():
    resource = user(emails=[{"value": "a@y.org", "type": "work"}, {"value": "b@x.org"}])
    assert matches('emails[type ne "work" and value pr]', resource)
    assert not matches('emails[type pr and value ew "x.org"]', resource)


def test_value_path_without_elements_is_false():
    assert not matches('emails[type eq "work"]', user(emails=None))
    assert not matches('emails[not (type eq "work")]', user(emails=None))


def test_value_path_on_ims():
    assert matches('ims[type eq "xmpp" and value co "@foo.com"]')


def test_entra_value_path_with_sub_attribute():
    assert matches('emails[type eq "work"].value eq "bjensen@example.com"')
    assert not matches('emails[type eq "work"].value eq "babs@jensen.org"')


def test_value_path_sub_attribute_names_are_case_insensitive():
    assert matches('emails[TYPE eq "work" and VALUE sw "BJENSEN"]')


def test_not_around_a_value_path_means_no_element_matches():
    assert matches('not (emails[type eq "other"])')
    assert not matches('not (emails[type eq "work"])')


# -- common attributes -----------------------------------------------------------------


def test_id_and_external_id():
    assert matches(f'id eq "{BJENSEN_ID}" and externalId pr')
    assert not matches('id eq "nope"')


def test_meta_resource_type():
    assert matches('meta.resourceType eq "User"')
    assert not matches('meta.resourceType eq "Group"')


def test_schemas_eq_an_extension_urn():
    assert matches(f'schemas eq "{ENTERPRISE_USER_SCHEMA}"')
    assert not matches(f'schemas eq "{ENTERPRISE_USER_SCHEMA}"', user(schemas=[USER_SCHEMA]))


def test_schemas_comparison_is_case_insensitive():
    assert matches(f'schemas eq "{ENTERPRISE_USER_SCHEMA.upper()}"')


def test_schemas_ne_and_pr():
    assert matches(f'schemas ne "{ENTERPRISE_USER_SCHEMA}"', user(schemas=[USER_SCHEMA]))
    assert matches("schemas pr")


def test_schemas_supports_only_eq_and_ne():
    assert "'schemas' supports eq and ne" in error_of('schemas co "enterprise"')


# -- groups ----------------------------------------------------------------------------


def group(text: str) -> bool:
    return matches(text, GROUP, group_type())


def test_group_display_name():
    assert group('displayName eq "tour guides"')


def test_group_members_value():
    assert group(f'members.value eq "{MEMBER_ID}"')
    assert group(f'members[value eq "{BJENSEN_ID}"]')
    assert not group('members[value eq "nope"]')


def test_group_members_eq_compares_the_value():
    """Okta and Entra check a membership with ``id eq "g" and members eq "u"``."""
    assert group(f'id eq "{GROUP_ID}" and members eq "{MEMBER_ID}"')
    assert not group(f'id eq "{GROUP_ID}" and members eq "{GROUP_ID}"')


def test_group_members_display_and_type():
    assert group('members[display eq "JSMITH" and type eq "user"]')


def test_user_attributes_are_unknown_on_groups():
    assert "Unknown attribute 'userName'" in error_of('userName eq "x"', GROUP, group_type())


# -- logic -----------------------------------------------------------------------------


def test_and_binds_tighter_than_or():
    # true or (false and false) = true; (true or false) and false = false
    assert matches('userName eq "bjensen" or userName eq "x" and active eq false')


def test_not_binds_tighter_than_and():
    # (not false) and true = true; not (false and true) = true too, so use a pair that differs:
    # (not true) and false = false; not (true and false) = true
    assert not matches('not (active eq true) and title eq "x"')


def test_grouping_overrides_precedence():
    assert not matches('(userName eq "bjensen" or userName eq "x") and active eq false')


def test_and_or_not():
    assert matches('title pr and not (userType eq "Intern")')
    assert not matches('title pr and not (userType eq "Employee")')
    assert matches('title eq "x" or not (title eq "x")')


# -- errors ----------------------------------------------------------------------------


def test_unknown_attribute_is_named_with_its_position():
    assert error_of('title pr and nope eq "x"') == "Unknown attribute 'nope' at position 13."


@pytest.mark.parametrize(
    "text",
    [
        "name.nope pr",
        f"{ENTERPRISE_USER_SCHEMA}:nope pr",
        "urn:example:nope:userName pr",
        "emails.nope pr",
    ],
)
def test_unknown_attributes_and_sub_attributes(text):
    assert "Unknown attribute" in error_of(text)


def test_a_schema_urn_alone_is_not_an_attribute():
    assert "names a schema, not an attribute" in error_of(f"{ENTERPRISE_USER_SCHEMA} pr")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('active eq "maybe"', "'maybe' is not a valid boolean value for 'active'"),
        ("active eq 1", "1 is not a valid boolean value for 'active'"),
        ('meta.created gt "yesterday"', "'yesterday' is not a valid dateTime value"),
        ("userName eq 1", "1 is not a valid string value for 'userName'"),
        ("userName eq true", "True is not a valid string value for 'userName'"),
        ('emails.primary eq "yes"', "'yes' is not a valid boolean value"),
    ],
)
def test_wrong_value_types(text, message):
    assert message in error_of(text)


@pytest.mark.parametrize("op", ["gt", "ge", "lt", "le"])
def test_ordering_a_boolean_is_an_error(op):
    assert f"'{op}' is not allowed on boolean attribute 'active'" in error_of(f"active {op} true")


def test_co_on_a_boolean_is_an_error():
    assert "'co' needs a string attribute; 'active' is boolean" in error_of('active co "t"')


@pytest.mark.parametrize("text", ['name eq "x"', 'name co "x"'])
def test_comparing_a_complex_attribute_is_an_error(text):
    assert "is complex: compare one of its sub-attributes" in error_of(text)


def test_comparing_a_complex_attribute_without_value_is_an_error():
    assert "is complex" in error_of('addresses eq "x"')


def test_nested_value_paths_are_an_error():
    assert error_of('emails[type eq "work" and value[type eq "x"]]') == (
        "Value paths cannot be nested."
    )


def test_unknown_sub_attribute_in_a_value_path():
    assert error_of('emails[kind eq "work"]') == "'kind' is not a sub-attribute of 'emails'."


@pytest.mark.parametrize("text", ['userName[value eq "x"]', 'name.familyName[value eq "x"]'])
def test_a_value_path_needs_a_complex_attribute(text):
    assert "needs a complex attribute" in error_of(text)


def test_errors_inside_a_value_path_name_the_sub_attribute():
    assert "'emails.primary'" in error_of("emails[primary gt true]")


def test_errors_do_not_depend_on_short_circuiting():
    with pytest.raises(InvalidFilter):
        matches('userName eq "nobody" and nope eq "x"')


def test_errors_inside_an_empty_value_path_are_reported():
    with pytest.raises(InvalidFilter):
        matches('emails[nope eq "x"]', user(emails=None))


# -- compare_values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "op", "right", "case_exact", "expected"),
    [
        ("Abc", "eq", "aBC", False, True),
        ("Abc", "eq", "aBC", True, False),
        (None, "ne", "x", False, True),
        ("", "ne", "x", False, True),
        (None, "eq", None, False, True),
        ("x", "ne", None, False, True),
        (True, "eq", True, False, True),
        (1, "eq", True, False, False),
        (True, "eq", 1, False, False),
        (5, "gt", 4.5, False, True),
        ("5", "eq", 5, False, False),
    ],
)
def test_compare_values(left, op, right, case_exact, expected):
    assert compare_values(left, op, right, case_exact) is expected
