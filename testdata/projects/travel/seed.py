"""Seeding hooks for scripts/oracle (see testdata/projects/README.md)."""

from django.db.models import F

from shop.models import Author, Book, Node

GENERIC = True
LEAVE_NULL = {"shop.Node.origin"}


def seed(n):
    # One prolific author: loops over a single author's books must grow with n.
    first = Author.objects.order_by("pk").first()
    Book.objects.update(author=first)
    # Every node is an original: its own origin.
    Node.objects.update(origin=F("pk"))
