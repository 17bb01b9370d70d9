"""Seeding hooks for scripts/oracle (see testdata/projects/README.md)."""

from django.contrib.auth import get_user_model

from catalogue.models import Basket
from shop.models import Book, Review

GENERIC = True


def seed(n):
    # Every review is of the first book: its detail page lists n reviews.
    Review.objects.update(book=Book.objects.order_by("pk").first())
    # Every basket is the first user's: the customer page lists n baskets.
    Basket.objects.update(owner=get_user_model().objects.order_by("pk").first())
