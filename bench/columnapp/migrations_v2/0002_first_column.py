from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("benchcolumns", "0001_initial")]
    operations = [
        migrations.AddField("benchrow", "first_note", models.TextField(null=True)),
    ]
