"""``attributes``, ``excludedAttributes`` and ``returned`` (RFC 7644 §3.4.2.5, §3.9).

The projection is decided before the resource is built, so an adapter can skip
work the response will not carry: a group list with
``excludedAttributes=members`` never loads a member (Entra sends that on every
group read).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django_scim.paths import UnknownAttribute, parse_path
from django_scim.schemas.attributes import Attribute
from django_scim.schemas.characteristics import Returned
from django_scim.schemas.core import COMMON_ATTRIBUTES
from django_scim.schemas.registry import ResourceType

_COMMON = {attribute.name.lower(): attribute for attribute in COMMON_ATTRIBUTES}
Key = tuple[str, str | None, str | None]


def split_names(value: str | Iterable[str] | None) -> list[str]:
    """Comma-separated names (query string) or a list of them (SearchRequest body)."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


class Projection:
    def __init__(
        self,
        resource_type: ResourceType,
        attributes: str | Iterable[str] | None = None,
        excluded: str | Iterable[str] | None = None,
    ) -> None:
        self.resource_type = resource_type
        self.includes = self._parse(split_names(attributes))
        self.excludes = self._parse(split_names(excluded))
        self._rules: dict[tuple[str, str], tuple[bool, set[str] | None, bool]] = {}

    @property
    def key(self) -> tuple[frozenset[Key], frozenset[Key]]:
        """What the projection selects, as a hashable value (render plans are kept by it)."""
        return frozenset(self.includes), frozenset(self.excludes)

    def _parse(self, names: list[str]) -> set[Key]:
        keys: set[Key] = set()
        for name in names:
            try:
                keys.add(parse_path(name, self.resource_type).key)
            except UnknownAttribute:
                continue
        return keys

    def _attribute(self, schema_id: str, name: str) -> Attribute | None:
        schema = self.resource_type.schema_by_id(schema_id)
        found = schema.attribute(name)
        if found is None and schema is self.resource_type.schema:
            found = _COMMON.get(name.lower())
        return found

    def wants(self, schema_id: str, name: str) -> bool:
        """Whether any part of the attribute can appear in the response."""
        attribute = self._attribute(schema_id, name)
        if attribute is None:
            return False
        return self._decide(schema_id, attribute) is not False

    def _decide(self, schema_id: str, attribute: Attribute) -> bool | set[str]:
        """True (whole), False (drop) or a set of sub-attribute names to keep or drop."""
        if attribute.returned is Returned.NEVER:
            return False
        if attribute.returned is Returned.ALWAYS:
            return True
        whole: Key = (schema_id, attribute.name, None)
        if self.includes:
            if whole in self.includes or (schema_id, None, None) in self.includes:
                return True
            subs = {k[2] for k in self.includes if k[:2] == whole[:2] and k[2] is not None}
            return subs or False
        if attribute.returned is Returned.REQUEST:
            return False
        return whole not in self.excludes and (schema_id, None, None) not in self.excludes

    def _excluded_subs(self, schema_id: str, attribute: Attribute) -> set[str]:
        if self.includes:
            return set()
        return {
            k[2] for k in self.excludes if k[:2] == (schema_id, attribute.name) and k[2] is not None
        }

    def _rule(self, schema_id: str, name: str) -> tuple[bool, set[str] | None, bool]:
        """What happens to one attribute: (shown at all, sub-attributes, keep or drop
        them), worked out once per name, then reused for every resource projected."""
        found = self._rules.get((schema_id, name))
        if found is None:
            found = (False, None, False)
            attribute = self._attribute(schema_id, name)
            decision = self._decide(schema_id, attribute) if attribute is not None else False
            if isinstance(decision, set):
                found = (True, decision, True)
            elif decision:
                dropped = self._excluded_subs(schema_id, attribute)  # type: ignore[arg-type]
                found = (True, dropped or None, False)
            self._rules[(schema_id, name)] = found
        return found

    def _project_attribute(self, schema_id: str, name: str, value: Any) -> Any:
        shown, subs, keep = self._rule(schema_id, name)
        if not shown:
            return None
        return _only_subs(value, subs, keep=keep) if subs is not None else value

    def apply(self, resource: dict[str, Any]) -> dict[str, Any]:
        """The resource as the response should carry it."""
        out: dict[str, Any] = {}
        core_id = self.resource_type.schema.id
        for key, value in resource.items():
            if key == "schemas":
                out[key] = value
                continue
            extension = self.resource_type.extension_by_id(key)
            if extension is None:
                projected = self._project_attribute(core_id, key, value)
            else:
                projected = self._project_extension(extension.id, value)
            if projected not in (None, {}, []):
                out[key] = projected
        return out

    def _project_extension(self, schema_id: str, value: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, item in value.items():
            projected = self._project_attribute(schema_id, name, item)
            if projected is not None:
                out[name] = projected
        return out


def _only_subs(value: Any, names: set[str], keep: bool) -> Any:
    if isinstance(value, list):
        items = [_only_subs(item, names, keep) for item in value]
        return [item for item in items if item]
    if not isinstance(value, dict):
        return value if keep is False else None
    return {k: v for k, v in value.items() if (k in names) is keep}
