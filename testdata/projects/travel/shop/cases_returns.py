"""Querysets returned by functions, methods, properties and manager methods."""

from shop.models import Author, Book
from shop.selectors import (
    all_books,
    books_for,
    books_maybe_joined,
    books_of,
    books_with_authors,
    newest_first,
    recent_books,
    with_tag_count,
)


def case_helper_returns_queryset():
    for book in all_books():
        print(book.author.name)  # expect: DJP101


def case_helper_returns_loaded_queryset():
    for book in books_with_authors():
        print(book.author.name)


def case_pass_through_keeps_rows():
    for book in with_tag_count(Book.objects.all()):
        print(book.author.name, book.n_tags)  # expect: DJP101


def case_pass_through_keeps_loads():
    for book in with_tag_count(Book.objects.select_related("author")):
        print(book.author.name, book.n_tags)


def case_pass_through_assigned():
    books = newest_first(Book.objects.filter(title__startswith="B"))
    for book in books:
        print(book.author.name)  # expect: DJP101


def case_pass_through_assigned_loaded():
    books = newest_first(Book.objects.select_related("author"))
    for book in books:
        print(book.author.name)


def case_helpers_compose():
    for book in recent_books():
        print(book.author.name)  # expect: DJP101


def case_helpers_compose_loaded():
    for book in newest_first(books_with_authors()):
        print(book.author.name)


def case_branches_all_load():
    for book in books_for():
        print(book.author.name)


def case_one_branch_does_not_load():
    for book in books_maybe_joined(False):
        print(book.author.name)  # expect: DJP101


def case_helper_returns_related_manager():
    for author in Author.objects.all():
        for book in books_of(author):  # expect: DJP102
            print(book.title)


def case_helper_returns_related_manager_prefetched():
    for author in Author.objects.prefetch_related("book_set"):
        for book in books_of(author):
            print(book.title)


def case_model_method_returns_related():
    for author in Author.objects.all():
        print([b.title for b in author.get_books()])  # expect: DJP102


def case_model_method_returns_related_prefetched():
    for author in Author.objects.prefetch_related("book_set"):
        print([b.title for b in author.get_books()])


def case_returned_rows_read_relation():
    author = Author.objects.first()
    for book in author.get_books():
        print([t.name for t in book.tags.all()])  # expect: DJP102


def case_returned_rows_loaded_inside():
    author = Author.objects.first()
    for book in author.get_books_with_tags():
        print([t.name for t in book.tags.all()])


def case_memoised_method():
    author = Author.objects.first()
    for book in author.memo_books():
        print([t.name for t in book.tags.all()])  # expect: DJP102


def case_memoised_method_loaded():
    author = Author.objects.first()
    for book in author.memo_books_with_tags():
        print([t.name for t in book.tags.all()])


def case_property_returns_related():
    for book in Book.objects.all():
        print([t.name for t in book.tag_list])  # expect: DJP102


def case_property_returns_related_prefetched():
    for book in Book.objects.prefetch_related("tags"):
        print([t.name for t in book.tag_list])


def case_manager_method_returns_queryset():
    for book in Book.objects.by_title("B"):
        print(book.author.name)  # expect: DJP101


def case_manager_method_loads():
    for book in Book.objects.by_title("B").with_author():
        print(book.author.name)


def case_manager_method_accumulates_filters():
    for book in Book.objects.matching(["o", "k"]):
        print(book.author.name)  # expect: DJP101


def case_manager_method_accumulates_filters_loaded():
    for book in Book.objects.select_related("author").matching(["o", "k"]):
        print(book.author.name)


def case_static_method_transforms():
    for book in Book.with_reviews(Book.objects.all()):
        print(book.author.name, [r.rating for r in book.reviews.all()])  # expect: DJP101


def case_static_method_transforms_loaded():
    for book in Book.with_reviews(Book.objects.select_related("author")):
        print(book.author.name, [r.rating for r in book.reviews.all()])


def case_classmethod_builds():
    for book in Book.newest():
        print(book.author.name)  # expect: DJP101


def case_classmethod_builds_loaded():
    for book in Book.newest_with_author():
        print(book.author.name)
