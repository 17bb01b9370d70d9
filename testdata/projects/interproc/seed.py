"""Seeding hooks for scripts/oracle (see testdata/projects/README.md)."""

from shelf.models import Shelf

GENERIC = True
LEAVE_NULL = {"shelf.Shelf.parent"}


def seed(n):
    # One level of nesting: every shelf but the first sits in the first.
    root = Shelf.objects.order_by("pk").first()
    Shelf.objects.exclude(pk=root.pk).update(parent=root)
