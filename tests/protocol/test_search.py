"""Filtering over HTTP (RFC 7644 §3.4.2.2) and searching with POST (RFC 7644 §3.4.3).

GET /{endpoint}?filter=... and POST /{endpoint}/.search run the filter in the
database and answer a ListResponse; POST /.search runs it over every resource
type. Every test asserts the exact set of resources found in one seeded data
set: users created through SCIM with rich attributes, users and a group
created outside SCIM (as a site's existing rows are), and groups.

Rules exercised: attribute names and operators are case-insensitive; strings
compare case-insensitively unless the attribute is caseExact (``id``,
``externalId``); booleans, dateTimes (as instants) and their type errors;
``pr`` is false for null, ``""`` and ``[]``; ``ne`` is ``not eq`` on a
singular attribute, so it matches an absent value; a multi-valued attribute
matches when any element does; a value path matches within one element; the
``attr[filter].sub`` form Entra ID sends; schema-qualified names; ``and``
binds tighter than ``or`` and ``not`` tighter than ``and``; ``%``, ``_``,
``\\`` and regular-expression metacharacters match literally. A malformed
filter is 400 with scimType ``invalidFilter`` and a detail naming the problem.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_scim.constants import (
    ENTERPRISE_USER_SCHEMA,
    ERROR,
    LIST_RESPONSE,
    SEARCH_REQUEST,
    USER_SCHEMA,
)
from tests.conftest import body, read

ON_SQLITE = "sqlite" in django_settings.DATABASES["default"]["ENGINE"]

SCIM_USERS = {"bjensen", "Jim.OMalley", "mixed", "pct", "employee2"}
OUTSIDE_USERS = {"frank", "gina"}
ALL_USERS = SCIM_USERS | OUTSIDE_USERS
ALL_GROUPS = {"Admins", "Everyone", "Empty", "legacy"}

BJENSEN = {
    "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    "userName": "bjensen",
    "externalId": "bjensen-EXT",
    "name": {"givenName": "Barbara", "familyName": "Jensen"},
    "displayName": "Babs Jensen",
    "title": "Tour Guide",
    "userType": "Employee",
    "active": True,
    "emails": [
        {"value": "bjensen@example.com", "type": "work", "primary": True},
        {"value": "babs@jensen.org", "type": "home"},
    ],
    "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
    "ims": [{"value": "babs@foo.com", "type": "xmpp"}],
    ENTERPRISE_USER_SCHEMA: {"employeeNumber": "701984", "manager": {"value": "mgr-1"}},
}
OMALLEY = {
    "userName": "Jim.OMalley",
    "externalId": "OMALLEY-1",
    "name": {"givenName": "Jim", "familyName": "O'Malley"},
    "title": "Intern",
    "userType": "Intern",
    "active": False,
    "emails": [{"value": "jim@example.org", "type": "work"}],
}
MIXED = {
    "userName": "mixed",
    "userType": "Contractor",
    "emails": [
        {"value": "a@y.test", "type": "work"},
        {"value": "b@x.test", "type": "home", "primary": True},
    ],
    "phoneNumbers": [{"value": "+1 555 0100", "type": "mobile"}],
}
PCT = {
    "userName": "pct",
    "title": "100%_off\\now",
    "displayName": "a.b*c+(d)?[e]^$|{2}",
}
EMPLOYEE2 = {
    "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    "userName": "employee2",
    "userType": "Employee",
    "emails": [{"value": "e2@EXAMPLE.COM", "type": "work"}],
    ENTERPRISE_USER_SCHEMA: {"employeeNumber": "702000", "department": "R&D"},
}


def create(scim, endpoint: str, payload: dict[str, Any]) -> dict[str, Any]:
    response = scim.post(endpoint, payload)
    assert response.status_code == 201, body(response)
    return body(response)


def outside_user(username: str, **fields: Any) -> Any:
    """A user created outside SCIM (a site's own code, the admin), without a side row.

    Made with the ORM rather than the shared factories, whose sequences other
    tests rely on.
    """
    return get_user_model().objects.create(username=username, **fields)


@pytest.fixture
def data(scim) -> SimpleNamespace:
    """The seeded data set; every user has been listed once (side rows exist)."""
    users = {
        p["userName"]: create(scim, "Users", p) for p in (BJENSEN, OMALLEY, MIXED, PCT, EMPLOYEE2)
    }
    frank = outside_user(
        "frank",
        email="frank@factory.test",
        first_name="Frank",
        last_name="Factory",
        is_active=False,
    )
    outside_user(
        "gina",
        email="gina@factory.test",
        first_name="Gina",
        last_name="Jensen",
        is_active=True,
    )
    listed = body(scim.get("Users", {"count": 200}))["Resources"]
    users.update((r["userName"], r) for r in listed if r["userName"] in OUTSIDE_USERS)
    ids = {name: resource["id"] for name, resource in users.items()}

    def members(*names: str) -> list[dict[str, str]]:
        return [{"value": ids[name]} for name in names]

    groups = {
        "Admins": create(
            scim, "Groups", {"displayName": "Admins", "members": members("bjensen", "Jim.OMalley")}
        ),
        "Everyone": create(
            scim, "Groups", {"displayName": "Everyone", "members": members(*sorted(SCIM_USERS))}
        ),
        "Empty": create(scim, "Groups", {"displayName": "Empty"}),
    }
    Group.objects.create(name="legacy").user_set.add(frank)
    listed = body(scim.get("Groups", {"count": 200}))["Resources"]
    groups.update((r["displayName"], r) for r in listed if r["displayName"] == "legacy")
    return SimpleNamespace(
        users=users,
        ids=ids,
        groups=groups,
        group_ids={name: resource["id"] for name, resource in groups.items()},
    )


def found(scim, text: str, endpoint: str = "Users") -> set[str]:
    """Names of every resource the filter selects (userName or displayName)."""
    response = scim.get(endpoint, {"filter": text, "count": 200})
    assert response.status_code == 200, body(response)
    result = body(response)
    assert result["schemas"] == [LIST_RESPONSE]
    resources = result.get("Resources", [])
    assert result["totalResults"] == len(resources)
    key = "userName" if endpoint == "Users" else "displayName"
    names = [resource[key] for resource in resources]
    assert len(names) == len(set(names)), "a resource was returned twice"
    return set(names)


def invalid(scim, text: str, endpoint: str = "Users") -> str:
    """The detail of the 400 invalidFilter error the filter must give."""
    response = scim.get(endpoint, {"filter": text})
    assert response.status_code == 400, body(response)
    error = body(response)
    assert error["schemas"] == [ERROR]
    assert error["status"] == "400"
    assert error["scimType"] == "invalidFilter"
    return error["detail"]


def shifted(instant: str, hours: int) -> str:
    """The same instant written with another UTC offset."""
    parsed = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    return parsed.astimezone(timezone(timedelta(hours=hours))).isoformat()


# -- every example filter of RFC 7644 §3.4.2.2 ---------------------------------------------

RFC_EXAMPLES = [
    ('userName eq "bjensen"', {"bjensen"}),
    ('name.familyName co "O\'Malley"', {"Jim.OMalley"}),
    ('userName sw "J"', {"Jim.OMalley"}),
    (f'{USER_SCHEMA}:userName sw "J"', {"Jim.OMalley"}),
    ("title pr", {"bjensen", "Jim.OMalley", "pct"}),
    ('meta.lastModified gt "2011-05-13T04:42:34Z"', ALL_USERS),
    ('meta.lastModified ge "2011-05-13T04:42:34Z"', ALL_USERS),
    ('meta.lastModified lt "2011-05-13T04:42:34Z"', set()),
    ('meta.lastModified le "2011-05-13T04:42:34Z"', set()),
    ('title pr and userType eq "Employee"', {"bjensen"}),
    ('title pr or userType eq "Intern"', {"bjensen", "Jim.OMalley", "pct"}),
    (f'schemas eq "{ENTERPRISE_USER_SCHEMA}"', {"bjensen", "employee2"}),
    (
        'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
        {"bjensen", "employee2"},
    ),
    (
        'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
        {"mixed", "pct", "frank", "gina"},
    ),
    ('userType eq "Employee" and (emails.type eq "work")', {"bjensen", "employee2"}),
    (
        'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
        {"bjensen", "employee2"},
    ),
    (
        'emails[type eq "work" and value co "@example.com"] or '
        'ims[type eq "xmpp" and value co "@foo.com"]',
        {"bjensen", "employee2"},
    ),
]


@pytest.mark.parametrize(("text", "expected"), RFC_EXAMPLES, ids=[t for t, _ in RFC_EXAMPLES])
def test_rfc_7644_example_filters(scim, data, text, expected):
    assert found(scim, text) == expected


# -- names and case ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'USERNAME EQ "BJENSEN"',
        'userName eq "BJensen"',
        'DisplayName Eq "babs JENSEN"',
        'emails.VALUE eq "BJENSEN@EXAMPLE.COM"',
        'EMAILS[TYPE eq "work" and VALUE sw "bjensen"]',
        f'{USER_SCHEMA.upper()}:USERNAME eq "bjensen"',
        f'{ENTERPRISE_USER_SCHEMA.lower()}:EMPLOYEENUMBER eq "701984"',
    ],
)
def test_names_operators_and_strings_are_case_insensitive(scim, data, text):
    assert found(scim, text) == {"bjensen"}


def test_emails_compare_case_insensitively(scim, data):
    assert found(scim, 'emails.value eq "E2@example.com"') == {"employee2"}
    assert found(scim, 'emails co "@EXAMPLE.COM"') == {"bjensen", "employee2"}


def test_family_name_across_scim_and_outside_users(scim, data):
    assert found(scim, 'name.familyName eq "JENSEN"') == {"bjensen", "gina"}


def test_external_id_is_case_exact(scim, data):
    assert found(scim, 'externalId eq "bjensen-EXT"') == {"bjensen"}
    assert found(scim, 'externalId eq "bjensen-ext"') == set()
    assert found(scim, 'externalId sw "OMALLEY"') == {"Jim.OMalley"}
    assert found(scim, 'externalId sw "omalley"') == set()
    assert found(scim, "externalId pr") == {"bjensen", "Jim.OMalley"}


def test_id(scim, data):
    assert found(scim, f'id eq "{data.ids["bjensen"]}"') == {"bjensen"}
    assert found(scim, f'id eq "{data.ids["frank"]}"') == {"frank"}
    assert found(scim, f'id ne "{data.ids["bjensen"]}"') == ALL_USERS - {"bjensen"}
    assert found(scim, 'id eq "not-a-uuid"') == set()
    assert found(scim, f'id eq "{uuid.uuid4()}"') == set()
    assert found(scim, f'id eq "{data.group_ids["Admins"]}"') == set()


@pytest.mark.parametrize("spelling", ["upper", "hex"])
def test_id_is_case_exact(scim, data, spelling):
    scim_id = data.ids["bjensen"]
    text = scim_id.upper() if spelling == "upper" else scim_id.replace("-", "")
    assert found(scim, f'id eq "{text}"') == set()


def test_id_supports_the_string_operators(scim, data):
    """RFC 7644 §3.4.2.2: every string operator applies to ``id`` (caseExact), as rendered."""
    scim_id = data.ids["bjensen"]
    assert found(scim, f'id ew "{scim_id[-12:]}"') == {"bjensen"}
    assert found(scim, f'id co "{scim_id[-14:]}"') == {"bjensen"}
    assert found(scim, f'id sw "{scim_id}"') == {"bjensen"}


def test_meta_resource_type(scim, data):
    assert found(scim, 'meta.resourceType eq "User"') == ALL_USERS
    assert found(scim, 'meta.resourceType eq "Group"') == set()
    assert found(scim, 'meta.resourceType eq "Group"', "Groups") == ALL_GROUPS


# -- dateTime ------------------------------------------------------------------------------


def test_created_compares_as_an_instant(scim, data):
    created = data.users["bjensen"]["meta"]["created"]
    assert found(scim, f'meta.created eq "{created}"') == {"bjensen"}
    assert found(scim, f'meta.created eq "{shifted(created, 2)}"') == {"bjensen"}
    assert found(scim, f'meta.created eq "{shifted(created, -7)}"') == {"bjensen"}
    assert found(scim, f'meta.created gt "{shifted(created, 5)}"') == ALL_USERS - {"bjensen"}
    assert found(scim, f'meta.created le "{data.users["Jim.OMalley"]["meta"]["created"]}"') == {
        "bjensen",
        "Jim.OMalley",
    }


def test_last_modified_compares_as_an_instant(scim, data):
    """The group "Everyone", made last, modified all its members at once (their groups
    changed, RFC 7643 §3.1), after the outside users joined."""
    modified = read(scim, f"Users/{data.ids['employee2']}")["meta"]["lastModified"]
    assert found(scim, f'meta.lastModified eq "{shifted(modified, 2)}"') == SCIM_USERS
    assert found(scim, f'meta.lastModified gt "{shifted(modified, -3)}"') == set()
    assert found(scim, f'meta.lastModified ge "{modified}"') == SCIM_USERS
    assert found(scim, f'meta.lastModified lt "{shifted(modified, 5)}"') == OUTSIDE_USERS


def test_created_of_outside_users_is_their_join_date(scim, data):
    created = data.users["frank"]["meta"]["created"]
    assert found(scim, f'meta.created ge "{created}"') == OUTSIDE_USERS


# -- booleans ------------------------------------------------------------------------------

ACTIVE = {"bjensen", "mixed", "pct", "employee2", "gina"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("active eq true", ACTIVE),
        ("active eq false", ALL_USERS - ACTIVE),
        ('active eq "True"', ACTIVE),
        ('active eq "False"', ALL_USERS - ACTIVE),
        ("active eq TRUE", ACTIVE),
        ("active ne true", ALL_USERS - ACTIVE),
        ("active pr", ALL_USERS),
    ],
)
def test_active(scim, data, text, expected):
    assert found(scim, text) == expected


# -- presence and absence -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("emails pr", ALL_USERS - {"pct"}),
        ("name pr", {"bjensen", "Jim.OMalley", "frank", "gina"}),
        ("ims pr", {"bjensen"}),
        ("phoneNumbers pr", {"bjensen", "mixed"}),
        ("nickName pr", set()),
        ("addresses pr", set()),
        (f"{ENTERPRISE_USER_SCHEMA}:employeeNumber pr", {"bjensen", "employee2"}),
        (f"{ENTERPRISE_USER_SCHEMA}:manager pr", {"bjensen"}),
        ("emails.primary pr", {"bjensen", "mixed", "frank", "gina"}),
    ],
)
def test_pr(scim, data, text, expected):
    assert found(scim, text) == expected


def test_pr_on_a_multi_valued_complex_attribute_counts_elements_without_value(scim, db):
    create(scim, "Users", {"userName": "typed", "phoneNumbers": [{"type": "work"}]})
    assert found(scim, "phoneNumbers pr") == {"typed"}


def test_eq_null_means_absent(scim, data):
    assert found(scim, "title eq null") == {"mixed", "employee2", "frank", "gina"}
    assert found(scim, "title ne null") == {"bjensen", "Jim.OMalley", "pct"}


def test_ne_on_a_singular_attribute_matches_absent_values(scim, data):
    assert found(scim, 'title ne "Intern"') == ALL_USERS - {"Jim.OMalley"}
    assert found(scim, 'userType ne "Employee"') == {"Jim.OMalley", "mixed", "pct", "frank", "gina"}
    assert found(scim, f'{ENTERPRISE_USER_SCHEMA}:employeeNumber ne "701984"') == ALL_USERS - {
        "bjensen"
    }


def test_ne_and_not_eq_agree(scim, data):
    for text in ['title eq "Intern"', 'externalId eq "OMALLEY-1"', 'userType eq "Employee"']:
        ne = text.replace(" eq ", " ne ")
        assert found(scim, ne) == found(scim, f"not ({text})")


# -- multi-valued attributes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('emails.value ew "@x.test"', {"mixed"}),
        ('emails.value ew ".test"', {"mixed", "frank", "gina"}),
        ('emails co "x.test"', {"mixed"}),
        ('emails eq "babs@jensen.org"', {"bjensen"}),
        ('emails.type eq "home"', {"bjensen", "mixed"}),
        ('emails.type eq "work"', {"bjensen", "Jim.OMalley", "mixed", "employee2"}),
        ("emails.primary eq true", {"bjensen", "mixed", "frank", "gina"}),
        ('phoneNumbers.value sw "+1"', {"mixed"}),
        ('phoneNumbers eq "555-555-5555"', {"bjensen"}),
    ],
)
def test_any_element_matches(scim, data, text, expected):
    assert found(scim, text) == expected


def test_value_path_matches_within_one_element(scim, data):
    """mixed has a work e-mail a@y.test and a home e-mail b@x.test."""
    assert found(scim, 'emails[type eq "work" and value co "@x"]') == set()
    assert found(scim, 'emails[type eq "home" and value co "@x"]') == {"mixed"}
    assert found(scim, 'emails.type eq "work" and emails.value co "@x"') == {"mixed"}


def test_value_path_with_or_and_primary(scim, data):
    assert found(scim, 'emails[type eq "home" or value ew "factory.test"]') == {
        "bjensen",
        "mixed",
        "frank",
        "gina",
    }
    assert found(scim, 'emails[primary eq true and type eq "home"]') == {"mixed"}


def test_not_around_a_value_path(scim, data):
    assert found(scim, 'not (emails[type eq "work"])') == {"pct", "frank", "gina"}


def test_entra_value_path_with_sub_attribute(scim, data):
    assert found(scim, 'emails[type eq "work"].value eq "bjensen@example.com"') == {"bjensen"}
    assert found(scim, 'emails[type eq "work"].value eq "b@x.test"') == set()
    assert found(scim, 'emails[type eq "home"].value eq "B@X.TEST"') == {"mixed"}


def test_enterprise_extension(scim, data):
    assert found(scim, f'{ENTERPRISE_USER_SCHEMA}:employeeNumber eq "701984"') == {"bjensen"}
    assert found(scim, f'{ENTERPRISE_USER_SCHEMA}:employeeNumber sw "70"') == {
        "bjensen",
        "employee2",
    }
    assert found(scim, f'{ENTERPRISE_USER_SCHEMA}:manager.value eq "mgr-1"') == {"bjensen"}
    assert found(scim, f'{ENTERPRISE_USER_SCHEMA}:department eq "r&d"') == {"employee2"}


def test_groups_of_users(scim, data):
    admins = data.group_ids["Admins"]
    assert found(scim, f'groups.value eq "{admins}"') == {"bjensen", "Jim.OMalley"}
    assert found(scim, 'groups[display eq "legacy"]') == {"frank"}
    assert found(scim, 'groups.display eq "everyone"') == SCIM_USERS
    assert found(scim, "groups pr") == SCIM_USERS | {"frank"}


# -- users created outside SCIM --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('userName eq "FRANK"', {"frank"}),
        ('emails.value eq "FRANK@factory.test"', {"frank"}),
        ('emails eq "gina@factory.test"', {"gina"}),
        ('emails[value eq "gina@factory.test" and primary eq true]', {"gina"}),
        ('name.familyName eq "factory"', {"frank"}),
        ('name.givenName sw "gi"', {"gina"}),
        ('active eq false and userName sw "f"', {"frank"}),
    ],
)
def test_users_created_outside_scim(scim, data, text, expected):
    assert found(scim, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'userName eq "frank"',
        'emails.value eq "frank@factory.test"',
        'name.familyName eq "Factory"',
        "active eq false",
        'not (title eq "Boss")',
    ],
)
def test_users_never_seen_by_scim_are_found(scim, text):
    """No side row exists yet for a user created outside SCIM and never listed."""
    outside_user("frank", email="frank@factory.test", last_name="Factory", is_active=False)
    assert found(scim, text) == {"frank"}


@pytest.mark.parametrize(
    "text",
    [
        'title ne "Boss"',
        "title eq null",
        'externalId ne "x"',
        "id pr",
        'meta.lastModified gt "2000-01-01T00:00:00Z"',
        f'{ENTERPRISE_USER_SCHEMA}:employeeNumber ne "1"',
    ],
)
def test_users_never_seen_by_scim_are_found_by_side_table_conditions(scim, text):
    outside_user("frank", email="frank@factory.test", last_name="Factory")
    assert found(scim, text) == {"frank"}


# -- precedence and grouping ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # and binds tighter: bjensen or (mixed and inactive)
        ('userName eq "bjensen" or userName eq "mixed" and active eq false', {"bjensen"}),
        ('(userName eq "bjensen" or userName eq "mixed") and active eq false', set()),
        ('(userName eq "bjensen" or userName eq "mixed") and active eq true', {"bjensen", "mixed"}),
        # not binds tighter than and: (inactive) and starts with j
        ('not (active eq true) and userName sw "j"', {"Jim.OMalley"}),
        ('not (active eq true and userName sw "j")', ALL_USERS),
        ('userName eq "pct" or not (active eq true) and userName sw "f"', {"pct", "frank"}),
        ('not (not (userName eq "pct"))', {"pct"}),
    ],
)
def test_precedence_and_grouping(scim, data, text, expected):
    assert found(scim, text) == expected


# -- literal matching ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('title co "%"', {"pct"}),
        ('title co "_"', {"pct"}),
        ('title co "\\\\"', {"pct"}),
        ('title sw "100%_"', {"pct"}),
        ('title co "0%_o"', {"pct"}),
        ('title ew "off\\\\now"', {"pct"}),
        ('title eq "100%_off\\\\now"', {"pct"}),
        ('title sw "1__"', set()),
        ('title co "%off"', set()),
        ('title eq "100__off\\\\now"', set()),
        ('title eq "100%_off%"', set()),
        ('title co "\\\\n"', {"pct"}),
        ('title co "\\n"', set()),
        ('displayName eq "a.b*c+(d)?[e]^$|{2}"', {"pct"}),
        ('displayName co ".b*c+("', {"pct"}),
        ('displayName co "[e]^$|"', {"pct"}),
        ('displayName sw "a.b"', {"pct"}),
        ('displayName co "B.bs"', set()),
        ('displayName co "Ba*bs"', set()),
        ('displayName sw "^Babs"', set()),
        ('displayName eq "Babs.*"', set()),
    ],
)
def test_wildcards_and_metacharacters_match_literally(scim, data, text, expected):
    assert found(scim, text) == expected


def test_quotes_in_values(scim, data):
    assert found(scim, 'name.familyName eq "o\'malley"') == {"Jim.OMalley"}
    create(scim, "Users", {"userName": "quoted", "title": 'say "hi"'})
    assert found(scim, 'title co "\\"hi\\""') == {"quoted"}


def test_ew_with_an_empty_string(scim, data):
    assert found(scim, 'userName ew ""') == ALL_USERS


def test_co_and_sw_with_an_empty_string(scim, data):
    assert found(scim, 'userName co ""') == ALL_USERS
    assert found(scim, 'title sw ""') == {"bjensen", "Jim.OMalley", "pct"}


@pytest.mark.xfail(
    ON_SQLITE,
    strict=True,
    reason="SQLite's LOWER() folds ASCII only, so case-insensitive comparison of non-ASCII "
    "letters fails in the database while the evaluator (str.lower) matches.",
)
def test_case_insensitivity_beyond_ascii(scim, db):
    create(scim, "Users", {"userName": "Émile", "title": "Ärztin"})
    assert found(scim, 'userName eq "émile"') == {"Émile"}
    assert found(scim, 'title eq "ÄRZTIN"') == {"Émile"}


# -- disagreements between the database and the evaluator ----------------------------------


def test_elements_the_resource_does_not_show_do_not_match(scim, db):
    created = create(
        scim, "Users", {"userName": "bob", "emails": [{"type": "work"}, {"value": "bob@x.test"}]}
    )
    assert [e.get("type") for e in created["emails"]] == [None]
    assert found(scim, 'emails[type eq "work"]') == set()


def test_not_inside_a_value_path_counts_absent_sub_attributes(scim, data):
    create(scim, "Users", {"userName": "untyped", "emails": [{"value": "u@z.test"}]})
    assert found(scim, 'emails[not (type eq "work")]') == {
        "bjensen",
        "mixed",
        "frank",
        "gina",
        "untyped",
    }
    assert found(scim, 'emails[not (value co "@")]') == set()


def test_not_inside_a_value_path_counts_absent_boolean_sub_attributes(scim, data):
    create(scim, "Users", {"userName": "untyped", "emails": [{"value": "u@z.test"}]})
    assert found(scim, "emails[not (primary eq true)]") == {
        "bjensen",
        "Jim.OMalley",
        "mixed",
        "employee2",
        "untyped",
    }


def test_ne_inside_a_value_path_counts_absent_sub_attributes(scim, data):
    assert found(scim, 'emails[type ne "work"]') == {"bjensen", "mixed", "frank", "gina"}
    assert found(scim, "emails[primary ne true]") == {
        "bjensen",
        "Jim.OMalley",
        "mixed",
        "employee2",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name[familyName eq "Jensen"]', {"bjensen", "gina"}),
        (f'{ENTERPRISE_USER_SCHEMA}:manager[value eq "mgr-1"]', {"bjensen"}),
    ],
)
def test_value_path_on_a_singular_complex_attribute(scim, data, text, expected):
    response = scim.get("Users", {"filter": text})
    if response.status_code == 400:
        assert body(response)["scimType"] == "invalidFilter"
    else:
        assert found(scim, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name.familyName lt "zzz"', {"bjensen", "Jim.OMalley", "frank", "gina"}),
        ('name.givenName le "zzz"', {"bjensen", "Jim.OMalley", "frank", "gina"}),
        ('name.givenName ge "a"', {"bjensen", "Jim.OMalley", "frank", "gina"}),
        ('name.familyName ne "Jensen"', ALL_USERS - {"bjensen", "gina"}),
    ],
)
def test_absent_column_values_compare_as_absent(scim, data, text, expected):
    """A column keeps "unassigned" as "" (the model's blank default): it is absent, so only
    ``ne`` matches it."""
    assert found(scim, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("emails.type ne null", {"bjensen", "Jim.OMalley", "mixed", "employee2"}),
        ("emails.type eq null", {"frank", "gina"}),
        ("emails[type eq null]", {"frank", "gina"}),
    ],
)
def test_null_operands_on_the_e_mail_column_element(scim, data, text, expected):
    assert found(scim, text) == expected


def test_an_e_mail_changed_outside_scim_is_found_by_its_new_value(scim, data):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="employee2")
    user.email = "new@example.net"
    user.save()
    shown = body(scim.get(f"Users/{data.ids['employee2']}"))["emails"]
    assert [e["value"] for e in shown] == ["new@example.net"]
    assert found(scim, 'emails.value eq "new@example.net"') == {"employee2"}
    assert found(scim, 'emails[type eq "work" and value eq "new@example.net"]') == {"employee2"}
    assert found(scim, 'emails.value eq "e2@example.com"') == set()


# -- groups -----------------------------------------------------------------------------------


def test_group_display_name(scim, data):
    assert found(scim, 'displayName eq "admins"', "Groups") == {"Admins"}
    assert found(scim, 'displayName co "ONE"', "Groups") == {"Everyone"}
    assert found(scim, 'displayName eq "legacy"', "Groups") == {"legacy"}


def test_group_members(scim, data):
    ids = data.ids
    assert found(scim, f'members.value eq "{ids["Jim.OMalley"]}"', "Groups") == {
        "Admins",
        "Everyone",
    }
    assert found(scim, f'members[value eq "{ids["frank"]}"]', "Groups") == {"legacy"}
    assert found(scim, f'members eq "{ids["gina"]}"', "Groups") == set()
    assert found(scim, "members pr", "Groups") == {"Admins", "Everyone", "legacy"}
    assert found(scim, "not (members pr)", "Groups") == {"Empty"}
    assert found(scim, 'members.display eq "BJENSEN"', "Groups") == {"Admins", "Everyone"}
    assert found(scim, 'members[type eq "User"]', "Groups") == {"Admins", "Everyone", "legacy"}


def test_group_membership_check(scim, data):
    """Okta and Entra ask ``id eq "g" and members eq "u"`` before adding a member."""
    admins = data.group_ids["Admins"]
    text = f'id eq "{admins}" and members eq "{data.ids["bjensen"]}"'
    assert found(scim, text, "Groups") == {"Admins"}
    text = f'id eq "{admins}" and members eq "{data.ids["mixed"]}"'
    assert found(scim, text, "Groups") == set()


def test_group_external_id(scim, data):
    create(scim, "Groups", {"displayName": "Ext", "externalId": "G-1"})
    assert found(scim, 'externalId eq "G-1"', "Groups") == {"Ext"}
    assert found(scim, 'externalId eq "g-1"', "Groups") == set()


def test_user_attributes_are_unknown_on_groups(scim, data):
    assert "Unknown attribute 'userName'" in invalid(scim, 'userName eq "x"', "Groups")


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("userName eq", "position 11"),
        ('userName eq "bjensen', "Unterminated or malformed string at position 12"),
        ('userName xx "y"', "expected an operator"),
        ("(userName pr", "expected ')'"),
        ("userName pr)", "position 11"),
        ('emails[type eq "work"', "expected ']'"),
        ('userName eq "a" userName eq "b"', "position 16"),
        ("userName eq 'bjensen'", "Unexpected character"),
        ('userName eq "x" && title pr', "Unexpected character '&'"),
        ("not userName pr", "expected an attribute name or '('"),
        ("", "empty"),
    ],
)
def test_syntax_errors(scim, data, text, message):
    assert message in invalid(scim, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('nope eq "x"', "Unknown attribute 'nope' at position 0"),
        ('title pr and nope eq "x"', "Unknown attribute 'nope' at position 13"),
        ("name.nope pr", "Unknown attribute 'name.nope'"),
        (f"{ENTERPRISE_USER_SCHEMA}:nope pr", f"Unknown attribute '{ENTERPRISE_USER_SCHEMA}:nope'"),
        ('emails[kind eq "work"]', "'kind' is not a sub-attribute of 'emails'"),
        ('nope[value eq "x"]', "Unknown attribute 'nope'"),
    ],
)
def test_unknown_attributes(scim, data, text, message):
    assert message in invalid(scim, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('active eq "maybe"', "'maybe' is not a valid boolean value for 'active'"),
        ("active eq 1", "is not a valid boolean value"),
        ('meta.created gt "yesterday"', "'yesterday' is not a valid dateTime value"),
        ('meta.lastModified gt "2011-05-13"', "is not a valid dateTime value"),
        ('meta.lastModified gt "2011-05-13T04:42:34"', "is not a valid dateTime value"),
        ("userName eq 42", "42 is not a valid string value for 'userName'"),
        ("userName eq true", "is not a valid string value"),
        ('emails[primary eq "yes"]', "is not a valid boolean value"),
    ],
)
def test_wrong_value_types(scim, data, text, message):
    assert message in invalid(scim, text)


@pytest.mark.parametrize("op", ["gt", "ge", "lt", "le"])
def test_ordering_a_boolean(scim, data, op):
    assert f"'{op}' is not allowed on boolean attribute 'active'" in invalid(
        scim, f"active {op} true"
    )


@pytest.mark.parametrize("text", ['active co "t"', 'active sw "t"', 'emails.primary ew "e"'])
def test_substring_operators_on_a_boolean(scim, data, text):
    assert "needs a string attribute" in invalid(scim, text)


@pytest.mark.parametrize("text", ['name eq "x"', 'name co "x"', 'addresses eq "x"'])
def test_comparing_a_complex_attribute(scim, data, text):
    assert "is complex: compare one of its sub-attributes" in invalid(scim, text)


def test_comparing_the_manager_compares_its_value(scim, data):
    """As for multi-valued attributes (RFC 7644 §3.4.2.2), a complex attribute with a
    ``value`` sub-attribute compares that; Entra ID filters ``manager eq "<id>"``."""
    assert found(scim, f'{ENTERPRISE_USER_SCHEMA}:manager eq "mgr-1"') == {"bjensen"}
    assert found(scim, 'manager eq "mgr-1"') == {"bjensen"}


def test_nested_value_paths(scim, data):
    assert "Value paths cannot be nested" in invalid(
        scim, 'emails[type eq "work" and value[type eq "x"]]'
    )


def test_value_path_on_a_simple_attribute(scim, data):
    assert "needs a complex attribute" in invalid(scim, 'userName[value eq "x"]')


def test_comparing_with_null_needs_eq_or_ne(scim, data):
    assert "cannot compare with null" in invalid(scim, "title gt null")


def test_schema_urn_alone(scim, data):
    assert "names a schema" in invalid(scim, f"{ENTERPRISE_USER_SCHEMA} pr")


def test_unfilterable_meta_attributes(scim, data):
    assert "'meta.location' cannot be filtered" in invalid(scim, "meta.location pr")


def test_filter_longer_than_the_setting(scim, data, settings):
    settings.SCIM = {"FILTER_MAX_LENGTH": 30}
    assert found(scim, 'userName eq "bjensen"') == {"bjensen"}
    assert "longer than 30 characters" in invalid(scim, 'userName eq "bjensen" and title pr')


def test_filter_deeper_than_the_setting(scim, data, settings):
    settings.SCIM = {"FILTER_MAX_DEPTH": 2}
    assert found(scim, '((userName eq "bjensen"))') == {"bjensen"}
    assert "nested deeper than 2 levels" in invalid(scim, '(((userName eq "bjensen")))')
    assert "nested deeper than 2 levels" in invalid(scim, '((emails[type eq "work"]))')


def deep(depth: int) -> str:
    return "(" * depth + 'userName eq "x"' + ")" * depth


def test_ten_thousand_parentheses_are_invalid_not_a_500(scim, data):
    invalid(scim, deep(10_000))


def test_ten_thousand_parentheses_with_a_generous_length_limit(scim, data, settings):
    settings.SCIM = {"FILTER_MAX_LENGTH": 100_000}
    assert "nested deeper than" in invalid(scim, deep(10_000))


def test_ten_thousand_parentheses_with_raised_limits(scim, data, settings):
    settings.SCIM = {"FILTER_MAX_LENGTH": 100_000, "FILTER_MAX_DEPTH": 100_000}
    invalid(scim, deep(10_000))


@pytest.mark.parametrize("operands", [455, 2_000])
def test_long_or_chains_are_answered(scim, data, settings, operands):
    settings.SCIM = {"FILTER_MAX_LENGTH": 100_000}
    text = " or ".join(["id pr"] * operands)
    if operands == 455:
        assert len(text) <= 4096
    response = scim.get("Users", {"filter": text})
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert body(response)["scimType"] == "invalidFilter"


def test_moderate_and_chains_are_answered(scim, data):
    text = " and ".join(['userName eq "bjensen"'] * 150)
    assert found(scim, text) == {"bjensen"}


# -- what clients send ---------------------------------------------------------------------------


def test_entra_test_connection_with_no_match(scim, data):
    """Entra ID's "Test Connection" asks for a random userName and expects an empty list."""
    text = f'userName eq "{uuid.uuid4()}"'
    response = scim.get(f"Users?filter={quote(text)}")
    assert response.status_code == 200
    result = body(response)
    assert result["schemas"] == [LIST_RESPONSE]
    assert result["totalResults"] == 0
    assert result.get("Resources", []) == []


@pytest.mark.parametrize(("user_name", "total"), [("nobody@example.com", 0), ("BJENSEN", 1)])
def test_okta_existence_check(scim, data, user_name, total):
    """Okta: ``?filter=userName eq "..."&startIndex=1&count=100``."""
    text = quote(f'userName eq "{user_name}"')
    response = scim.get(f"Users?filter={text}&startIndex=1&count=100")
    assert response.status_code == 200
    result = body(response)
    assert result["totalResults"] == total
    assert result["startIndex"] == 1
    assert len(result.get("Resources", [])) == total


def test_entra_group_lookup_excluding_members(scim, data):
    response = scim.get(
        "Groups", {"filter": 'displayName eq "Admins"', "excludedAttributes": "members"}
    )
    result = body(response)
    assert result["totalResults"] == 1
    assert "members" not in result["Resources"][0]


def test_filter_with_paging(scim, data):
    response = scim.get("Users", {"filter": "emails pr", "startIndex": 2, "count": 2})
    result = body(response)
    assert result["totalResults"] == len(ALL_USERS - {"pct"})
    assert result["startIndex"] == 2
    assert result["itemsPerPage"] == 2


# -- POST /{endpoint}/.search ---------------------------------------------------------------------


def search(client, path: str, request: dict[str, Any]) -> Any:
    return client.post(path, {"schemas": [SEARCH_REQUEST], **request})


def test_users_search(scim, data):
    response = search(
        scim,
        "Users/.search",
        {
            "filter": 'userType eq "Employee"',
            "attributes": ["userName", "emails"],
            "sortBy": "userName",
            "sortOrder": "descending",
            "startIndex": 1,
            "count": 1,
        },
    )
    assert response.status_code == 200
    result = body(response)
    assert result["schemas"] == [LIST_RESPONSE]
    assert result["totalResults"] == 2
    assert result["itemsPerPage"] == 1
    assert result["startIndex"] == 1
    (resource,) = result["Resources"]
    assert resource["userName"] == "employee2"
    assert set(resource) <= {"schemas", "id", "userName", "emails"}
    assert resource["emails"][0]["value"] == "e2@EXAMPLE.COM"


def test_users_search_second_page(scim, data):
    result = body(
        search(
            scim,
            "Users/.search",
            {
                "filter": 'userType eq "Employee"',
                "sortBy": "userName",
                "startIndex": 2,
                "count": 5,
            },
        )
    )
    assert result["totalResults"] == 2
    assert [r["userName"] for r in result["Resources"]] == ["employee2"]


def test_users_search_excluded_attributes(scim, data):
    result = body(
        search(
            scim,
            "Users/.search",
            {
                "filter": 'userName eq "bjensen"',
                "excludedAttributes": ["emails", "name"],
            },
        )
    )
    (resource,) = result["Resources"]
    assert "emails" not in resource and "name" not in resource
    assert resource["title"] == "Tour Guide"


def test_groups_search(scim, data):
    result = body(
        search(
            scim,
            "Groups/.search",
            {
                "filter": 'displayName sw "E"',
                "excludedAttributes": ["members"],
                "sortBy": "displayName",
            },
        )
    )
    assert [r["displayName"] for r in result["Resources"]] == ["Empty", "Everyone"]
    assert all("members" not in r for r in result["Resources"])


def test_search_without_filter_lists_everything(scim, data):
    result = body(search(scim, "Users/.search", {"count": 200}))
    assert result["totalResults"] == len(ALL_USERS)


def test_search_with_an_invalid_filter(scim, data):
    response = search(scim, "Users/.search", {"filter": 'active eq "maybe"'})
    assert response.status_code == 400
    assert body(response)["scimType"] == "invalidFilter"


def test_search_filter_must_be_a_string(scim, data):
    response = search(scim, "Users/.search", {"filter": ["userName pr"]})
    assert response.status_code == 400
    assert body(response)["scimType"] == "invalidValue"


def test_a_read_only_client_may_search(read_only_scim, data):
    response = search(read_only_scim, "Users/.search", {"filter": 'userName eq "bjensen"'})
    assert response.status_code == 200
    assert body(response)["totalResults"] == 1
    response = search(read_only_scim, ".search", {"filter": 'displayName eq "Admins"'})
    assert response.status_code == 200
    assert read_only_scim.post("Users", {"userName": "nope"}).status_code == 403


# -- POST /.search across resource types ----------------------------------------------------------


def root(scim, **request: Any) -> dict[str, Any]:
    response = search(scim, ".search", request)
    assert response.status_code == 200, body(response)
    return body(response)


def names(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (r["meta"]["resourceType"], r.get("userName") or r.get("displayName"))
        for r in result["Resources"]
    ]


def test_root_search_returns_users_and_groups(scim, data):
    result = root(scim, filter='userName eq "bjensen" or displayName eq "admins"')
    assert result["totalResults"] == 2
    assert names(result) == [("User", "bjensen"), ("Group", "Admins")]


def test_root_search_total_is_the_sum(scim, data):
    result = root(scim, count=200)
    assert result["totalResults"] == len(ALL_USERS) + len(ALL_GROUPS)
    assert len(result["Resources"]) == result["totalResults"]
    types = [r["meta"]["resourceType"] for r in result["Resources"]]
    assert types == ["User"] * len(ALL_USERS) + ["Group"] * len(ALL_GROUPS)


def test_root_search_pages_over_the_concatenation(scim, data):
    everything = names(root(scim, count=200))
    pages = [names(root(scim, startIndex=start, count=3)) for start in range(1, 13, 3)]
    assert [item for page in pages for item in page] == everything
    page = root(scim, startIndex=6, count=3)
    assert page["totalResults"] == 11
    assert page["startIndex"] == 6
    assert page["itemsPerPage"] == 3
    assert [t for t, _ in names(page)] == ["User", "User", "Group"]


def test_root_search_condition_on_a_missing_attribute_is_false_for_that_type(scim, data):
    assert set(names(root(scim, filter="members pr"))) == {
        ("Group", "Admins"),
        ("Group", "Everyone"),
        ("Group", "legacy"),
    }
    assert {t for t, _ in names(root(scim, filter="userName pr", count=200))} == {"User"}
    assert root(scim, filter="userName pr")["totalResults"] == len(ALL_USERS)
    result = root(scim, filter='emails[type eq "home"] or displayName eq "Empty"')
    assert set(names(result)) == {("User", "bjensen"), ("User", "mixed"), ("Group", "Empty")}


def test_root_search_common_attributes_apply_to_every_type(scim, data):
    result = root(scim, filter=f'id eq "{data.ids["pct"]}" or id eq "{data.group_ids["Empty"]}"')
    assert names(result) == [("User", "pct"), ("Group", "Empty")]


def test_root_search_unknown_attribute_is_invalid(scim, data):
    response = search(scim, ".search", {"filter": 'nope eq "x"'})
    assert response.status_code == 400
    error = body(response)
    assert error["scimType"] == "invalidFilter"
    assert "nope" in error["detail"]


def test_root_search_type_errors_are_invalid(scim, data):
    response = search(scim, ".search", {"filter": 'active eq "maybe"'})
    assert response.status_code == 400
    assert body(response)["scimType"] == "invalidFilter"


def test_root_search_projection(scim, data):
    result = root(
        scim, filter='userName eq "bjensen" or displayName eq "Admins"', attributes=["displayName"]
    )
    for resource in result["Resources"]:
        assert set(resource) <= {"schemas", "id", "displayName"}


# -- query count ---------------------------------------------------------------------------------


def test_filtered_page_query_count_is_constant(scim, django_assert_num_queries):
    """The same filtered search costs the same queries for 10 or 50 results."""
    groups = [Group.objects.create(name=f"bulk-group-{n}") for n in range(3)]
    for n in range(60):
        user = outside_user(f"bulk{n:03d}", email=f"bulk{n:03d}@bulk.test")
        user.groups.add(*groups[: 1 + n % 3])
    create(
        scim,
        "Users",
        {
            "userName": "bulk-scim",
            "title": "Boss",
            "emails": [{"value": "s@bulk.test", "type": "work"}],
        },
    )
    scim.get("Users", {"count": 200})  # side rows for users created outside SCIM
    text = (
        'userName sw "bulk" and (emails.value ew "@bulk.test" or title pr)'
        " and not (active eq false)"
    )
    scim.get("Users", {"filter": text, "count": 1})  # warm-up: last_used is written once
    with CaptureQueriesContext(connection) as small:
        response = scim.get("Users", {"filter": text, "count": 10})
    assert len(body(response)["Resources"]) == 10
    with django_assert_num_queries(len(small.captured_queries)):
        response = scim.get("Users", {"filter": text, "count": 50})
    assert len(body(response)["Resources"]) == 50
    assert body(response)["totalResults"] == 61


def test_nested_filters_over_member_ids_run_on_every_database(scim):
    """RFC 7644 §3.4.2.2: grouping and ``not`` nest to any depth the filter limits allow.
    Comparing ``members.value`` with ``ew`` reads each member's id as text in SQL; that
    text is one flat expression, so the nesting around it stays within SQLite's parser
    stack (this filter used to overflow it)."""
    user = create(scim, "Users", {"userName": "nested"})
    create(scim, "Groups", {"displayName": "g1", "members": [{"value": user["id"]}]})
    create(scim, "Groups", {"displayName": "g2"})
    tail = user["id"][-12:]
    text = f'not (displayName ne null Or externalId PR AND not (members.value ew "{tail}"))'
    response = scim.get("Groups", {"filter": text})
    assert response.status_code == 200
    assert body(response)["Resources"] == []
    inner = f'members.value ew "{user["id"][-12:]}" and not (not (displayName pr))'
    response = scim.get("Groups", {"filter": inner})
    assert [g["displayName"] for g in body(response)["Resources"]] == ["g1"]
