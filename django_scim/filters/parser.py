"""Recursive-descent parser for RFC 7644 §3.4.2.2 (Figure 1): ``not`` > ``and`` > ``or``.

Also accepted, because Entra ID sends it (RFC 7644 §3.5.2 path grammar in a
filter): ``emails[type eq "work"].value eq "x"``, read as
``emails[type eq "work" and value eq "x"]``.
"""

from __future__ import annotations

from django_scim.conf import scim_settings
from django_scim.errors import InvalidFilter
from django_scim.filters.ast import (
    COMPARE_OPS,
    And,
    AttrRef,
    Compare,
    Node,
    Not,
    Or,
    Present,
    ValuePath,
)
from django_scim.filters.lexer import Token, tokenize

_LITERALS = {"true": True, "false": False, "null": None}


def parse_filter(text: str) -> Node:
    if len(text) > scim_settings.FILTER_MAX_LENGTH:
        raise InvalidFilter(
            f"The filter is longer than {scim_settings.FILTER_MAX_LENGTH} characters."
        )
    if not text.strip():
        raise InvalidFilter("The filter is empty.")
    return _Parser(tokenize(text), scim_settings.FILTER_MAX_DEPTH).parse()


class _Parser:
    def __init__(self, tokens: list[Token], max_depth: int) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.max_depth = max_depth

    # -- token helpers ---------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def _advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _is_word(self, *words: str) -> bool:
        return self.current.kind == "word" and self.current.text.lower() in words

    def _expect(self, kind: str, what: str) -> Token:
        if self.current.kind != kind:
            raise self._error(f"expected {what}")
        return self._advance()

    def _error(self, message: str) -> InvalidFilter:
        token = self.current
        found = "end of filter" if token.kind == "end" else repr(token.text)
        return InvalidFilter(
            f"Invalid filter at position {token.position}: {message}, found {found}."
        )

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise InvalidFilter(f"The filter is nested deeper than {self.max_depth} levels.")

    # -- grammar ---------------------------------------------------------------

    def parse(self) -> Node:
        node = self._or()
        if self.current.kind != "end":
            raise self._error("expected 'and', 'or' or the end of the filter")
        return node

    def _or(self) -> Node:
        node = self._and()
        while self._is_word("or"):
            self._advance()
            node = Or(node, self._and())
        return node

    def _and(self) -> Node:
        node = self._not()
        while self._is_word("and"):
            self._advance()
            node = And(node, self._not())
        return node

    def _not(self) -> Node:
        if self._is_word("not") and self.tokens[self.index + 1].kind == "(":
            self._advance()
            return Not(self._group())
        return self._atom()

    def _group(self) -> Node:
        self._expect("(", "'('")
        self._enter()
        node = self._or()
        self._expect(")", "')'")
        self.depth -= 1
        return node

    def _atom(self) -> Node:
        if self.current.kind == "(":
            return self._group()
        if self.current.kind != "word" or self.current.text.lower() in ("and", "or", "not"):
            raise self._error("expected an attribute name or '('")
        token = self._advance()
        path = AttrRef(token.text, token.position)
        if self.current.kind == "[":
            return self._value_path(path)
        return self._condition(path)

    def _value_path(self, path: AttrRef) -> Node:
        self._advance()
        self._enter()
        inner = self._or()
        self._expect("]", "']'")
        self.depth -= 1
        if self.current.kind == "word" and self.current.text.startswith("."):
            sub = self._advance()
            inner = And(inner, self._condition(AttrRef(sub.text[1:], sub.position + 1)))
        return ValuePath(path, inner)

    def _condition(self, path: AttrRef) -> Node:
        if self.current.kind != "word":
            raise self._error("expected an operator")
        op = self.current.text.lower()
        if op == "pr":
            self._advance()
            return Present(path)
        if op not in COMPARE_OPS:
            raise self._error("expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)")
        self._advance()
        return Compare(path, op, self._value())

    def _value(self) -> object:
        token = self.current
        if token.kind in ("string", "number"):
            self._advance()
            return token.value
        if token.kind == "word" and token.text.lower() in _LITERALS:
            self._advance()
            return _LITERALS[token.text.lower()]
        raise self._error("expected a value (a quoted string, number, true, false or null)")
