"""Custom mappings, written as docs/adapters.md describes them, work like the stock ones.

The example project's directory app declares two (example_project/directory/
mappings.py): ``preferredLanguage`` kept on a related profile row, and
``name.formatted`` computed from the given and family names. Served by
``DirectoryUserAdapter``, each is shown, projected, filtered (RFC 7644
§3.4.2.2), sorted (§3.4.2.3) and, where writable, replaced by PUT and PATCH
(§3.5.1, §3.5.2) — with nothing in the package that knows them.
"""

from __future__ import annotations

import pytest

from example_project.directory.models import Profile
from tests.conftest import body, ops
from tests.factories import UserFactory

ADAPTERS = [
    "example_project.directory.adapters.DirectoryUserAdapter",
    "django_scim.adapters.groups.GroupAdapter",
]


@pytest.fixture(autouse=True)
def directory(settings):
    settings.SCIM = {"ADAPTERS": ADAPTERS}


def create(scim, user_name: str, language: str | None, given: str, family: str) -> dict:
    payload = {"userName": user_name, "name": {"givenName": given, "familyName": family}}
    if language is not None:
        payload["preferredLanguage"] = language
    response = scim.post("Users", payload)
    assert response.status_code == 201, body(response)
    return body(response)


def names(scim, **params) -> list[str]:
    response = scim.get("Users", params)
    assert response.status_code == 200, body(response)
    return [r["userName"] for r in body(response)["Resources"]]


@pytest.fixture
def people(scim) -> dict[str, dict]:
    return {
        "ana": create(scim, "ana", "pt-BR", "Ana", "Souza"),
        "bo": create(scim, "bo", "sv", "Bo", "Ek"),
        "cy": create(scim, "cy", None, "Cy", "Adams"),
    }


def test_a_profile_attribute_is_stored_on_the_profile_row(people):
    """RFC 7644 §3.3: the created resource carries what was sent; here it lives in
    the related row, made when the first value arrived."""
    assert people["ana"]["preferredLanguage"] == "pt-BR"
    assert Profile.objects.get(user__username="ana").preferred_language == "pt-BR"
    assert not Profile.objects.filter(user__username="cy").exists()
    assert "preferredLanguage" not in people["cy"]


def test_a_computed_attribute_is_shown(people):
    """RFC 7643 §4.1.1 name.formatted, computed by the mapping from two columns."""
    assert people["ana"]["name"]["formatted"] == "Ana Souza"


def test_a_computed_attribute_ignores_what_a_client_sends(scim):
    """A read-only mapping: the sent value is neither stored nor shown (RFC 7643 §2.2)."""
    created = scim.post(
        "Users", {"userName": "dee", "name": {"givenName": "Dee", "formatted": "Ms Dee X"}}
    )
    assert body(created)["name"]["formatted"] == "Dee"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('preferredLanguage eq "PT-br"', ["ana"]),
        ('preferredLanguage sw "s"', ["bo"]),
        ("preferredLanguage pr", ["ana", "bo"]),
        ('preferredLanguage ne "sv"', ["ana", "cy"]),
        ("not (preferredLanguage pr)", ["cy"]),
        ('name.formatted eq "bo ek"', ["bo"]),
        ('name.formatted co "a"', ["ana", "cy"]),
        ('name[formatted ew "Adams"]', ["cy"]),
    ],
)
def test_custom_mappings_are_filterable(scim, people, text, expected):
    """RFC 7644 §3.4.2.2: filters on both mappings run in the database, case-insensitively
    (neither attribute is caseExact); ``ne`` and ``not`` match a user without a profile."""
    assert sorted(names(scim, filter=text)) == expected


def test_a_profile_attribute_sorts_with_absent_values_last(scim, people):
    """RFC 7644 §3.4.2.3: sortBy a related row's field; absent values last."""
    assert names(scim, sortBy="preferredLanguage") == ["ana", "bo", "cy"]
    assert names(scim, sortBy="preferredLanguage", sortOrder="descending") == ["bo", "ana", "cy"]


def test_a_computed_attribute_sorts(scim, people):
    """RFC 7644 §3.4.2.3: sortBy the computed expression."""
    assert names(scim, sortBy="name.formatted") == ["ana", "bo", "cy"]
    assert names(scim, sortBy="name.formatted", sortOrder="descending") == ["cy", "bo", "ana"]


def test_a_profile_attribute_is_patchable(scim, people):
    """RFC 7644 §3.5.2.3: replace writes the related row; remove unassigns it."""
    location = f"Users/{people['cy']['id']}"
    replaced = scim.patch(
        location, ops({"op": "replace", "path": "preferredLanguage", "value": "fr"})
    )
    assert body(replaced)["preferredLanguage"] == "fr"
    assert Profile.objects.get(user__username="cy").preferred_language == "fr"
    removed = scim.patch(location, ops({"op": "remove", "path": "preferredLanguage"}))
    assert "preferredLanguage" not in body(removed)
    assert names(scim, filter="preferredLanguage pr") == ["ana", "bo"]


def test_a_patch_of_the_profile_changes_the_version(scim, people):
    """RFC 7644 §3.14: a change a client can see gives a new version."""
    location = f"Users/{people['bo']['id']}"
    patched = scim.patch(
        location, ops({"op": "replace", "path": "preferredLanguage", "value": "da"})
    )
    assert body(patched)["meta"]["version"] != people["bo"]["meta"]["version"]


def test_a_profile_attribute_is_replaced_by_put(scim, people):
    """RFC 7644 §3.5.1: PUT replaces every attribute; one left out is unassigned."""
    location = f"Users/{people['ana']['id']}"
    response = scim.put(location, {"userName": "ana", "preferredLanguage": "es"})
    assert body(response)["preferredLanguage"] == "es"
    response = scim.put(location, {"userName": "ana"})
    assert "preferredLanguage" not in body(response)
    assert Profile.objects.get(user__username="ana").preferred_language == ""


def test_custom_mappings_are_projectable(scim, people):
    """RFC 7644 §3.4.2.5: attributes / excludedAttributes apply to them as to any other."""
    only = body(scim.get(f"Users/{people['ana']['id']}", {"attributes": "preferredLanguage"}))
    assert only["preferredLanguage"] == "pt-BR"
    assert "name" not in only and "userName" not in only
    without = body(
        scim.get(f"Users/{people['ana']['id']}", {"excludedAttributes": "preferredLanguage"})
    )
    assert "preferredLanguage" not in without and without["name"]["formatted"] == "Ana Souza"


def test_a_user_made_outside_scim_shows_its_profile(scim, db):
    """A profile written by the site itself is what SCIM shows and searches."""
    user = UserFactory(username="eve", first_name="Eve", last_name="Hall")
    Profile.objects.create(user=user, preferred_language="de")
    assert names(scim, filter='preferredLanguage eq "de"') == ["eve"]
    assert (
        body(scim.get("Users", {"filter": 'userName eq "eve"'}))["Resources"][0][
            "preferredLanguage"
        ]
        == "de"
    )


def test_a_list_reads_profiles_with_the_page(scim, people, django_assert_max_num_queries):
    """The mapping's prefetch joins the profile into the page's query: a list costs the
    same statements however many users it shows."""
    with django_assert_max_num_queries(5):
        scim.get("Users")
