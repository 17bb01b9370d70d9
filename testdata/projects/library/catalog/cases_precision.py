"""Patterns where a query sits in a loop but does not run once per row (PRECISION.md)."""

from itertools import islice

from django.db.models import Prefetch

from catalog.models import Author, Book, Tag

DEFAULT_TAGS = ("fiction", "history", "poetry")


def batched(iterable, size):
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def case_caller_prefetches_what_a_model_method_reads():
    authors = Author.objects.prefetch_related(  # expect: DJP201
        Prefetch("book_set", queryset=Book.objects.select_related("editor"))
    )
    for author in authors:
        print(author.editor_names())


def case_memoised_query_runs_once():
    all_tags = None
    for book in Book.objects.all():
        if all_tags is None:
            all_tags = list(Tag.objects.all())
        print(book.title, len(all_tags))


def case_query_per_constant_item():
    for name in DEFAULT_TAGS:
        Tag.objects.get_or_create(name=name)


def case_query_per_batch():
    ids = list(Book.objects.values_list("pk", flat=True))
    for batch in batched(ids, 100):
        Book.objects.filter(pk__in=batch).update(is_published=True)


def case_bulk_update_flushed_in_a_loop():
    pending = []
    for book in Book.objects.all():
        book.is_published = False
        pending.append(book)
        if len(pending) >= 1000:
            Book.objects.bulk_update(pending, ["is_published"])
            pending.clear()
    Book.objects.bulk_update(pending, ["is_published"])


def case_query_per_item_of_a_plain_list():
    titles = [b.title for b in Book.objects.all()]
    for title in titles:
        print(Book.objects.filter(title=title).exists())  # expect: DJP104



def case_select_related_under_the_guard_of_the_access():
    with_authors = Tag.objects.exists()
    qs = Book.objects.all()
    if with_authors:
        qs = qs.select_related("author")
    for book in qs:
        if with_authors:
            print(book.title, book.author.name)
        else:
            print(book.title)


def case_prefetch_under_a_different_guard():
    with_tags = not Tag.objects.exists()
    qs = Book.objects.all()
    if with_tags:
        qs = qs.prefetch_related("tags")
    for book in qs:
        print(book.title, [t.name for t in book.tags.all()])  # expect: DJP102


def case_read_in_a_branch_that_leaves_the_loop():
    for book in Book.objects.all():
        if book.price < 0:
            raise ValueError(f"bad price on {book.title} by {book.author.name}")


def case_read_in_a_loop_that_stops_at_the_first_row():
    for book in Book.objects.all():
        print(book.author.name)
        break


def case_read_before_a_conditional_break():
    for book in Book.objects.all():
        print(book.author.name)  # expect: DJP101
        if book.price < 0:
            break
