from django.db import migrations, models


class Migration(migrations.Migration):
    """The change set of each write, the protected-account mark, and the indexes the log
    list filters, a resource's history and the health page read ranges of, newest first."""

    dependencies = [
        ("django_scim", "0003_element_in_column"),
    ]

    operations = [
        migrations.AddField(
            model_name="provisioninglog",
            name="changes",
            field=models.JSONField(blank=True, default=list, verbose_name="changes"),
        ),
        migrations.AddField(
            model_name="provisioninglog",
            name="protected_account",
            field=models.BooleanField(
                default=False,
                help_text="Set when the request was refused because it would have changed a protected account.",
                verbose_name="refused: protected account",
            ),
        ),
        migrations.AddIndex(
            model_name="provisioninglog",
            index=models.Index(fields=["status", "created"], name="django_scim_log_status_time"),
        ),
        migrations.RemoveIndex(model_name="provisioninglog", name="django_scim_log_status"),
        migrations.AddIndex(
            model_name="provisioninglog",
            index=models.Index(
                fields=["resource_type", "resource_id", "created"],
                name="django_scim_log_resource_time",
            ),
        ),
        migrations.RemoveIndex(model_name="provisioninglog", name="django_scim_log_resource"),
        migrations.AddIndex(
            model_name="provisioninglog",
            index=models.Index(
                fields=["client", "created", "status"], name="django_scim_log_client_time"
            ),
        ),
    ]
