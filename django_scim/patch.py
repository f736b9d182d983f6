"""PATCH (RFC 7644 §3.5.2): add, replace and remove, applied to the resource's SCIM dict.

Written here rather than borrowed: PATCH is where identity providers differ
most, and the engine must share paths, filters and the schema with the rest
of the package. Operations on relation attributes (``members``) are not
applied to the dict: they become deltas (add these ids, remove those) so a
change of k members costs O(k), whatever the size of the group.

The caller applies every operation inside one transaction; any error leaves
the resource and its memberships unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django_scim import constants, dialects
from django_scim.errors import InvalidPath, InvalidSyntax, InvalidValue, Mutability, NoTarget
from django_scim.filters import ast
from django_scim.filters.evaluate import ElementEvaluator, compare_values
from django_scim.patch_paths import PatchPath, parse_patch_path
from django_scim.paths import AttributePath
from django_scim.schemas.attributes import Attribute
from django_scim.schemas.characteristics import Mutability as M
from django_scim.schemas.registry import ResourceType
from django_scim.validation import validate_value

OPS = ("add", "replace", "remove")
_IGNORED_KEYS = frozenset({"schemas", "id", "meta"})


@dataclass(frozen=True)
class Operation:
    op: str
    path: PatchPath | None
    value: Any
    has_value: bool


@dataclass
class RelationChange:
    """A change to a relation attribute: ``kind`` is add, remove, set, clear or remove_where."""

    path: AttributePath
    kind: str
    values: list[Any] = field(default_factory=list)
    filter: ast.Node | None = None


def _member(data: dict[str, Any], name: str) -> Any:
    """``Operations`` is matched case-insensitively (attribute names are, RFC 7643 §2.1)."""
    for key, value in data.items():
        if key.lower() == name.lower():
            return value
    return None


def parse_request(body: Any, resource_type: ResourceType) -> list[Operation]:
    if not isinstance(body, dict):
        raise InvalidSyntax("A PATCH request must be a JSON object.")
    schemas = body.get("schemas")
    if schemas is not None and (
        not isinstance(schemas, list)
        or constants.PATCH_OP.lower() not in [s.lower() for s in schemas if isinstance(s, str)]
    ):
        raise InvalidSyntax(f"A PATCH request's schemas must contain {constants.PATCH_OP}.")
    operations = _member(body, "Operations")
    if not isinstance(operations, list) or not operations:
        raise InvalidSyntax("A PATCH request needs a non-empty 'Operations' list.")
    return [_operation(item, resource_type) for item in operations]


def _operation(item: Any, resource_type: ResourceType) -> Operation:
    if not isinstance(item, dict):
        raise InvalidSyntax("Each PATCH operation must be an object.")
    op = dialects.normalise_op(_member(item, "op"))
    if op not in OPS:
        raise InvalidValue(f"Unknown PATCH op {_member(item, 'op')!r}; use add, replace or remove.")
    raw_path = _member(item, "path")
    has_value = any(key.lower() == "value" for key in item)
    value = _member(item, "value")
    if raw_path is None or raw_path == "":
        if op == "remove":
            raise NoTarget("A remove operation needs a 'path'.")
        if not isinstance(value, dict):
            raise InvalidValue("Without a 'path', the value must be an object of attributes.")
        return Operation(op, None, value, has_value)
    path = parse_patch_path(raw_path, resource_type)
    if op != "remove" and not has_value:
        raise InvalidValue(f"The {op} operation on '{raw_path}' needs a 'value'.")
    return Operation(op, path, value, has_value)


def expand(operation: Operation, resource_type: ResourceType) -> list[tuple[Operation, bool]]:
    """A path-less add/replace becomes one operation per key; keys are paths (Entra ID).

    The flag says whether read-only targets are ignored (path-less) or an error.
    """
    if operation.path is not None:
        if operation.path.attribute.attribute is None:
            return _expand_extension(operation, resource_type)
        return [(operation, False)]
    result = []
    for key, value in _flatten(operation.value, resource_type):
        try:
            path = parse_patch_path(key, resource_type)
        except InvalidPath:
            if key.lower() in _IGNORED_KEYS:
                continue
            raise
        result.append((Operation(operation.op, path, value, True), True))
    return result


def _expand_extension(
    operation: Operation, resource_type: ResourceType
) -> list[tuple[Operation, bool]]:
    """A path naming an extension schema (``urn:...:enterprise:2.0:User``) targets all of it.

    add/replace merge the value object into the extension, as a path-less
    value keyed by the URN would; remove unassigns each of its writable
    attributes.
    """
    schema = resource_type.schema_by_id(operation.path.attribute.schema)  # type: ignore[union-attr]
    if operation.op == "remove":
        return [
            (
                Operation(
                    "remove", parse_patch_path(f"{schema.id}:{a.name}", resource_type), None, False
                ),
                True,
            )
            for a in schema
            if not a.read_only
        ]
    if not isinstance(operation.value, dict):
        raise InvalidValue(f"The value for '{schema.id}' must be an object.")
    return expand(Operation(operation.op, None, {schema.id: operation.value}, True), resource_type)


def _flatten(value: dict[str, Any], resource_type: ResourceType) -> list[tuple[str, Any]]:
    pairs = []
    for key, item in value.items():
        if not isinstance(key, str) or key.lower() in _IGNORED_KEYS:
            continue
        extension = resource_type.extension_by_id(key)
        if extension is not None and isinstance(item, dict):
            pairs += [
                (f"{extension.id}:{sub}", sub_value)
                for sub, sub_value in item.items()
                if isinstance(sub, str) and sub.lower() not in _IGNORED_KEYS
            ]
        else:
            pairs.append((key, item))
    return pairs


def _same_element(left: Any, right: Any) -> bool:
    """Elements are the same when their value and type are (whole elements without a value)."""
    if not (isinstance(left, dict) and isinstance(right, dict)):
        return bool(left == right)
    if "value" not in left and "value" not in right:
        return left == right
    return left.get("value") == right.get("value") and left.get("type") == right.get("type")


def check_mutability(operation: Operation, current: Any) -> None:
    """readOnly targets cannot be written; immutable ones only set once (RFC 7643 §2.2)."""
    target = operation.path.target if operation.path else None
    if target is None:
        return
    if target.mutability is M.READ_ONLY:
        raise Mutability(f"'{operation.path}' is read-only.")
    if target.mutability is M.IMMUTABLE and not (operation.op == "add" and current in (None, [])):
        raise Mutability(f"'{operation.path}' is immutable.")


class DocumentPatch:
    """Applies operations to a SCIM dict (canonical names, extensions under their URN)."""

    def __init__(
        self, resource_type: ResourceType, document: dict[str, Any], lenient: bool
    ) -> None:
        self.resource_type = resource_type
        self.doc = document
        self.lenient = lenient

    def apply(self, operation: Operation) -> None:
        path = operation.path
        assert path is not None
        attribute = path.attribute.attribute
        assert attribute is not None
        check_mutability(operation, path.attribute.get(self.doc))
        if path.filter is not None:
            self._filtered(operation, attribute)
        elif path.attribute.sub_attribute is not None:
            self._sub_attribute(operation, attribute, path.attribute.sub_attribute)
        elif operation.op == "remove":
            self._remove(operation, attribute)
        elif attribute.multi_valued:
            self._multi(operation, attribute)
        else:
            self._single(operation, attribute)

    # -- whole attributes ------------------------------------------------------

    def _set(self, path: AttributePath, value: Any) -> None:
        holder = path.container(self.doc, create=value is not None)
        if holder is None:
            return
        assert path.attribute is not None
        if value is None:
            holder.pop(path.attribute.name, None)
        else:
            holder[path.attribute.name] = value

    def _single(self, operation: Operation, attribute: Attribute) -> None:
        path = operation.path.attribute  # type: ignore[union-attr]
        value = validate_value(attribute, operation.value, str(path))
        if attribute.is_complex and isinstance(value, dict):
            # RFC 7644 §3.5.2.1/3: sub-attributes not given are left unchanged.
            current = path.get(self.doc)
            value = {**current, **value} if isinstance(current, dict) else value
        self._set(path, value)

    def _multi(self, operation: Operation, attribute: Attribute) -> None:
        path = operation.path.attribute  # type: ignore[union-attr]
        items = validate_value(attribute, operation.value, str(path)) or []
        if operation.op == "replace":
            self._set(path, items or None)
            return
        current = list(path.get(self.doc) or [])
        for item in items:
            # RFC 7643 §2.4: the same (type, value) should not appear twice; an
            # element sent again (say, now marked primary) updates the one there.
            same = next((c for c in current if _same_element(c, item)), None)
            if same is None:
                current.append(item)
            elif same != item:
                merged = {**same, **item} if isinstance(same, dict) else item
                current[current.index(same)] = item = merged
            if isinstance(item, dict) and item.get("primary") is True:
                _clear_other_primaries(current, item)
        self._set(path, current or None)

    def _remove(self, operation: Operation, attribute: Attribute) -> None:
        path = operation.path.attribute  # type: ignore[union-attr]
        if operation.has_value and operation.value not in (None, []) and attribute.multi_valued:
            # Entra ID: remove with a value list removes those elements only.
            doomed = validate_value(attribute, operation.value, str(path)) or []
            keep = [item for item in path.get(self.doc) or [] if not _listed(item, doomed)]
            self._set(path, keep or None)
            return
        self._set(path, None)

    def _sub_attribute(self, operation: Operation, attribute: Attribute, sub: Attribute) -> None:
        path = operation.path.attribute  # type: ignore[union-attr]
        whole = AttributePath(path.schema, attribute, None, path.is_extension)
        value = (
            None if operation.op == "remove" else validate_value(sub, operation.value, str(path))
        )
        if not attribute.multi_valued:
            current = dict(whole.get(self.doc) or {})
            _put(current, sub.name, value)
            self._set(whole, current or None)
            return
        elements = [dict(item) for item in whole.get(self.doc) or []]
        if not elements and value is not None:
            elements = [{}]
        for element in elements:
            _put(element, sub.name, value)
        self._set(whole, [e for e in elements if e] or None)

    # -- value paths ---------------------------------------------------------------

    def _filtered(self, operation: Operation, attribute: Attribute) -> None:
        path = operation.path
        assert path is not None
        if not attribute.multi_valued:
            raise InvalidPath(f"A value filter needs a multi-valued attribute: '{path}'.")
        whole = path.attribute
        elements = [dict(item) for item in whole.get(self.doc) or []]
        evaluator = ElementEvaluator(attribute)
        evaluator.check(path.filter)  # also when there are no elements to test
        matched = [e for e in elements if evaluator.matches(path.filter, e)]
        if operation.op == "remove":
            self._remove_matched(path, elements, matched)
            return
        if path.sub_attribute is not None:
            value = {
                path.sub_attribute.name: validate_value(
                    path.sub_attribute, operation.value, str(path)
                )
            }
        else:
            value = validate_value(attribute, operation.value, str(path))
            value = value[0] if isinstance(value, list) and len(value) == 1 else value
            if not isinstance(value, dict):
                raise InvalidValue(f"'{path}' needs an object value.")
        if not matched:
            if operation.op == "replace" and not self.lenient:
                raise NoTarget(f"No value of '{path}' matches the filter.")
            # Entra ID: add/replace through an unmatched filter creates the element.
            created = {**_implied_by(path.filter, attribute), **value}
            elements.append(created)
            matched = [created]
        for element in matched:
            if operation.op == "replace" and path.sub_attribute is None:
                element.clear()
            element.update(value)
            if element.get("primary") is True:
                _clear_other_primaries(elements, element)
        self._set(whole, [e for e in elements if e] or None)

    def _remove_matched(
        self, path: PatchPath, elements: list[dict[str, Any]], matched: list[dict[str, Any]]
    ) -> None:
        if not matched:
            raise NoTarget(f"No value of '{path}' matches the filter.")
        if path.sub_attribute is None:
            remaining = [e for e in elements if not any(e is m for m in matched)]
        else:
            for element in matched:
                element.pop(path.sub_attribute.name, None)
            remaining = [e for e in elements if e]
        self._set(path.attribute, remaining or None)


def _put(holder: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        holder.pop(key, None)
    else:
        holder[key] = value


def _clear_other_primaries(elements: list[Any], chosen: Any) -> None:
    """RFC 7643 §2.4: primary true appears at most once; the newest wins."""
    for element in elements:
        if element is not chosen and isinstance(element, dict) and element.get("primary") is True:
            element["primary"] = False


def _listed(item: Any, doomed: list[Any]) -> bool:
    if isinstance(item, dict) and "value" in item:
        return any(
            isinstance(d, dict) and compare_values(item["value"], "eq", d.get("value"), True)
            for d in doomed
        )
    return item in doomed


def _implied_by(node: ast.Node, attribute: Attribute) -> dict[str, Any]:
    """Equalities a new element must satisfy: ``type eq "work" and primary eq "True"``."""
    if isinstance(node, ast.And):
        return {**_implied_by(node.left, attribute), **_implied_by(node.right, attribute)}
    if isinstance(node, ast.Compare) and node.op == "eq":
        sub = attribute.sub_attribute(node.path.text)
        if sub is not None:
            value = validate_value(sub, node.value, f"{attribute.name}.{sub.name}")
            if value is not None:
                return {sub.name: value}
    return {}


def relation_change(operation: Operation) -> RelationChange:
    """The delta a PATCH operation on a writable relation attribute stands for."""
    path = operation.path
    assert path is not None
    if path.sub_attribute is not None or path.attribute.sub_attribute is not None:
        raise Mutability(f"'{path}' cannot be changed; add or remove whole members.")
    attribute = path.attribute.attribute
    assert attribute is not None
    if path.filter is not None:
        if operation.op != "remove":
            raise InvalidPath(f"'{path}': members are added or replaced without a filter.")
        return RelationChange(path.attribute, "remove_where", filter=path.filter)
    values = validate_value(attribute, operation.value, str(path)) or []
    if operation.op == "remove":
        if operation.has_value and values:
            return RelationChange(path.attribute, "remove", values)
        return RelationChange(path.attribute, "clear")
    return RelationChange(path.attribute, "add" if operation.op == "add" else "set", values)
