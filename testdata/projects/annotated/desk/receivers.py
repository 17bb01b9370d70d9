"""Model signal receivers: `instance` is one object of the sender model."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Author, Book, Publisher


@receiver(post_save, sender=Author)
def retitle_author_books(sender, instance, **kwargs):
    for book in instance.books.all():
        book.title = book.title.strip()
        book.save(update_fields=["title"])  # expect: DJP105


@receiver(post_save, sender=Author)
def retitle_author_books_in_bulk(sender, instance, **kwargs):
    books = list(instance.books.all())
    for book in books:
        book.title = book.title.strip()
    Book.objects.bulk_update(books, ["title"])


def touch_any_books(sender, instance, **kwargs):
    # connected for two senders: `instance` is not one model's, nothing is claimed
    if hasattr(instance, "books"):
        for book in instance.books.all():
            book.save(update_fields=["title"])


post_save.connect(touch_any_books, sender=Author)
post_save.connect(touch_any_books, sender=Publisher)
