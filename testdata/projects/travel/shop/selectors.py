"""Functions that build or transform querysets and hand them back."""

from django.db.models import Count

from shop.models import Author, Book


def all_books():
    return Book.objects.all()


def books_with_authors():
    return Book.objects.select_related("author")


def with_tag_count(qs):
    return qs.annotate(n_tags=Count("tags"))


def newest_first(qs):
    qs = qs.order_by("-id")
    return qs


def recent_books():
    return newest_first(all_books())


def books_of(author):
    return author.book_set.all()


def books_for(author=None):
    if author is None:
        return Book.objects.select_related("author")
    return Book.objects.filter(author=author).select_related("author")


def books_maybe_joined(joined):
    if joined:
        return Book.objects.select_related("author")
    return Book.objects.all()


def books_or_nothing(allowed):
    if not allowed:
        return Book.objects.none()
    return Book.objects.select_related("author")


def books_or_nothing_unjoined(allowed):
    if not allowed:
        return Book.objects.none()
    return Book.objects.all()


def logged(qs):
    for book in qs:
        print(book.title)
    return qs


def attach_authors(qs):
    authors = {a.pk: a for a in Author.objects.all()}
    for book in qs:
        book.author = authors[book.author_id]
    return qs
