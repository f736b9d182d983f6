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

A rename changes them too: a group's ``members[].display`` is each member's
display column (the target adapter's ``display_field``, ``username``), a
user's ``groups[].display`` each group's. ``post_save`` of the models at the
far end of each relation compares that column with the value the object was
read with (kept on the instance by ``post_init``: no query) and, when it
changed, marks the side rows of the owners that show it with one UPDATE (keys
as a subquery of the through table). A save whose ``update_fields`` leave the
column out is not looked at. Where the instance cannot say what the database
holds (the column was deferred when it was read), ``pre_save`` reads the
column, one query of one value; an instance built in code with an existing
key is not seen as a rename (``docs/versions.md``).

Objects without a side row are left without one: a write here would make SCIM
records (an id, a created date, a managing client) for objects SCIM never
served, from code paths of the site's own. Their version follows the state of
their relations instead (:meth:`ManyToMany.state`): their through rows, which
a rename of a related object leaves as they are, so such an object keeps its
version when a member or group it shows is renamed (``docs/versions.md``).

Receivers are connected in ``AppConfig.ready()`` for the relations of the
resource types the settings declare, again when ``SCIM`` changes, and find the
relations concerned in the current registry when a signal arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db.models import CharField, Field, Model, Q
from django.db.models.functions import Cast
from django.db.models.signals import m2m_changed, post_init, post_save, pre_delete, pre_save
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
    #: The column of ``far_model`` its references show as ``display`` (the target
    #: adapter's ``display_field``); None where the target declares none.
    display: Field | None = None

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
            far_model = far_field.related_model
            found.append(
                Relation(
                    resource_type.name,
                    model,
                    far_model,
                    through,
                    near_field.attname,
                    far_field.attname,
                    _display_column(registry, mapping.target, far_model),
                )
            )
    return found


def _display_column(registry: Registry, target: str, model: type[Model]) -> Field | None:
    """The column of ``model`` that references to ``target`` show as their ``display``.
    A ``display_field`` reaching through a relation (``profile__name``) is not followed,
    nor is a ``display()`` override without one."""
    resource_type = registry.get(target)
    name = resource_type.adapter_class.display_field if resource_type else None
    if not name:
        return None
    try:
        field: Any = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.concrete else None


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


# -- renames -----------------------------------------------------------------------

#: Where an instance keeps the display value it was read with: this prefix + attname.
SHOWN = "_scim_shown_"
#: The value kept when the saved key names no row yet: nothing shows the object.
_NO_ROW = object()


def _remembering(attnames: tuple[str, ...]) -> Any:
    """A ``post_init`` receiver keeping on each instance the display values it was made
    with: read from the database, what a later save compares with (no query)."""
    keys = [(attname, SHOWN + attname) for attname in attnames]

    def remember(sender: Any, instance: Model, **kwargs: Any) -> None:
        values = instance.__dict__
        for attname, key in keys:
            if attname in values:  # not deferred
                values[key] = values[attname]

    return remember


def _watched(model: type[Model], update_fields: Any) -> list[Field]:
    """The display columns of ``model`` that a save with ``update_fields`` writes."""
    columns = {
        relation.display.attname: relation.display
        for relation in _current()
        if relation.display is not None and issubclass(model, relation.far_model)
    }
    return [
        column
        for column in columns.values()
        if update_fields is None or column.name in update_fields
    ]


def display_before_save(
    sender: Any,
    instance: Model,
    raw: bool = False,
    using: str | None = None,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    """``pre_save``: where the instance cannot say what the database holds (its display
    column was deferred when it was read), read the column now: one query, of those
    columns only. A new object (no key, or one the database assigns) has nothing to
    compare; one whose key has a default was remembered as made, and ``post_save``
    says it was created."""
    key = instance.pk
    if raw or key is None or hasattr(key, "resolve_expression"):
        return
    values = instance.__dict__
    unknown = [
        column for column in _watched(sender, update_fields) if SHOWN + column.attname not in values
    ]
    if not unknown:
        return
    rows = sender._base_manager.using(using).filter(pk=key)
    stored = rows.values_list(*(column.attname for column in unknown)).first()
    for index, column in enumerate(unknown):
        values[SHOWN + column.attname] = _NO_ROW if stored is None else stored[index]


def display_saved(
    sender: Any,
    instance: Model,
    created: bool = False,
    raw: bool = False,
    using: str | None = None,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    """``post_save``: when a display column changed, the owners whose references show
    the object are modified (one UPDATE); the saved value is what the next save
    compares with."""
    if raw:
        return
    values = instance.__dict__
    changed = set()
    for column in _watched(sender, update_fields):
        if column.attname not in values:
            continue
        before = values.get(SHOWN + column.attname, _NO_ROW)
        values[SHOWN + column.attname] = values[column.attname]
        if not created and before is not _NO_ROW and before != values[column.attname]:
            changed.add(column.attname)
    if not changed:
        return
    bump(
        [
            Q(
                resource_type=relation.resource_type,
                object_pk__in=relation.owners_of_target(instance.pk),
            )
            for relation in _current()
            if relation.display is not None
            and relation.display.attname in changed
            and isinstance(instance, relation.far_model)
        ],
        using,
    )


def _connect_renames(found: list[Relation]) -> None:
    shown: dict[type[Model], set[str]] = {}
    for relation in found:
        if relation.display is not None:
            shown.setdefault(relation.far_model, set()).add(relation.display.attname)
    for model, attnames in shown.items():
        names = tuple(sorted(attnames))
        post_init.connect(
            _remembering(names),
            sender=model,
            weak=False,
            dispatch_uid=f"{DISPATCH_UID}.shown:{','.join(names)}",
        )
        pre_save.connect(display_before_save, sender=model, dispatch_uid=DISPATCH_UID)
        post_save.connect(display_saved, sender=model, dispatch_uid=DISPATCH_UID)


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
    _connect_renames(found)


def connect_on_settings_change() -> None:
    setting_changed.connect(connect, dispatch_uid=DISPATCH_UID)
