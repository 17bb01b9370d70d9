from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Publisher",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("name", models.CharField(max_length=100)),
                ("country", models.CharField(max_length=50)),
            ],
        ),
        migrations.CreateModel(
            name="Book",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("title", models.CharField(max_length=200)),
                ("isbn", models.CharField(max_length=13)),
                ("pages", models.IntegerField(default=0)),
                ("publisher", models.ForeignKey(on_delete=models.CASCADE, to="catalog.publisher")),
            ],
            options={"unique_together": {("title", "publisher")}},
        ),
        migrations.CreateModel(
            name="Tag",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("label", models.CharField(max_length=50)),
                ("group", models.CharField(max_length=50)),
            ],
        ),
        # The table is created in this migration: empty, nothing to lock.
        migrations.AddIndex(
            model_name="book",
            index=models.Index(fields=["pages"], name="book_pages_idx"),
        ),
    ]
