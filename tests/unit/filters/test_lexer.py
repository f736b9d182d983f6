"""The filter lexer: the tokens of RFC 7644 §3.4.2.2 (Figure 1), each with its position.

Tokens are ``(`` ``)`` ``[`` ``]``, words (attribute paths, operators,
``and``/``or``/``not``, ``true``/``false``/``null``), JSON strings
(RFC 7159 §7, escapes decoded) and JSON numbers. Positions are offsets into
the filter text, so error messages can point at the problem.
"""

from __future__ import annotations

import pytest

from django_scim.errors import InvalidFilter
from django_scim.filters.lexer import Token, tokenize


def kinds(text: str) -> list[str]:
    return [token.kind for token in tokenize(text)]


def texts(text: str) -> list[str]:
    return [token.text for token in tokenize(text)]


def test_simple_comparison():
    tokens = tokenize('userName eq "bjensen"')
    assert tokens == [
        Token("word", "userName", 0),
        Token("word", "eq", 9),
        Token("string", '"bjensen"', 12, "bjensen"),
        Token("end", "", 21),
    ]


def test_the_end_token_is_always_last_and_sits_at_the_length():
    text = "title pr   "
    tokens = tokenize(text)
    assert tokens[-1] == Token("end", "", len(text))


def test_whitespace_of_every_kind_separates_tokens():
    assert texts('title\tpr\nand\r\nuserType  eq "x"') == [
        "title",
        "pr",
        "and",
        "userType",
        "eq",
        '"x"',
        "",
    ]


def test_punctuation_tokens():
    assert kinds('(emails[type eq "work"])') == [
        "(",
        "word",
        "[",
        "word",
        "word",
        "string",
        "]",
        ")",
        "end",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "userName",
        "name.familyName",
        "urn:ietf:params:scim:schemas:core:2.0:User:userName",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        "members.$ref",
        "$ref",
        "x509Certificates.value",
        "my-attr_1",
    ],
)
def test_an_attribute_path_is_one_word(path):
    tokens = tokenize(f"{path} pr")
    assert tokens[0] == Token("word", path, 0)
    assert tokens[1] == Token("word", "pr", len(path) + 1)


def test_sub_attribute_after_a_value_path_is_its_own_word():
    """``emails[type eq "work"].value`` (RFC 7644 §3.5.2 path form, as Entra ID sends it)."""
    tokens = tokenize('emails[type eq "work"].value eq "x"')
    assert [t.kind for t in tokens] == [
        "word",
        "[",
        "word",
        "word",
        "string",
        "]",
        "word",
        "word",
        "string",
        "end",
    ]
    assert tokens[6] == Token("word", ".value", 22)


def test_a_dot_after_a_value_path_needs_a_name():
    # The name was expected right after the dot (offset 22), at offset 23.
    with pytest.raises(InvalidFilter, match="Expected a sub-attribute name at position 23"):
        tokenize('emails[type eq "work"]. eq "x"')


def test_a_dot_elsewhere_is_unexpected():
    with pytest.raises(InvalidFilter, match=r"Unexpected character '\.' at position 6"):
        tokenize("title .value pr")


# -- strings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ('""', ""),
        ('"bjensen"', "bjensen"),
        ('"O\'Malley"', "O'Malley"),
        (r'"say \"hi\""', 'say "hi"'),
        (r'"back\\slash"', "back\\slash"),
        (r'"a\/b"', "a/b"),
        (r'"tab\tnew\nline"', "tab\tnew\nline"),
        (r'"\u00e9t\u00E9"', "été"),
        (r'"\ud83d\ude00"', "\U0001f600"),
        ('"100%_off"', "100%_off"),
        ('"a.b*c+(d)?[e]^$|{2}"', "a.b*c+(d)?[e]^$|{2}"),
        ('"and or not pr eq"', "and or not pr eq"),
        ('"été"', "été"),
    ],
)
def test_strings_are_json_strings_with_escapes_decoded(literal, value):
    tokens = tokenize(f"title eq {literal}")
    assert tokens[2] == Token("string", literal, 9, value)


def test_string_contents_are_not_tokenised():
    """Brackets, parentheses and keywords inside quotes are data."""
    assert kinds('title eq "(a] and [b)"') == ["word", "word", "string", "end"]


def test_unterminated_string_reports_its_start():
    with pytest.raises(InvalidFilter, match="Unterminated or malformed string at position 12"):
        tokenize('userName eq "bjensen')


@pytest.mark.parametrize(
    "literal",
    [
        r'"bad \x escape"',
        r'"short \u12"',
        '"raw\x01control"',
        '"raw\nnewline"',
    ],
)
def test_malformed_strings_are_invalid(literal):
    with pytest.raises(InvalidFilter, match="malformed string"):
        tokenize(f"title eq {literal}")


def test_single_quotes_do_not_delimit_strings():
    with pytest.raises(InvalidFilter, match='Unexpected character "\'"'):
        tokenize("userName eq 'bjensen'")


@pytest.mark.parametrize("literal", [r'"\ud800"', r'"\udc00x"', r'"a\ud83d"'])
def test_a_lone_surrogate_escape_is_an_invalid_filter(literal):
    """It matches the string pattern but decodes to no text: invalidFilter, never a 500."""
    with pytest.raises(InvalidFilter, match="Invalid string escape at position 12"):
        tokenize(f"userName eq {literal}")


# -- numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("3.25", 3.25),
        ("-0.5", -0.5),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
    ],
)
def test_numbers_are_json_numbers(literal, value):
    token = tokenize(f"x eq {literal}")[2]
    assert token.kind == "number"
    assert token.value == value
    assert type(token.value) is type(value)


@pytest.mark.parametrize("literal", ["-", "-x", "12abc", "1e5x"])
def test_malformed_numbers(literal):
    with pytest.raises(InvalidFilter, match="Malformed number at position 5"):
        tokenize(f"x eq {literal}")


def test_a_number_may_be_followed_by_a_parenthesis():
    assert kinds("(x eq 1)") == ["(", "word", "word", "number", ")", "end"]


# -- words and characters ------------------------------------------------------


@pytest.mark.parametrize("word", ["true", "False", "NULL", "and", "OR", "Not", "pr", "EQ"])
def test_keywords_and_literals_are_plain_words(word):
    """Meaning (case-insensitive) is decided by the parser, not the lexer."""
    assert tokenize(word)[0] == Token("word", word, 0)


@pytest.mark.parametrize(
    ("text", "char", "position"),
    [
        ('userName eq "x" & title pr', "&", 16),
        ("userName == 1", "=", 9),
        ("title pr;", ";", 8),
        ("é pr", "é", 0),
        ("{title} pr", "{", 0),
    ],
)
def test_unexpected_characters_are_named_with_their_position(text, char, position):
    with pytest.raises(InvalidFilter) as caught:
        tokenize(text)
    assert f"Unexpected character {char!r} at position {position}" in str(caught.value.detail)


def test_attribute_names_cannot_start_with_a_digit():
    with pytest.raises(InvalidFilter, match="Malformed number"):
        tokenize("9lives pr")


def test_empty_text_is_just_the_end():
    assert tokenize("") == [Token("end", "", 0)]
