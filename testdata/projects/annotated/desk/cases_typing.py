"""Annotations naming models imported for type checkers only, on methods of plain classes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk.models import Author as AuthorModel

if TYPE_CHECKING:
    from desk.models import Author, Book


class Report:
    def __init__(self, title):
        self.title = title

    def publishers(self, author: Author):
        for book in author.books.filter(title__isnull=False):
            print(self.title, book.publisher.name)  # expect: DJP101

    @staticmethod
    def publishers_static(author: Author):
        for book in author.books.exclude(title=""):
            print(book.publisher.name)  # expect: DJP101

    @classmethod
    def publishers_joined(cls, author: Author):
        for book in author.books.select_related("publisher").exclude(title=""):
            print(cls.__name__, book.publisher.name)


def book_authors(books: list[Book]):
    # the caller chose what the rows load
    return [b.author.name for b in books]


# oracle: also=desk/cases_typing.py:Report
def case_type_checking_import():
    report = Report("publishers")
    author = AuthorModel.objects.order_by("pk").first()
    report.publishers(author)
    Report.publishers_static(author)
    Report.publishers_joined(author)


# oracle: also=desk/cases_typing.py:book_authors
def case_type_checking_list_caller_joined():
    from desk.models import Book

    print(book_authors(list(Book.objects.select_related("author"))))
