"""Receivers called as Django calls them, with one author of many books."""

from .models import Author
from .receivers import (
    retitle_author_books,
    retitle_author_books_in_bulk,
)


def prolific_author():
    return Author.objects.order_by("pk").first()


# oracle: also=desk/receivers.py:retitle_author_books
def case_receiver_saves_each_book():
    retitle_author_books(sender=Author, instance=prolific_author())


# oracle: also=desk/receivers.py:retitle_author_books_in_bulk
def case_receiver_updates_books_in_bulk():
    retitle_author_books_in_bulk(sender=Author, instance=prolific_author())
