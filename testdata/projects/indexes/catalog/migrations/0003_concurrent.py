from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("catalog", "0002_indexes")]

    operations = [
        AddIndexConcurrently(
            model_name="publisher",
            index=models.Index(fields=["country"], name="publisher_country_idx"),
        ),
        # Only the state says db_index: the index was built concurrently above.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="publisher",
                    name="country",
                    field=models.CharField(max_length=50, db_index=True),
                ),
            ],
        ),
    ]
