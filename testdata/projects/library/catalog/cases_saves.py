"""DJP105 save-in-loop: one write per row."""

from django.db.models import F
from django.db.models.functions import Upper

from catalog.models import Book, Review


def case_save_in_loop():
    for book in Book.objects.all():
        book.title = book.title.upper()
        book.save()  # expect: DJP105


def case_save_update_fields_in_loop():
    for book in Book.objects.all():
        book.price = book.price * 2
        book.save(update_fields=["price"])  # expect: DJP105


def case_update_instead_of_loop():
    Book.objects.update(title=Upper("title"))


def case_update_with_f_expression():
    Book.objects.filter(is_published=True).update(price=F("price") * 2)


def case_bulk_update():
    books = list(Book.objects.all())
    for book in books:
        book.title = book.title.upper()
    Book.objects.bulk_update(books, ["title"])


def case_delete_in_loop():
    for review in Review.objects.filter(rating__lte=5):  # expect: DJP201
        review.delete()  # expect: DJP105


def case_queryset_delete():
    Review.objects.filter(rating__lte=5).delete()


def case_save_single_object():
    book = Book.objects.order_by("pk").first()
    book.title = book.title.upper()
    book.save()
