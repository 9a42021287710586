# A new kind of notice: choices only, no change in the database (quick on every schema).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0004_location_closed_and_urgent"),
    ]

    operations = [
        migrations.AlterField(
            model_name="requestnotice",
            name="kind",
            field=models.CharField(
                choices=[
                    ("confirm_reminder", "reminder to confirm"),
                    ("lapsed", "request lapsed"),
                    ("birth_reminder", "reminder to fill in the birth"),
                ],
                max_length=20,
            ),
        ),
    ]
