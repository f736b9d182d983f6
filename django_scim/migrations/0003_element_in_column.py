from django.db import migrations, models


def mark_column_elements(apps, schema_editor):
    """Mark, in rows written before this field existed, the element a column holds: for
    the default User adapter, the primary (else the first) of ``emails``, whose value is
    ``email``. Sites with other adapters had no such rows yet when this field came."""
    ResourceElement = apps.get_model("django_scim", "ResourceElement")
    rows = ResourceElement.objects.filter(
        attribute="emails", record__resource_type="User"
    ).order_by("record_id", "position")
    chosen = {}
    for row in rows.iterator():
        primary = isinstance(row.data, dict) and row.data.get("primary") is True
        if row.record_id not in chosen or (primary and not chosen[row.record_id][1]):
            chosen[row.record_id] = (row.pk, primary)
    marked = [pk for pk, _ in chosen.values()]
    for start in range(0, len(marked), 500):
        ResourceElement.objects.filter(pk__in=marked[start : start + 500]).update(in_column=True)


class Migration(migrations.Migration):
    dependencies = [
        ("django_scim", "0002_case_insensitive_name_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="resourceelement",
            name="in_column",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_column_elements, migrations.RunPython.noop),
    ]
