"""Two custom mappings, as docs/adapters.md describes them.

- :class:`ProfileField`: a singular attribute stored on a related one-to-one
  row (``Profile.preferred_language`` for ``preferredLanguage``), created the
  first time a value arrives.
- :class:`FullName`: a computed, read-only attribute (``name.formatted`` from
  the given and family names), filterable and sortable through the same SQL
  expression it is shown as.

Each implements the storage interface of django_scim.storage.base.Mapping:
read, write (and save_related), condition and sort_key. The filter
translator, sorting and PATCH need nothing else.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import CharField, F, Model, Q, QuerySet, Value
from django.db.models.functions import Concat, NullIf, Trim

from django_scim.adapters.fields import Mapping, Owner, check_length
from django_scim.filters.compare import compare, present
from django_scim.paths import AttributePath
from django_scim.schemas.attributes import Attribute


class ProfileField(Mapping):
    """A value kept in a field of the user's ``profile`` (a one-to-one relation)."""

    def __init__(self, field: str, relation: str = "profile") -> None:
        self.field = field
        self.relation = relation

    @property
    def lookup(self) -> str:
        return f"{self.relation}__{self.field}"

    def _profile(self, obj: Model) -> Any:
        try:
            return getattr(obj, self.relation)
        except ObjectDoesNotExist:
            return None

    def prefetch(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related(self.relation)

    def read(self, owner: Owner, obj: Model, stored: Any, cache: dict[Any, Any]) -> Any:
        profile = self._profile(obj)
        return (getattr(profile, self.field) or None) if profile is not None else None

    def save_related(self, owner: Owner, obj: Model, value: Any, creating: bool) -> bool:
        profile = self._profile(obj)
        if profile is None:
            if value in (None, ""):
                return False
            related = obj._meta.get_field(self.relation).related_model  # type: ignore[union-attr]
            profile = related(user=obj)
        if getattr(profile, self.field) == (value or ""):
            return False
        check_length(profile, self.field, value)
        setattr(profile, self.field, value or "")
        profile.save()
        setattr(obj, self.relation, profile)
        return True

    def condition(
        self, owner: Owner, path: AttributePath, target: Attribute, op: str | None, value: Any
    ) -> Q:
        # Conditions on the related row, as a subquery: an object without a profile
        # has no value, which ``ne`` and ``eq null`` match.
        def having(condition: Q) -> Q:
            related = owner.get_model()._default_manager.filter(condition)
            return Q(pk__in=related.values("pk"))

        if op is None:
            return having(present(self.lookup, target))
        if value is None:
            stored = having(present(self.lookup, target))
            return ~stored if op == "eq" else stored
        if op == "ne":
            return ~having(compare(self.lookup, "eq", value, target))
        return having(compare(self.lookup, op, value, target))

    def sort_key(self, owner: Owner, path: AttributePath, target: Attribute) -> tuple[Any, bool]:
        return NullIf(F(self.lookup), Value("")), False


class FullName(Mapping):
    """``name.formatted`` computed from two columns; what a client sends is ignored."""

    read_only = True

    def __init__(self, given: str, family: str) -> None:
        self.given = given
        self.family = family

    def expression(self) -> Any:
        joined = Concat(F(self.given), Value(" "), F(self.family), output_field=CharField())
        return Trim(joined)

    def read(self, owner: Owner, obj: Model, stored: Any, cache: dict[Any, Any]) -> Any:
        text = f"{getattr(obj, self.given) or ''} {getattr(obj, self.family) or ''}".strip()
        return text or None

    def condition(
        self, owner: Owner, path: AttributePath, target: Attribute, op: str | None, value: Any
    ) -> Q:
        expression = self.expression()
        return present(expression, target) if op is None else compare(expression, op, value, target)

    def sort_key(self, owner: Owner, path: AttributePath, target: Attribute) -> tuple[Any, bool]:
        return NullIf(self.expression(), Value("")), False
