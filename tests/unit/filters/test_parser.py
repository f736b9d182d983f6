"""The filter parser: RFC 7644 §3.4.2.2, Figure 1 (ABNF), into the shared AST.

Precedence, from the RFC's "order of operations": grouping ``( )`` and value
paths ``[ ]`` first, then ``not``, then ``and``, then ``or``; ``and`` and
``or`` associate to the left. Operators, ``and``/``or``/``not`` and the
literals ``true``/``false``/``null`` are case-insensitive. The parser keeps
attribute paths as written (resolution is the translator's job) and reports
errors with the offset where it gave up.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from django_scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from django_scim.errors import InvalidFilter
from django_scim.filters.ast import (
    And,
    AttrRef,
    Compare,
    Not,
    Or,
    Present,
    ValuePath,
    attribute_refs,
)
from django_scim.filters.parser import parse_filter


def shape(node: Any) -> Any:
    """The AST without positions, as nested tuples (easier to read in expectations)."""
    if isinstance(node, Compare):
        return (node.op, node.path.text, node.value)
    if isinstance(node, Present):
        return ("pr", node.path.text)
    if isinstance(node, And):
        return ("and", shape(node.left), shape(node.right))
    if isinstance(node, Or):
        return ("or", shape(node.left), shape(node.right))
    if isinstance(node, Not):
        return ("not", shape(node.expr))
    if isinstance(node, ValuePath):
        return ("[]", node.path.text, shape(node.filter))
    raise AssertionError(f"not an AST node: {node!r}")


def parsed(text: str) -> Any:
    return shape(parse_filter(text))


def error_of(text: str) -> str:
    with pytest.raises(InvalidFilter) as caught:
        parse_filter(text)
    return str(caught.value.detail)


# -- every example filter of RFC 7644 §3.4.2.2 ------------------------------------

LAST_MODIFIED = "2011-05-13T04:42:34Z"

RFC_EXAMPLES = [
    ('userName eq "bjensen"', ("eq", "userName", "bjensen")),
    ('name.familyName co "O\'Malley"', ("co", "name.familyName", "O'Malley")),
    ('userName sw "J"', ("sw", "userName", "J")),
    (f'{USER_SCHEMA}:userName sw "J"', ("sw", f"{USER_SCHEMA}:userName", "J")),
    ("title pr", ("pr", "title")),
    (f'meta.lastModified gt "{LAST_MODIFIED}"', ("gt", "meta.lastModified", LAST_MODIFIED)),
    (f'meta.lastModified ge "{LAST_MODIFIED}"', ("ge", "meta.lastModified", LAST_MODIFIED)),
    (f'meta.lastModified lt "{LAST_MODIFIED}"', ("lt", "meta.lastModified", LAST_MODIFIED)),
    (f'meta.lastModified le "{LAST_MODIFIED}"', ("le", "meta.lastModified", LAST_MODIFIED)),
    (
        'title pr and userType eq "Employee"',
        ("and", ("pr", "title"), ("eq", "userType", "Employee")),
    ),
    (
        'title pr or userType eq "Intern"',
        ("or", ("pr", "title"), ("eq", "userType", "Intern")),
    ),
    (f'schemas eq "{ENTERPRISE_USER_SCHEMA}"', ("eq", "schemas", ENTERPRISE_USER_SCHEMA)),
    (
        'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
        (
            "and",
            ("eq", "userType", "Employee"),
            ("or", ("co", "emails", "example.com"), ("co", "emails.value", "example.org")),
        ),
    ),
    (
        'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
        (
            "and",
            ("ne", "userType", "Employee"),
            ("not", ("or", ("co", "emails", "example.com"), ("co", "emails.value", "example.org"))),
        ),
    ),
    (
        'userType eq "Employee" and (emails.type eq "work")',
        ("and", ("eq", "userType", "Employee"), ("eq", "emails.type", "work")),
    ),
    (
        'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
        (
            "and",
            ("eq", "userType", "Employee"),
            ("[]", "emails", ("and", ("eq", "type", "work"), ("co", "value", "@example.com"))),
        ),
    ),
    (
        'emails[type eq "work" and value co "@example.com"] or '
        'ims[type eq "xmpp" and value co "@foo.com"]',
        (
            "or",
            ("[]", "emails", ("and", ("eq", "type", "work"), ("co", "value", "@example.com"))),
            ("[]", "ims", ("and", ("eq", "type", "xmpp"), ("co", "value", "@foo.com"))),
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), RFC_EXAMPLES, ids=[t for t, _ in RFC_EXAMPLES])
def test_rfc_7644_example_filters(text, expected):
    assert parsed(text) == expected


def test_the_rfc_request_example_with_mixed_case_operator():
    """RFC 7644 §3.4.2.2 shows ``userName Eq "john"``: operators are case-insensitive."""
    assert parsed('userName Eq "john"') == ("eq", "userName", "john")


# -- nodes and positions ----------------------------------------------------------


def test_attribute_references_keep_text_and_position():
    node = parse_filter('title pr and userType eq "Employee"')
    assert node == And(
        Present(AttrRef("title", 0)), Compare(AttrRef("userType", 13), "eq", "Employee")
    )


def test_value_path_positions():
    node = parse_filter('emails[type eq "work"]')
    assert node == ValuePath(AttrRef("emails", 0), Compare(AttrRef("type", 7), "eq", "work"))


@pytest.mark.parametrize("op", ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"])
def test_every_comparison_operator(op):
    assert parsed(f'title {op} "x"') == (op, "title", "x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('userName EQ "x"', ("eq", "userName", "x")),
        ('userName nE "x"', ("ne", "userName", "x")),
        ("title PR", ("pr", "title")),
        ("title Pr", ("pr", "title")),
        ("a pr AND b pr", ("and", ("pr", "a"), ("pr", "b"))),
        ("a pr Or b pr", ("or", ("pr", "a"), ("pr", "b"))),
        ("NOT (a pr)", ("not", ("pr", "a"))),
    ],
)
def test_operators_and_keywords_are_case_insensitive(text, expected):
    assert parsed(text) == expected


def test_attribute_names_are_kept_as_written():
    assert parsed('USERNAME eq "x"') == ("eq", "USERNAME", "x")


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("true", True),
        ("false", False),
        ("True", True),
        ("FALSE", False),
        ("null", None),
        ("Null", None),
        ("42", 42),
        ("-1.5", -1.5),
        ('"true"', "true"),
        ('"null"', "null"),
    ],
)
def test_literal_values(literal, value):
    node = parse_filter(f"x eq {literal}")
    assert isinstance(node, Compare)
    assert node.value == value
    assert type(node.value) is type(value)


def test_no_space_is_needed_around_parentheses_and_brackets():
    assert parsed('(a pr)and(emails[type eq "x"])') == (
        "and",
        ("pr", "a"),
        ("[]", "emails", ("eq", "type", "x")),
    )


# -- precedence and grouping ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a pr or b pr and c pr", ("or", ("pr", "a"), ("and", ("pr", "b"), ("pr", "c")))),
        ("a pr and b pr or c pr", ("or", ("and", ("pr", "a"), ("pr", "b")), ("pr", "c"))),
        (
            "a pr and b pr or c pr and d pr",
            ("or", ("and", ("pr", "a"), ("pr", "b")), ("and", ("pr", "c"), ("pr", "d"))),
        ),
        ("not (a pr) and b pr", ("and", ("not", ("pr", "a")), ("pr", "b"))),
        ("a pr and not (b pr)", ("and", ("pr", "a"), ("not", ("pr", "b")))),
        ("not (a pr) or b pr", ("or", ("not", ("pr", "a")), ("pr", "b"))),
        ("not (a pr or b pr)", ("not", ("or", ("pr", "a"), ("pr", "b")))),
        ("not (not (a pr))", ("not", ("not", ("pr", "a")))),
    ],
)
def test_precedence_not_over_and_over_or(text, expected):
    assert parsed(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a pr and b pr and c pr", ("and", ("pr", "a"), ("and", ("pr", "b"), ("pr", "c")))),
        ("a pr or b pr or c pr", ("or", ("pr", "a"), ("or", ("pr", "b"), ("pr", "c")))),
    ],
)
def test_chains_keep_their_operands_in_order(text, expected):
    """``and``/``or`` are associative; a chain becomes a balanced tree, in written order."""
    assert parsed(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(a pr or b pr) and c pr", ("and", ("or", ("pr", "a"), ("pr", "b")), ("pr", "c"))),
        ("a pr and (b pr or c pr)", ("and", ("pr", "a"), ("or", ("pr", "b"), ("pr", "c")))),
        ("((a pr))", ("pr", "a")),
        ("(a pr) or ((b pr) and (c pr))", ("or", ("pr", "a"), ("and", ("pr", "b"), ("pr", "c")))),
    ],
)
def test_parentheses_group(text, expected):
    assert parsed(text) == expected


# -- value paths -----------------------------------------------------------------


def test_value_path_inner_filter_has_its_own_precedence():
    assert parsed('emails[type eq "a" or type eq "b" and value pr]') == (
        "[]",
        "emails",
        ("or", ("eq", "type", "a"), ("and", ("eq", "type", "b"), ("pr", "value"))),
    )


def test_value_path_inner_not_and_grouping():
    assert parsed('emails[not (type eq "work") and (value pr)]') == (
        "[]",
        "emails",
        ("and", ("not", ("eq", "type", "work")), ("pr", "value")),
    )


def test_value_path_binds_tighter_than_and():
    assert parsed('emails[type eq "work"] and title pr') == (
        "and",
        ("[]", "emails", ("eq", "type", "work")),
        ("pr", "title"),
    )


def test_value_path_under_not():
    assert parsed('not (emails[type eq "work"])') == (
        "not",
        ("[]", "emails", ("eq", "type", "work")),
    )


def test_urn_qualified_value_path():
    assert parsed(f'{USER_SCHEMA}:emails[type eq "work"]') == (
        "[]",
        f"{USER_SCHEMA}:emails",
        ("eq", "type", "work"),
    )


def test_entra_value_path_with_sub_attribute():
    """``emails[type eq "work"].value eq "x"`` means ``emails[type eq "work" and value eq "x"]``.

    Entra ID sends the RFC 7644 §3.5.2 path form in filters.
    """
    assert parsed('emails[type eq "work"].value eq "x"') == (
        "[]",
        "emails",
        ("and", ("eq", "type", "work"), ("eq", "value", "x")),
    )


def test_entra_value_path_sub_attribute_position():
    node = parse_filter('emails[type eq "work"].value eq "x"')
    assert isinstance(node, ValuePath)
    assert isinstance(node.filter, And)
    assert node.filter.right == Compare(AttrRef("value", 23), "eq", "x")


def test_entra_value_path_keeps_the_inner_or_together():
    assert parsed('emails[type eq "work" or type eq "home"].value pr') == (
        "[]",
        "emails",
        ("and", ("or", ("eq", "type", "work"), ("eq", "type", "home")), ("pr", "value")),
    )


def test_entra_value_path_combines_with_and():
    assert parsed('emails[type eq "work"].value eq "x" and active eq true') == (
        "and",
        ("[]", "emails", ("and", ("eq", "type", "work"), ("eq", "value", "x"))),
        ("eq", "active", True),
    )


def test_nested_value_paths_parse_but_are_rejected_by_translation():
    """The grammar does not forbid ``a[b[...]]``; the translator and evaluator do."""
    assert parsed('emails[value[type eq "x"]]') == (
        "[]",
        "emails",
        ("[]", "value", ("eq", "type", "x")),
    )


# -- attribute_refs ----------------------------------------------------------------


def test_attribute_refs_lists_top_level_paths_only():
    node = parse_filter('a pr and (emails[type eq "x"] or not (b eq 1))')
    assert [ref.text for ref in attribute_refs(node)] == ["a", "emails", "b"]


# -- errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "userName eq",
            "position 11: expected a value (a quoted string, number, true, false or "
            "null), found end of filter",
        ),
        ("userName eq bjensen", "position 12: expected a value"),
        ("userName eq )", "position 12: expected a value"),
        (
            'userName xx "y"',
            "position 9: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr), found 'xx'",
        ),
        ('userName "x"', "position 9: expected an operator, found '\"x\"'"),
        ("userName", "position 8: expected an operator, found end of filter"),
        ("(userName pr", "position 12: expected ')', found end of filter"),
        ("userName pr)", "position 11: expected 'and', 'or' or the end of the filter, found ')'"),
        (
            'userName eq "a" userName eq "b"',
            "position 16: expected 'and', 'or' or the end of the filter, found 'userName'",
        ),
        ("title pr pr", "position 9: expected 'and', 'or' or the end of the filter, found 'pr'"),
        ('emails[type eq "work"', "position 21: expected ']', found end of filter"),
        ('emails[type eq "work")', "position 21: expected ']', found ')'"),
        ("emails[]", "position 7: expected an attribute name or '('"),
        ('emails[type eq "work"].value', "position 28: expected an operator, found end of filter"),
        ("not userName pr", "position 0: expected an attribute name or '(', found 'not'"),
        ("and title pr", "position 0: expected an attribute name or '(', found 'and'"),
        ("title pr and", "position 12: expected an attribute name or '(', found end of filter"),
        ("title pr or or x pr", "position 12: expected an attribute name or '(', found 'or'"),
        ("title pr and not", "position 13: expected an attribute name or '(', found 'not'"),
        ("()", "position 1: expected an attribute name or '(', found ')'"),
        ('"x" eq userName', "position 0: expected an attribute name or '('"),
        ("[type eq 1]", "position 0: expected an attribute name or '('"),
    ],
)
def test_syntax_errors_name_the_position_and_the_problem(text, message):
    assert message in error_of(text)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_an_empty_filter_is_invalid(text):
    assert error_of(text) == "The filter is empty."


def test_lexer_errors_surface_from_parse_filter():
    assert "Unexpected character '&' at position 16" in error_of('userName eq "x" & title pr')


# -- limits -----------------------------------------------------------------------


def nested(depth: int) -> str:
    return "(" * depth + 'userName eq "x"' + ")" * depth


@override_settings(SCIM={"FILTER_MAX_LENGTH": 20})
def test_max_length_is_inclusive():
    parse_filter('userName eq "123456"')  # 20 characters
    assert error_of('userName eq "1234567"') == "The filter is longer than 20 characters."


def test_default_depth_limit_allows_16_levels():
    assert parsed(nested(16)) == ("eq", "userName", "x")
    assert error_of(nested(17)) == "The filter is nested deeper than 16 levels."


@override_settings(SCIM={"FILTER_MAX_DEPTH": 3})
def test_max_depth_counts_parentheses_not_and_value_paths():
    parse_filter(nested(3))
    parse_filter("not (not (not (title pr)))")
    parse_filter('((emails[type eq "x"]))')
    assert "deeper than 3" in error_of(nested(4))
    assert "deeper than 3" in error_of("not (not (not (not (title pr))))")
    assert "deeper than 3" in error_of('(((emails[type eq "x"])))')


@override_settings(SCIM={"FILTER_MAX_DEPTH": 1})
def test_sibling_groups_do_not_add_up():
    parse_filter("(a pr) and (b pr) or (c pr)")


def test_ten_thousand_parentheses_are_an_invalid_filter_not_a_recursion_error():
    with pytest.raises(InvalidFilter):
        parse_filter(nested(10_000))


@override_settings(SCIM={"FILTER_MAX_LENGTH": 100_000})
def test_ten_thousand_parentheses_hit_the_depth_limit_before_recursing():
    assert "deeper than 16" in error_of(nested(10_000))
    assert "deeper than 16" in error_of("emails[" * 10_000)


@override_settings(SCIM={"FILTER_MAX_LENGTH": 100_000, "FILTER_MAX_CONDITIONS": 10_000})
def test_long_and_or_chains_parse_without_recursion():
    """``and``/``or`` chains are parsed iteratively: a long flat chain is not "deep"."""
    text = " or ".join(["title pr and userName pr"] * 2_000)
    node = parse_filter(text)
    assert isinstance(node, Or)

    def depth(node) -> int:
        children = [getattr(node, side) for side in ("left", "right") if hasattr(node, side)]
        return 1 + max((depth(child) for child in children), default=0)

    assert depth(node) <= 14  # balanced: log2(4000) + 1


def test_the_number_of_comparisons_is_limited():
    """FILTER_MAX_CONDITIONS (default 200) bounds the SQL a filter can produce."""
    assert parse_filter(" or ".join(["title pr"] * 200))
    assert "more than 200 comparisons" in error_of(" or ".join(["title pr"] * 201))
