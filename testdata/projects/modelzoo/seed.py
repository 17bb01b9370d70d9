"""Seeding hooks for scripts/oracle (see testdata/projects/README.md)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from inventory.models import Comment, Product

GENERIC = True


def seed(n):
    # Generic relations all point at products: a prefetch then costs one query per content
    # type, not per row.
    product_type = ContentType.objects.get_for_model(Product)
    products = list(Product.objects.order_by("pk"))
    for i, comment in enumerate(Comment.objects.order_by("pk")):
        comment.content_type = product_type
        comment.object_id = products[i % len(products)].pk
        comment.save()  # noqa: DJP105 (seeding)
    users = list(get_user_model().objects.all())
    for i in range(n):
        group = Group.objects.create(name=f"group-{i}")  # noqa: DJP104 (seeding)
        group.user_set.add(*users[:2])  # noqa: DJP104 (seeding)
