"""Membership changes made anywhere change the version of the resources that show them.

A group's ``members`` and a user's ``groups`` (RFC 7643 §4.1.2, §4.2) live in a
many-to-many relation that the admin, the site's own code
(``group.user_set.add()``) and Django's cascade on delete change without SCIM.
``meta.version`` and ``meta.lastModified`` (RFC 7643 §3.1) follow the side
row's last modification, so every such change bumps it: a receiver of
``m2m_changed`` for the through model of each :class:`ManyToMany` mapping
(both the owner and the objects added or removed, whose reverse attribute
changed too), and of ``pre_delete`` for the models at either end (a deleted
member leaves the groups it was in). Each signal costs one UPDATE of the side
rows concerned, keys given or as a subquery of the through table; nothing is
read or rendered.

Objects without a side row are left without one: a write here would make SCIM
records (an id, a created date, a managing client) for objects SCIM never
served, from code paths of the site's own. Their version follows the state of
their relations instead (:meth:`ManyToMany.state`).

Receivers are connected in ``AppConfig.ready()`` for the relations of the
resource types the settings declare, again when ``SCIM`` changes, and find the
relations concerned in the current registry when a signal arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db.models import CharField, Model, Q
from django.db.models.functions import Cast
from django.db.models.signals import m2m_changed, pre_delete
from django.utils import timezone

from django_scim.errors import InvalidValue
from django_scim.models import ResourceRecord
from django_scim.schemas.registry import Registry, get_registry
from django_scim.storage.relations import ManyToMany

DISPATCH_UID = "django_scim.storage.membership"


@dataclass(frozen=True)
class Relation:
    """One ManyToMany mapping: its owners' resource type and model, the through model and
    the attribute names of its keys to the owner (``near``) and to the target (``far``)."""

    resource_type: str
    model: type[Model]
    far_model: type[Model]
    through: type[Model]
    near: str
    far: str

    def owners_of_target(self, key: Any) -> Any:
        """The owners related to the target ``key``, as a subquery of keys as text."""
        rows = self.through._default_manager.filter(**{self.far: key})
        return rows.values_list(Cast(self.near, CharField()), flat=True)


def relations(registry: Registry) -> list[Relation]:
    """Every ManyToMany mapping of the registry's resource types."""
    found = []
    for resource_type in registry.resource_types:
        model = resource_type.adapter_class.get_model()
        for _path, mapping in resource_type.fields:
            if not isinstance(mapping, ManyToMany):
                continue
            try:
                through, near, far = mapping.through(model)
            except InvalidValue:
                continue  # reported when the mapping is used
            near_field: Any = through._meta.get_field(near)
            far_field: Any = through._meta.get_field(far)
            found.append(
                Relation(
                    resource_type.name,
                    model,
                    far_field.related_model,
                    through,
                    near_field.attname,
                    far_field.attname,
                )
            )
    return found


def _current() -> list[Relation]:
    try:
        registry = get_registry()
    except (ImproperlyConfigured, ImportError):
        return []  # the system checks report the settings; the site's write goes on
    found: list[Relation] = registry.plan(("membership",), lambda: relations(registry))
    return found


def bump(conditions: list[Q], using: str | None) -> None:
    """Mark the side rows any of ``conditions`` selects as modified now (one UPDATE)."""
    if not conditions:
        return
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    rows = ResourceRecord.objects.using(using) if using else ResourceRecord.objects
    rows.filter(condition).update(last_modified=timezone.now())


def _changed_owners(relation: Relation, instance: Model, action: str, pk_set: Any) -> Q | None:
    condition = None
    if isinstance(instance, relation.model):
        condition = Q(resource_type=relation.resource_type, object_pk=str(instance.pk))
    if isinstance(instance, relation.far_model):
        keys = (
            relation.owners_of_target(instance.pk)
            if action == "pre_clear"
            else [str(key) for key in pk_set]
        )
        also = Q(resource_type=relation.resource_type, object_pk__in=keys)
        condition = also if condition is None else condition | also
    return condition


def membership_changed(
    sender: Any, instance: Model, action: str, pk_set: Any, using: str | None = None, **kwargs: Any
) -> None:
    """``m2m_changed``: the owner and the objects added or removed are modified. A clear
    is seen before it happens (``pre_clear``), while the rows it removes can be read."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action != "pre_clear" and not pk_set:
        return  # add() of members already there, remove() of non-members
    conditions = []
    for relation in _current():
        if relation.through is sender:
            found = _changed_owners(relation, instance, action, pk_set)
            if found is not None:
                conditions.append(found)
    bump(conditions, using)


def member_deleted(sender: Any, instance: Model, using: str | None = None, **kwargs: Any) -> None:
    """``pre_delete``: Django's cascade removes the deleted object's rows of every through
    table without ``m2m_changed``; the objects on the other side are modified."""
    bump(
        [
            Q(
                resource_type=relation.resource_type,
                object_pk__in=relation.owners_of_target(instance.pk),
            )
            for relation in _current()
            if isinstance(instance, relation.far_model)
        ],
        using,
    )


def connect(**kwargs: Any) -> None:
    """Connect the receivers for the relations the settings declare (idempotent)."""
    if kwargs.get("setting", "SCIM") != "SCIM":
        return
    try:
        found = relations(get_registry())
    except (ImproperlyConfigured, ImportError):
        return  # the system checks report the settings
    for relation in found:
        m2m_changed.connect(membership_changed, sender=relation.through, dispatch_uid=DISPATCH_UID)
        pre_delete.connect(member_deleted, sender=relation.far_model, dispatch_uid=DISPATCH_UID)


def connect_on_settings_change() -> None:
    setting_changed.connect(connect, dispatch_uid=DISPATCH_UID)
