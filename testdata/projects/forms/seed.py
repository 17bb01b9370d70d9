"""Seeding hooks for scripts/oracle (see testdata/projects/README.md)."""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from shop.models import Book

# The generic seeder first (n rows per model), then n permissions of the shop app.
GENERIC = True


def seed(n):
    ct = ContentType.objects.get_for_model(Book)
    Permission.objects.bulk_create(
        Permission(content_type=ct, codename=f"pick_{i}", name=f"Can pick {i}")
        for i in range(n)
    )
