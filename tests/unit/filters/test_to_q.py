"""The filter translator on plain data: what it asks of each attribute's storage.

RFC 7644 §3.4.2.2 fixes the grammar and its meaning; where a value is kept is
the storage's business. These tests give the translator a storage whose every
mapping writes down the condition it was asked for as a ``Q`` that reads like
the request (``Q(("userName eq", "bjensen"))``), so each test shows what the
translator resolved — path, implied sub-attribute, typed value, element
scope — without a model or a database.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Q

from django_scim.constants import ENTERPRISE_USER_SCHEMA
from django_scim.errors import InvalidFilter
from django_scim.filters.compare import ALWAYS
from django_scim.filters.parser import parse_filter
from django_scim.filters.to_q import QueryTranslator, Scope
from django_scim.paths import AttributePath
from django_scim.schemas.attributes import Attribute
from tests.unit.engine import USER_TYPE


def _name(path: AttributePath) -> str:
    """The path without its URN (the schema's last part for a whole extension)."""
    return str(path).rsplit(":", 1)[-1] if path.is_extension else str(path)


class Elements(Scope):
    """The inside of a value path: each leaf as ``element.sub op value``."""

    def __init__(self, owner: str) -> None:
        self.owner = owner

    def leaf(self, sub: Attribute, op: str | None, value: Any) -> Q:
        return Q((f"{self.owner}[{sub.name} {op or 'pr'}]", value))


class Recording:
    """A mapping that answers with the condition it was asked for."""

    is_relation = False

    def condition(self, owner: Any, path: AttributePath, target: Attribute, op: Any, value: Any):
        return Q((f"{_name(path)} {op or 'pr'}", value))

    def elements(self, owner: Any, path: AttributePath, build: Any) -> Q:
        return build(Elements(_name(path)))


class Storage:
    """What the translator needs of an adapter: the resource type and its mappings."""

    resource_type = USER_TYPE

    def __init__(self, declared: list[tuple[AttributePath, Any]] | None = None) -> None:
        self.declared = declared or []

    def mapping_for(self, path: AttributePath) -> Recording:
        return Recording()

    def mappings_of(self, schema_id: str) -> list[tuple[AttributePath, Any]]:
        return [(p, m) for p, m in self.declared if p.schema == schema_id]


def translate(text: str, storage: Storage | None = None, across_types: bool = False) -> Q:
    return QueryTranslator(storage or Storage(), across_types).translate(parse_filter(text))


def test_a_comparison_asks_the_mapping_of_its_path():
    """RFC 7644 §3.4.2.2: ``attrPath compareOp compValue``."""
    assert translate('userName eq "bjensen"') == Q(("userName eq", "bjensen"))


def test_attribute_names_resolve_case_insensitively():
    """RFC 7643 §2.1: attribute names are case-insensitive; the canonical one is asked."""
    assert translate('USERNAME Eq "x"') == Q(("userName eq", "x"))


def test_a_sub_attribute_is_asked_by_its_full_path():
    """RFC 7644 §3.10: ``name.familyName`` names a sub-attribute."""
    assert translate('name.familyName sw "J"') == Q(("name.familyName sw", "J"))


def test_an_extension_attribute_is_asked_under_its_schema():
    """RFC 7644 §3.10: URN-qualified names."""
    q = translate(f'{ENTERPRISE_USER_SCHEMA}:department eq "Tour"')
    assert q == Q(("department eq", "Tour"))


def test_present_is_a_condition_without_operator():
    """RFC 7644 §3.4.2.2: ``pr``."""
    assert translate("title pr") == Q(("title pr", None))


def test_values_are_typed_by_the_schema():
    """RFC 7644 §3.4.2.2 with Entra ID's "True" strings: a boolean attribute gets a bool."""
    assert translate('active eq "True"') == Q(("active eq", True))


def test_a_value_of_the_wrong_type_is_invalid_filter():
    with pytest.raises(InvalidFilter):
        translate('active eq "maybe"')


def test_and_or_not_combine_the_leaves():
    """RFC 7644 §3.4.2.2: logical operators and grouping, precedence not > and > or."""
    q = translate('title pr or not (userName eq "a") and active eq true')
    assert q == Q(("title pr", None)) | (~Q(("userName eq", "a")) & Q(("active eq", True)))


def test_a_multi_valued_comparison_applies_to_any_element():
    """RFC 7644 §3.4.2.2: ``emails.value co "x"`` is true when an element's value is."""
    assert translate('emails.value co "@x"') == Q(("emails[value co]", "@x"))


def test_a_complex_attribute_compares_its_value_sub_attribute():
    """RFC 7644 §3.4.2.2: ``emails co "x"`` compares the implied ``value``."""
    assert translate('emails co "@x"') == Q(("emails[value co]", "@x"))


def test_a_value_path_puts_every_leaf_on_one_element():
    """RFC 7644 §3.4.2.2: ``emails[type eq "work" and value co "@x"]`` matches within
    one element."""
    q = translate('emails[type eq "work" and not (value co "@x")]')
    assert q == Q(("emails[type eq]", "work")) & ~Q(("emails[value co]", "@x"))


def test_a_value_path_on_a_singular_complex_attribute_asks_each_sub_attribute():
    """``name[givenName eq "B"]``: the one value is the element, and it must be there."""
    q = translate('name[givenName eq "B"]')
    assert q.children[0] == ("name.givenName eq", "B")
    assert ("name.familyName pr", None) in q.children[1].children


def test_present_on_a_multi_valued_attribute_asks_for_any_element():
    """RFC 7644 §3.4.2.2: ``pr`` on a complex attribute asks for a non-empty value."""
    assert translate("emails pr") == ALWAYS


def test_an_unknown_attribute_is_invalid_filter():
    """RFC 7644 §3.4.2.2: an unknown attribute is 400 invalidFilter."""
    with pytest.raises(InvalidFilter):
        translate('nickname2 eq "x"')


def test_across_types_an_unknown_attribute_matches_nothing():
    """RFC 7644 §3.4.3: a search over every type; a name this type lacks is false here."""
    q = translate('members.value eq "x"', across_types=True)
    assert q == Q(pk__in=[])


def test_a_value_path_cannot_name_a_simple_attribute():
    with pytest.raises(InvalidFilter):
        translate('userName[value eq "x"]')


def test_schemas_eq_an_extension_asks_whether_it_is_carried():
    """RFC 7644 §3.4.2.2's example ``schemas eq "urn:..."``: the extension as a whole, and
    each declared singular attribute of it, present."""
    department = AttributePath(
        ENTERPRISE_USER_SCHEMA,
        USER_TYPE.schema_by_id(ENTERPRISE_USER_SCHEMA).attribute("department"),
        None,
        True,
    )
    q = translate(f'schemas eq "{ENTERPRISE_USER_SCHEMA}"', Storage([(department, Recording())]))
    assert q == Q(("User pr", None)) | Q(("department pr", None))
