"""Request payloads checked against the schema (RFC 7643 §2, §7; RFC 7644 §3.3, §3.5.1).

The result is a normalised SCIM dict: canonical attribute names, typed values
("True"/"False" strings become booleans, as Entra ID sends them), extension
attributes nested under their schema URN, read-only attributes and nulls
dropped. Adapters only ever see that shape.

Leniencies, each chosen because real clients send it:
- unknown attributes and unknown schema URNs are ignored (Entra's misspelled
  enterprise URN, vendor extensions), not rejected;
- a complex value where a list is expected is taken as a one-element list
  (OneLogin sends ``emails`` as an object);
- ``null`` and ``""`` mean "unassigned" (RFC 7644 §3.5.1; Entra sends nulls);
- more than one ``primary: true`` keeps the first (RFC 7643 §2.4 allows one).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from django_scim import dialects
from django_scim.errors import InvalidSyntax, InvalidValue, Mutability, SCIMError
from django_scim.paths import UnknownAttribute, parse_path
from django_scim.schemas.attributes import Attribute, Schema
from django_scim.schemas.characteristics import AttributeType
from django_scim.schemas.characteristics import Mutability as M
from django_scim.schemas.registry import ResourceType

_IGNORED_TOP_LEVEL = frozenset({"schemas", "id", "meta"})
_BOOLEAN_STRINGS = {"true": True, "false": False}


def validate_resource(
    data: Any, resource_type: ResourceType, missing: type[SCIMError] = InvalidValue
) -> dict[str, Any]:
    """Validate a POST or PUT body; return the normalised SCIM dict (without id/meta/schemas).

    ``missing`` is the error for an absent required attribute: invalidValue in a
    body, mutability when a PATCH removed it (RFC 7644 §3.5.2.2).
    """
    if not isinstance(data, dict):
        raise InvalidSyntax("The request body must be a JSON object.")
    _check_schemas_member(data.get("schemas"))
    result: dict[str, Any] = {}
    for key, value in data.items():
        if key.lower() in _IGNORED_TOP_LEVEL:
            continue
        _take(result, key, value, resource_type)
    for schema in resource_type.schemas:
        _check_required(result, schema, resource_type, missing)
    return result


def _check_schemas_member(schemas: Any) -> None:
    if schemas is None:
        return
    if not isinstance(schemas, list) or not all(isinstance(item, str) for item in schemas):
        raise InvalidSyntax("'schemas' must be a list of schema URNs.")


def _take(result: dict[str, Any], key: str, value: Any, resource_type: ResourceType) -> None:
    """Validate one top-level member of the body into ``result``."""
    extension = resource_type.extension_by_id(key)
    if extension is not None:
        if value is None:
            return
        if not isinstance(value, dict):
            raise InvalidValue(f"'{extension.id}' must be an object.")
        for sub_key, sub_value in value.items():
            _take(result, f"{extension.id}:{sub_key}", sub_value, resource_type)
        return
    try:
        path = parse_path(key, resource_type)
    except UnknownAttribute:
        return
    if path.attribute is None or path.attribute.read_only:
        return
    if path.sub_attribute is not None:
        value = {path.sub_attribute.name: value}
    normalised = validate_value(path.attribute, value, str(path))
    if normalised is None:
        return
    holder = path.container(result, create=True)
    assert holder is not None
    existing = holder.get(path.attribute.name)
    if isinstance(existing, dict) and isinstance(normalised, dict):
        existing.update(normalised)
    else:
        holder[path.attribute.name] = normalised


def _check_required(
    result: dict[str, Any], schema: Schema, resource_type: ResourceType, missing: type[SCIMError]
) -> None:
    is_core = schema is resource_type.schema
    if not is_core and schema.id not in result:
        return
    holder = result if is_core else result[schema.id]
    for attribute in schema:
        if attribute.required and holder.get(attribute.name) in (None, "", []):
            raise missing(f"Attribute '{attribute.name}' is required.")


def validate_value(attribute: Attribute, value: Any, where: str) -> Any:
    """Check and normalise one attribute value; None means unassigned."""
    if value is None:
        return None
    if not attribute.multi_valued:
        return _single(attribute, value, where)
    if isinstance(value, dict) and attribute.is_complex:
        value = [value]
    if not isinstance(value, list):
        raise InvalidValue(f"Attribute '{where}' must be a list.")
    items = [_single(attribute, item, where) for item in value]
    items = [item for item in items if item not in (None, {})]
    return _one_primary(items) if attribute.is_complex else items


def _one_primary(items: list[Any]) -> list[Any]:
    seen = False
    for item in items:
        if item.get("primary") is True:
            if seen:
                item["primary"] = False
            seen = True
    return items


def _single(attribute: Attribute, value: Any, where: str) -> Any:
    value = dialects.bare_value(attribute, value)
    if value is None:
        return None
    if attribute.is_complex:
        return _complex(attribute, value, where)
    checker = _CHECKERS[attribute.type]
    return checker(value, where)


def _complex(attribute: Attribute, value: Any, where: str) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        raise InvalidValue(f"Attribute '{where}' must be an object.")
    result: dict[str, Any] = {}
    for key, sub_value in value.items():
        sub = attribute.sub_attribute(key)
        if sub is None or sub.mutability is M.READ_ONLY:
            continue
        normalised = _single(sub, sub_value, f"{where}.{sub.name}")
        if normalised is not None:
            result[sub.name] = normalised
    return result or None


def _string(value: Any, where: str) -> str | None:
    if not isinstance(value, str):
        raise InvalidValue(f"Attribute '{where}' must be a string.")
    if "\x00" in value:
        # No database text type stores NUL (PostgreSQL refuses it outright).
        raise InvalidValue(f"Attribute '{where}' must not contain a NUL character.")
    return value or None


def _boolean(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEAN_STRINGS:
        return _BOOLEAN_STRINGS[value.strip().lower()]
    raise InvalidValue(f"Attribute '{where}' must be a boolean.")


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"Attribute '{where}' must be an integer.")
    return value


def _decimal(value: Any, where: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValue(f"Attribute '{where}' must be a number.")
    return value


def parse_datetime(value: str) -> datetime | None:
    """RFC 3339 / xsd:dateTime with a 'Z' allowed on every Python we support; a date
    alone is not one (RFC 7643 §2.3.5: "MUST include both a date and a time")."""
    text = value.strip()
    if len(text) < 11 or text[10] not in "Tt ":
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _datetime(value: Any, where: str) -> str:
    if not isinstance(value, str) or parse_datetime(value) is None:
        raise InvalidValue(f"Attribute '{where}' must be an RFC 3339 date-time.")
    return value


def _binary(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidValue(f"Attribute '{where}' must be base64-encoded text.")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidValue(f"Attribute '{where}' must be base64-encoded text.") from exc
    return value


_CHECKERS = {
    AttributeType.STRING: _string,
    AttributeType.REFERENCE: _string,
    AttributeType.BOOLEAN: _boolean,
    AttributeType.INTEGER: _integer,
    AttributeType.DECIMAL: _decimal,
    AttributeType.DATETIME: _datetime,
    AttributeType.BINARY: _binary,
}


def check_immutable(new: dict[str, Any], old: dict[str, Any], resource_type: ResourceType) -> None:
    """An immutable attribute, once set, may only be sent again unchanged (RFC 7643 §2.2)."""
    for schema in resource_type.schemas:
        is_core = schema is resource_type.schema
        new_holder = new if is_core else new.get(schema.id, {})
        old_holder = old if is_core else old.get(schema.id, {})
        for attribute in schema:
            if attribute.mutability is not M.IMMUTABLE:
                continue
            before = old_holder.get(attribute.name)
            if before is not None and new_holder.get(attribute.name) != before:
                raise Mutability(f"Attribute '{attribute.name}' is immutable.")
