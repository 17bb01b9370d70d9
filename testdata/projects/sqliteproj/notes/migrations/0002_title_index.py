from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]

    # SQLite: no CONCURRENTLY, and DJP310 does not apply.
    operations = [
        migrations.AlterField(
            model_name="note",
            name="title",
            field=models.CharField(max_length=100, db_index=True),
        ),
    ]
