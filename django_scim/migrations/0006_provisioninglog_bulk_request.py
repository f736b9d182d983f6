import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Each operation of a /Bulk request gets a log row of its own, linked to the request's."""

    dependencies = [
        ("django_scim", "0005_scimclient_expires_resourcerecord_client"),
    ]

    operations = [
        migrations.AddField(
            model_name="provisioninglog",
            name="bulk_request",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="bulk_operations",
                to="django_scim.provisioninglog",
                verbose_name="bulk request",
            ),
        ),
    ]
