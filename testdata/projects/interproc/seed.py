"""Seeding hooks for scripts/oracle (see testdata/projects/README.md)."""

from shelf.models import Bay

GENERIC = True
LEAVE_NULL = {"shelf.Bay.parent"}


def seed(n):
    # One level of nesting: every shelf but the first sits in the first.
    root = Bay.objects.order_by("pk").first()
    Bay.objects.exclude(pk=root.pk).update(parent=root)
