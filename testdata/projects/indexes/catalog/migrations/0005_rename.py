from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_squashed")]

    operations = [
        migrations.RenameField(model_name="book", old_name="title", new_name="name"),
        # What makemigrations writes after the rename: the same set under the new name. The
        # database already has this unique index (RenameField renamed its column): no-op.
        migrations.AlterUniqueTogether(
            name="book",
            unique_together={("name", "publisher")},
        ),
        migrations.RenameModel(old_name="Tag", new_name="Label"),
        # A new set on the renamed model does build an index.
        migrations.AlterUniqueTogether(  # expect: DJP310
            name="label",
            unique_together={("label", "group")},
        ),
    ]
