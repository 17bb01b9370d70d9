"""Data-migration code: historical models have no custom methods, so `str(author)` is
Django's `Author object (1)` there, not the real model's `__str__` (which reads the
publisher)."""


# oracle: migrate
def print_authors(apps, schema_editor):
    Author = apps.get_model("shelf", "Author")
    for author in Author.objects.all():
        print(author)


def case_print_authors_real_model():
    from shelf.models import Author

    for author in Author.objects.all():
        print(author)  # expect: DJP101
