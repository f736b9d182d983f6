"""Expression indexes so ``userName eq``, ``emails.value eq`` and group ``displayName eq`` use an index.

SCIM compares these names case-insensitively (RFC 7643 §4.1.1), which the
filter translator writes as ``LOWER(column) = LOWER(value)``. An index on
``LOWER(column)`` serves that on SQLite and PostgreSQL. The stock
``auth.User.username`` and ``auth.Group.name`` get one here; a custom user
model declares its own (see docs/adapters.md).
"""

from django.conf import settings
from django.db import migrations

INDEXES = (
    # (app_label.Model, field, index name)
    ("auth.User", "username", "django_scim_auth_user_username_lower"),
    ("auth.User", "email", "django_scim_auth_user_email_lower"),
    ("auth.Group", "name", "django_scim_auth_group_name_lower"),
)


def _targets(apps, schema_editor):
    for label, field_name, index_name in INDEXES:
        if label == "auth.User" and settings.AUTH_USER_MODEL != "auth.User":
            continue
        model = apps.get_model(label)
        table = schema_editor.quote_name(model._meta.db_table)
        column = schema_editor.quote_name(model._meta.get_field(field_name).column)
        yield table, column, schema_editor.quote_name(index_name)


def create(apps, schema_editor):
    if schema_editor.connection.vendor not in ("sqlite", "postgresql"):
        return
    for table, column, index in _targets(apps, schema_editor):
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} (LOWER({column}))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor not in ("sqlite", "postgresql"):
        return
    for _table, _column, index in _targets(apps, schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("django_scim", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
