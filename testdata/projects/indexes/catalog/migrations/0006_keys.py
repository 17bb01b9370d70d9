from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_rename")]

    operations = [
        # A new column with an index: the advice keeps adding the column.
        migrations.AddField(  # expect: DJP310
            model_name="publisher",
            name="region",
            field=models.CharField(max_length=20, default="", db_index=True),
        ),
        # A one-to-one is always unique: it starts as a foreign key without an index.
        migrations.AddField(  # expect: DJP310
            model_name="publisher",
            name="flagship",
            field=models.OneToOneField(null=True, on_delete=models.SET_NULL, to="catalog.book"),
        ),
        # A new primary key: a unique index is no primary key, the constraint adopts it.
        migrations.RemoveField(model_name="label", name="id"),
        migrations.AlterField(  # expect: DJP310
            model_name="label",
            name="group",
            field=models.CharField(max_length=50, primary_key=True, serialize=False),
        ),
    ]
