from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_auditor_views"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="object_type",
            field=models.CharField(
                choices=[
                    ("request", "childcare request"),
                    ("note", "note"),
                    ("registry_search", "registry search"),
                    ("request_list", "requests of the loket"),
                    ("audit_trail", "audit trail"),
                    ("location", "location"),
                ],
                max_length=20,
                verbose_name="object",
            ),
        ),
    ]
