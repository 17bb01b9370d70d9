"""DJP002: each syntax error where it is; the statements after it are still checked."""
from shop.models import Book


def broken(:  # expect: DJP002
    for book in Book.objects.all():
        print(book.author.name)  # expect: DJP101


def titles():
    for book in Book.objects.all():
        print(book.author.name)  # expect: DJP101


label = f"{Book.title  # expect: DJP002


def after_the_unterminated_f_string():
    for book in Book.objects.all():
        print(book.author.name)  # expect: DJP101


value = sorted(Book.objects.all(),  # expect: DJP002


def after_the_unclosed_call():
    for book in Book.objects.all():
        print(book.author.name)  # expect: DJP101


def clean_near_miss():
    for book in Book.objects.select_related("author"):
        print(book.author.name)
