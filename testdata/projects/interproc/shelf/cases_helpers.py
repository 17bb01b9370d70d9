"""Rows handed to helper functions: same file, imported, module attribute, recursive."""

from django.db.models import Prefetch

from shelf import utils
from shelf.models import Author, Book, Tag
from shelf.utils import author_id_of, count_tags, describe, describe_via, set_author, title_b, walk_b


def local_describe(book):
    return book.author.name


def case_helper_same_file():
    for book in Book.objects.all():
        print(local_describe(book))  # expect: DJP101


def case_helper_same_file_loaded():
    for book in Book.objects.select_related("author"):
        print(local_describe(book))


def case_helper_imported():
    for book in Book.objects.all():
        print(describe(book))  # expect: DJP101


def case_helper_imported_loaded():
    for book in Book.objects.select_related("author"):
        print(describe(book))


def case_helper_module_attribute():
    for book in Book.objects.all():
        print(utils.describe(book))  # expect: DJP101


def case_helper_keyword_argument():
    for book in Book.objects.all():
        print(describe(book=book))  # expect: DJP101


def case_helper_reads_only_id():
    for book in Book.objects.all():
        print(author_id_of(book))


def case_helper_outside_loop():
    book = Book.objects.first()
    print(describe(book))


def case_helper_related_manager():
    for book in Book.objects.all():
        print(count_tags(book))  # expect: DJP102


def case_helper_related_manager_prefetched():
    for book in Book.objects.prefetch_related("tags"):
        print(count_tags(book))


def case_helper_prefetch_object_travels():
    for book in Book.objects.prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name"))):
        print(count_tags(book))


def case_helper_chain_of_helpers():
    for book in Book.objects.select_related("author"):
        print(describe_via(book))  # expect: DJP101


def case_helper_chain_of_helpers_loaded():
    for book in Book.objects.select_related("author__publisher"):
        print(describe_via(book))


def case_recursive_helpers():
    for book in Book.objects.all():
        print(walk_b(book, 1))  # expect: DJP101


def case_recursive_helpers_clean():
    for book in Book.objects.all():
        print(title_b(book, 1))


def case_helper_assigns_relation():
    author = Author.objects.first()
    for book in Book.objects.all():
        set_author(book, author)
        print(book.title)
