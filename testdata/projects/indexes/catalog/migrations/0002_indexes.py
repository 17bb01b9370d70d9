from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.AddIndex(  # expect: DJP310
            model_name="book",
            index=models.Index(fields=["title"], name="book_title_idx"),
        ),
        migrations.AlterField(  # expect: DJP310
            model_name="book",
            name="isbn",
            field=models.CharField(max_length=13, db_index=True),
        ),
        # Already indexed (a foreign key): no new index.
        migrations.AlterField(
            model_name="book",
            name="publisher",
            field=models.ForeignKey(on_delete=models.PROTECT, to="catalog.publisher"),
        ),
        migrations.AddField(  # expect: DJP310
            model_name="publisher",
            name="code",
            field=models.CharField(max_length=10, unique=True, null=True),
        ),
        migrations.AddField(
            model_name="publisher",
            name="note",
            field=models.CharField(max_length=10, default=""),
        ),
        # The same set as before: nothing is built.
        migrations.AlterUniqueTogether(
            name="book",
            unique_together={("title", "publisher")},
        ),
        migrations.AlterIndexTogether(  # expect: DJP310
            name="book",
            index_together={("isbn", "pages")},
        ),
    ]
