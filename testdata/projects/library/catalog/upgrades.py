"""Data-migration code outside `migrations/` (a `RunPython` function imports it from here, a
`post_migrate` handler): it runs with the historical registry `apps`. Historical models keep
their fields and relations, but `objects` is Django's plain manager unless its class sets
`use_in_migrations = True`, and the model's own methods do not exist. Upgrades run this code
over production tables, so its N+1s are reported."""

from django.db.models import Prefetch


# oracle: migrate
def backfill_author_names(apps, schema_editor):
    Book = apps.get_model("catalog", "Book")
    for book in Book.objects.all():
        print(book.title, book.author.name)  # expect: DJP101


# oracle: migrate
def backfill_author_names_joined(apps, schema_editor):
    Book = apps.get_model("catalog", "Book")
    for book in Book.objects.select_related("author"):
        print(book.title, book.author.name)


# oracle: migrate
def review_books(apps, schema_editor):
    # `Review.objects` joins `book` on the real model; the historical `objects` is plain.
    Review = apps.get_model("catalog", "Review")
    for review in Review.objects.defer("body"):
        print(review.rating, review.book.title)  # expect: DJP101


# oracle: migrate
def publisher_names(apps, schema_editor):
    # `with_publisher` sets `use_in_migrations = True`: the historical model keeps its join.
    Author = apps.get_model("catalog", "Author")
    for author in Author.with_publisher.defer("bio"):
        print(author.name, author.publisher.name)


# oracle: migrate
def tag_books(apps, schema_editor):
    Tag = apps.get_model("catalog", "Tag")
    for tag in Tag.objects.all():
        print(tag.name, [book.title for book in tag.books.all()])  # expect: DJP102


# oracle: migrate
def tag_books_prefetched(apps, schema_editor):
    Tag = apps.get_model("catalog", "Tag")
    Book = apps.get_model("catalog", "Book")
    tags = Tag.objects.prefetch_related(Prefetch("books", queryset=Book.objects.order_by("pk")))
    for tag in tags:
        print(tag.name, [book.title for book in tag.books.all()])


# oracle: migrate
def after_migrate(sender, apps, **kwargs):
    # A `post_migrate` receiver is handed the historical registry too.
    Book = apps.get_model("catalog", "Book")
    for book in Book.objects.all():
        book.is_published = book.author.name != ""  # expect: DJP101
        book.save(update_fields=["is_published"])  # expect: DJP105
