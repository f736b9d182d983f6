"""Attribute characteristics (RFC 7643 §2.2-§2.4, §7)."""

from __future__ import annotations

from enum import Enum


class AttributeType(str, Enum):
    STRING = "string"
    BOOLEAN = "boolean"
    DECIMAL = "decimal"
    INTEGER = "integer"
    DATETIME = "dateTime"
    BINARY = "binary"
    REFERENCE = "reference"
    COMPLEX = "complex"


class Mutability(str, Enum):
    READ_ONLY = "readOnly"
    READ_WRITE = "readWrite"
    IMMUTABLE = "immutable"
    WRITE_ONLY = "writeOnly"


class Returned(str, Enum):
    ALWAYS = "always"
    NEVER = "never"
    DEFAULT = "default"
    REQUEST = "request"


class Uniqueness(str, Enum):
    NONE = "none"
    SERVER = "server"
    GLOBAL = "global"
