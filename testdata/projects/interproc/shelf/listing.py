"""Helpers that take a queryset and iterate it (cases in cases_handed.py)."""

from django.db import IntegrityError, transaction

from shelf.models import Stock


def print_authors(books):
    for book in books:
        print(book.author.name)


def print_authors_prefetched(books):
    # the callee loads what it reads: every caller's rows are served
    for book in books.prefetch_related("author"):
        print(book.author.name)


def print_tag_names(books):
    for book in books:
        print([t.name for t in book.tags.all()])


def count_rows(books):
    return len(books)


def print_titles(books):
    for book in books:
        print(book.title)



def report_failure(book, error):
    print(f"{book.title} by {book.author.name} failed: {error}")


def publish(title):
    if not title:
        raise ValueError("a book needs a title")
    return title.upper()


def publish_all(books):
    # the author is read only when publishing a book fails
    for book in books:
        try:
            print(publish(book.title))
        except Exception as error:
            report_failure(book, error)


def print_authors_on_miss(books, cache=None):
    # a cache miss is no error: every book missing from the cache reads its author
    cache = cache or {}
    for book in books:
        try:
            print(cache[book.pk])
        except KeyError:
            print(book.author.name)


def checked_title(book):
    if not book.title:
        raise ValueError(f"{book.author.name} left a book untitled")
    return book.title


def publish_one(book):
    try:
        return publish(book.title)
    except Exception as error:
        report_failure(book, error)
        return None


def stock_book(book):
    try:
        with transaction.atomic():
            Stock.objects.create(book=book, count=1)
    except IntegrityError:
        # a concurrent request stocked it first
        print(f"{book.title} by {book.author.name} is stocked already")
