"""A related manager called with another manager of its model (`rel(manager="name")`) is
the same relation's rows."""

from shop.models import Book


def case_named_manager_rows():
    book = Book.objects.order_by("pk").first()
    for review in book.reviews(manager="objects").all():
        print(review.reviewer.name)  # expect: DJP101


def case_named_manager_rows_joined():
    book = Book.objects.order_by("pk").first()
    for review in book.reviews(manager="objects").select_related("reviewer"):
        print(review.reviewer.name)
