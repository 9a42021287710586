from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("benchcolumns", "0002_first_column")]
    operations = [
        migrations.AddField("benchrow", "second_note", models.TextField(null=True)),
    ]
