"""Helpers that serializer method fields and admin columns import."""

from books.models import Review


def describe_author(book):
    return f"{book.title} by {book.author.name}"


def review_total(book):
    return Review.objects.filter(book=book).count()


def review_total_or(book, total=None):
    if total is None:
        total = Review.objects.filter(book=book).count()
    return total
