"""Querysets handed to a function that iterates them: the callee's per-row reads are the
caller's (the fix goes at the caller's queryset)."""

from shelf.listing import (
    checked_title,
    count_rows,
    print_authors,
    print_authors_prefetched,
    print_authors_on_miss,
    print_tag_names,
    print_titles,
    publish_all,
    publish_one,
    stock_book,
)
from shelf.models import Book, Publisher


def case_handed_queryset():
    print_authors(Book.objects.all())  # expect: DJP101


def case_handed_queryset_variable():
    books = Book.objects.filter(title__startswith="b")
    print_authors(books)  # expect: DJP101


def case_handed_queryset_keyword():
    print_authors(books=Book.objects.order_by("title"))  # expect: DJP101


def case_handed_queryset_selected():
    print_authors(Book.objects.select_related("author"))


def case_handed_queryset_callee_prefetches():
    print_authors_prefetched(Book.objects.all())


def case_handed_queryset_many():
    print_tag_names(Book.objects.all())  # expect: DJP102


def case_handed_queryset_many_prefetched():
    print_tag_names(Book.objects.prefetch_related("tags"))


def case_handed_queryset_counted():
    print(count_rows(Book.objects.all()))


def case_handed_queryset_plain_fields():
    print_titles(Book.objects.all())


def case_handed_queryset_method():
    publisher = Publisher.objects.first()
    print(publisher.catalogue(Book.objects.all()))  # expect: DJP101


def case_handed_queryset_method_selected():
    publisher = Publisher.objects.first()
    print(publisher.catalogue(Book.objects.select_related("author")))


def case_handed_queryset_read_on_failure():
    publish_all(Book.objects.all())


def case_handed_queryset_read_on_cache_miss():
    print_authors_on_miss(Book.objects.all())  # expect: DJP101


def case_row_read_in_a_raising_branch():
    for book in Book.objects.all():
        print(checked_title(book))


def case_row_read_when_a_helper_fails():
    for book in Book.objects.all():
        print(publish_one(book))


def case_row_read_after_a_failed_insert():
    # the insert is a query per book; the author is read only when it fails
    for book in Book.objects.all():
        stock_book(book)  # expect: DJP104
