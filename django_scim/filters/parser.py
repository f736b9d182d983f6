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

#: Nesting the parser accepts whatever FILTER_MAX_DEPTH says: each level costs a
#: few stack frames here and in the translator, and Python's stack is finite.
DEPTH_CEILING = 100


def parse_filter(text: str) -> Node:
    if len(text) > scim_settings.FILTER_MAX_LENGTH:
        raise InvalidFilter(
            f"The filter is longer than {scim_settings.FILTER_MAX_LENGTH} characters."
        )
    if not text.strip():
        raise InvalidFilter("The filter is empty.")
    max_depth = min(scim_settings.FILTER_MAX_DEPTH, DEPTH_CEILING)
    return _Parser(tokenize(text), max_depth, scim_settings.FILTER_MAX_CONDITIONS).parse()


class _Parser:
    def __init__(self, tokens: list[Token], max_depth: int, max_conditions: int) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.max_depth = max_depth
        self.conditions = 0
        self.max_conditions = max_conditions

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
        operands = [self._and()]
        while self._is_word("or"):
            self._advance()
            operands.append(self._and())
        return _balanced(Or, operands)

    def _and(self) -> Node:
        operands = [self._not()]
        while self._is_word("and"):
            self._advance()
            operands.append(self._not())
        return _balanced(And, operands)

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
        self.conditions += 1
        if self.conditions > self.max_conditions:
            raise InvalidFilter(f"The filter has more than {self.max_conditions} comparisons.")
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


def _balanced(kind: type[And] | type[Or], operands: list[Node]) -> Node:
    """A chain ``a or b or c ...`` as a balanced tree, in the order written.

    ``and`` and ``or`` are associative, so the shape does not change the
    meaning; a balanced tree keeps a chain of n operands log2(n) deep, so the
    translator and evaluator can walk it recursively however long it is.
    """
    if len(operands) == 1:
        return operands[0]
    middle = len(operands) // 2
    return kind(_balanced(kind, operands[:middle]), _balanced(kind, operands[middle:]))
