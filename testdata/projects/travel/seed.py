"""Seeding hooks for scripts/oracle (see testdata/projects/README.md)."""

from shop.models import Author, Book

GENERIC = True


def seed(n):
    # One prolific author: loops over a single author's books must grow with n.
    first = Author.objects.order_by("pk").first()
    Book.objects.update(author=first)
