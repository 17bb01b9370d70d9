"""Empty querysets, querysets evaluated inside a helper, overrides of Django's methods."""

from shop.models import Author, Book
from shop.selectors import attach_authors, books_or_nothing, books_or_nothing_unjoined, logged


def case_empty_branch_keeps_loads():
    for book in books_or_nothing(True):
        print(book.author.name)


def case_empty_branch_other_unjoined():
    for book in books_or_nothing_unjoined(True):
        print(book.author.name)  # expect: DJP101


def case_none_evaluated_in_loop():
    for author in Author.objects.all():
        print(author.name, list(Book.objects.none()))


def case_filter_evaluated_in_loop():
    for author in Author.objects.all():
        print(author.name, list(Book.objects.filter(author=author)))  # expect: DJP104


def case_helper_iterates_then_returns():
    for book in logged(Book.objects.all()):
        print(book.author.name)  # expect: DJP101


def case_helper_attaches_relation():
    for book in attach_authors(Book.objects.all()):
        print(book.author.name)


def case_overridden_get_in_loop():
    for author in Author.objects.all():
        print(Book.objects.get(pk=author.pk).title)  # expect: DJP104


def case_custom_count_in_loop():
    for author in Author.objects.all():
        print(author.name, Book.objects.count_titled(author.name))  # todo-expect: DJP104


def case_len_of_none():
    books = Book.objects.none()
    print(len(books))


def case_len_of_filter():
    books = Book.objects.filter(title__startswith="B")
    print(len(books))  # expect: DJP401
