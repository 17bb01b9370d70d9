"""Writes through related managers in loops (`book.tags.add(tag)`, `.set()`, `.remove()`,
`.clear()`): each call runs its own queries, which no prefetch serves. The rows may come
from `bulk_create()`, which returns the objects it inserted, also chained together
(`itertools.chain(a, b)`). The rewrite, one `bulk_create()` on the relation's `through`
model, is a constant number of queries."""

from itertools import chain

from shelf.models import Author, Book, Tag


def case_add_per_row():
    tag = Tag.objects.order_by("pk").first()
    for book in Book.objects.all():
        book.tags.add(tag)  # expect: DJP104


def case_add_per_row_through_the_through_model():
    # the rewrite the help describes: one INSERT for every link
    tag = Tag.objects.order_by("pk").first()
    Through = Book.tags.through
    links = [Through(book_id=pk, tag_id=tag.pk) for pk in Book.objects.values_list("pk", flat=True)]
    Through.objects.bulk_create(links, ignore_conflicts=True)


def case_clear_per_row():
    for book in Book.objects.all():
        book.tags.clear()  # expect: DJP104


def case_rows_of_bulk_create():
    author = Author.objects.order_by("pk").first()
    tag = Tag.objects.order_by("pk").first()
    titles = [t + " (2nd)" for t in Book.objects.values_list("title", flat=True)]
    books = Book.objects.bulk_create([Book(title=t, author=author) for t in titles])
    for book in books:
        book.tags.set([tag])  # expect: DJP104


def case_rows_of_two_bulk_creates_chained():
    author = Author.objects.order_by("pk").first()
    tag = Tag.objects.order_by("pk").first()
    titles = list(Book.objects.values_list("title", flat=True))
    first = Book.objects.bulk_create([Book(title=t + " (a)", author=author) for t in titles])
    second = Book.objects.bulk_create([Book(title=t + " (b)", author=author) for t in titles])
    for book in chain(first, second):
        book.tags.add(tag)  # expect: DJP104


def case_bulk_create_of_a_written_out_list():
    # two objects, not one per row
    author = Author.objects.order_by("pk").first()
    tag = Tag.objects.order_by("pk").first()
    for book in Book.objects.bulk_create([Book(title="a", author=author), Book(title="b", author=author)]):
        book.tags.add(tag)


def case_add_to_one_manager_per_row():
    book = Book.objects.order_by("pk").first()
    for tag in Tag.objects.all():
        book.tags.add(tag)  # expect: DJP104


def case_add_to_one_manager_once():
    # the help's rewrite: one call with every object
    book = Book.objects.order_by("pk").first()
    book.tags.add(*Tag.objects.all())
