"""Tokens of the filter grammar, each with its position for error messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django_scim import jsoncodec
from django_scim.errors import InvalidFilter


@dataclass(frozen=True)
class Token:
    kind: str  # "(" ")" "[" "]" "word" "string" "number" "end"
    text: str
    position: int
    value: Any = None


_WORD = re.compile(r"[A-Za-z$][A-Za-z0-9_$:.\-]*")
_SUB_ATTRIBUTE = re.compile(r"\.[A-Za-z$][A-Za-z0-9_$\-]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"')
_SPACE = re.compile(r"[ \t\r\n]+")
_PUNCT = "()[]"


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        match = _SPACE.match(text, position)
        if match:
            position = match.end()
        elif char in _PUNCT:
            tokens.append(Token(char, char, position))
            position += 1
        elif char == '"':
            position = _string(text, position, tokens)
        elif char == "-" or char.isdigit():
            position = _number(text, position, tokens)
        elif char == "." and tokens and tokens[-1].kind == "]":
            match = _SUB_ATTRIBUTE.match(text, position)
            if not match:
                raise InvalidFilter(f"Expected a sub-attribute name at position {position + 1}.")
            tokens.append(Token("word", match.group(), position))
            position = match.end()
        elif match := _WORD.match(text, position):
            tokens.append(Token("word", match.group(), position))
            position = match.end()
        else:
            raise InvalidFilter(f"Unexpected character {char!r} at position {position}.")
    tokens.append(Token("end", "", len(text)))
    return tokens


def _string(text: str, position: int, tokens: list[Token]) -> int:
    match = _STRING.match(text, position)
    if not match:
        raise InvalidFilter(f"Unterminated or malformed string at position {position}.")
    raw = match.group()
    try:
        value = jsoncodec.loads(raw)
    except jsoncodec.JSONDecodeError:  # e.g. a lone UTF-16 surrogate escape
        raise InvalidFilter(f"Invalid string escape at position {position}.") from None
    if "\x00" in value:  # no stored text can contain NUL, and PostgreSQL refuses it
        raise InvalidFilter(f"A NUL character in the string at position {position}.")
    tokens.append(Token("string", raw, position, value))
    return match.end()


def _number(text: str, position: int, tokens: list[Token]) -> int:
    match = _NUMBER.match(text, position)
    if not match or (match.end() < len(text) and _WORD.match(text, match.end())):
        raise InvalidFilter(f"Malformed number at position {position}.")
    raw = match.group()
    value: int | float = float(raw) if any(c in raw for c in ".eE") else int(raw)
    tokens.append(Token("number", raw, position, value))
    return match.end()
