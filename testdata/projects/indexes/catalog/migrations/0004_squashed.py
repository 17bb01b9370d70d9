from django.db import migrations, models


class Migration(migrations.Migration):
    # A squashed migration runs only where none of the ones it replaces ran: a new database.
    replaces = [("catalog", "0002_indexes"), ("catalog", "0003_concurrent")]

    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="book",
            index=models.Index(fields=["title"], name="book_title_idx"),
        ),
    ]
