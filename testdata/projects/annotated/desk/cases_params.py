"""Rows reached through annotated parameters: the annotation names the model."""

from typing import Iterable, Optional

from django.db.models import Prefetch, QuerySet

from desk import models
from desk.models import Author, Book, Tag


# ------------------------------------------------------------ one row: `author: Author`


def publishers_of_titled(author: Author):
    # a query built here from the row: its loads are this function's
    for book in author.books.filter(title__isnull=False):
        print(book.publisher.name)  # expect: DJP101


def publishers_of_titled_joined(author: Author):
    for book in author.books.select_related("publisher").filter(title__isnull=False):
        print(book.publisher.name)


def publishers_of_all(author: Author):
    # `author.books.all()` may be served by a prefetch the caller made: not claimed
    for book in author.books.all():
        print(book.publisher.name)


def tag_queries(author: Author):
    for book in author.books.all():
        print(Tag.objects.filter(book=book).count())  # expect: DJP104


# oracle: also=desk/cases_params.py:publishers_of_titled
def case_model_annotation():
    publishers_of_titled(Author.objects.order_by("pk").first())


# oracle: also=desk/cases_params.py:publishers_of_titled_joined
def case_model_annotation_joined():
    publishers_of_titled_joined(Author.objects.order_by("pk").first())


# oracle: also=desk/cases_params.py:publishers_of_all
def case_model_annotation_caller_prefetched():
    publishers_of_all(Author.objects.prefetch_related("books__publisher").order_by("pk").first())


# oracle: also=desk/cases_params.py:tag_queries
def case_model_annotation_query_per_row():
    tag_queries(Author.objects.order_by("pk").first())


# ------------------------------------------------------------ spellings of the annotation


def quoted(author: "Author"):
    for book in author.books.filter(title__isnull=False):
        print(book.publisher.name)  # expect: DJP101


def optional(author: Optional[Author] = None):
    if author is None:
        return
    for book in author.books.filter(title__isnull=False):
        print(book.publisher.name)  # expect: DJP101


def union_none(author: "Author | None"):
    for book in author.books.exclude(title=""):
        print(book.publisher.name)  # expect: DJP101


def module_attribute(author: models.Author):
    for book in author.books.filter(title__isnull=False):
        print(book.publisher.name)  # expect: DJP101


def not_a_model(author: str):
    for book in Book.objects.filter(author__name=author).select_related("publisher"):
        print(book.publisher.name)


# oracle: also=desk/cases_params.py:quoted also=desk/cases_params.py:optional also=desk/cases_params.py:union_none also=desk/cases_params.py:module_attribute
def case_annotation_spellings():
    author = Author.objects.order_by("pk").first()
    quoted(author)
    optional(author)
    union_none(author)
    module_attribute(author)


# oracle: also=desk/cases_params.py:not_a_model
def case_annotation_not_a_model():
    not_a_model(Author.objects.order_by("pk").first().name)


# ------------------------------------------------------------ rows: `QuerySet[Book]`, `list[Book]`


def publisher_names(books: QuerySet[Book]):
    # what each row loads is the caller's choice: not claimed
    return [book.publisher.name for book in books]


def tag_counts(books: "QuerySet[Book]"):
    # a query of its own on every row, whatever the caller loaded
    return [Tag.objects.filter(book=book, name__isnull=False).count() for book in books]  # expect: DJP104


def tag_counts_listed(books: list[Book]):
    out = []
    for book in books:
        out.append(book.tags.filter(name__isnull=False).count())  # expect: DJP102
    return out


def tag_names_listed(books: Iterable[Book]):
    # `book.tags.all()` may be prefetched by the caller: not claimed
    return [[t.name for t in book.tags.all()] for book in books]


# oracle: also=desk/cases_params.py:publisher_names
def case_queryset_annotation_caller_joined():
    print(publisher_names(Book.objects.select_related("publisher")))


# oracle: also=desk/cases_params.py:tag_counts
def case_queryset_annotation_query_per_row():
    print(tag_counts(Book.objects.all()))


# oracle: also=desk/cases_params.py:tag_counts_listed
def case_list_annotation_query_per_row():
    print(tag_counts_listed(list(Book.objects.all())))


# oracle: also=desk/cases_params.py:tag_names_listed
def case_list_annotation_caller_prefetched():
    print(tag_names_listed(list(Book.objects.prefetch_related("tags"))))


# ------------------------------------------------------------ a cached_property the caller may fill


def sorted_tags(books: list[Book]):
    # `Prefetch(..., to_attr="tag_list")` in the caller fills the cached_property: not claimed
    return [[t.name for t in book.tag_list] for book in books]


def sorted_tags_titled(author: Author):
    return [[t.name for t in book.tag_list] for book in author.books.filter(title__isnull=False)]  # expect: DJP102


# oracle: also=desk/cases_params.py:sorted_tags
def case_cached_property_filled_by_caller():
    tags = Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr="tag_list")
    print(sorted_tags(list(Book.objects.prefetch_related(tags))))


# oracle: also=desk/cases_params.py:sorted_tags_titled
def case_cached_property_per_row():
    print(sorted_tags_titled(Author.objects.order_by("pk").first()))


# ------------------------------------------------------------ near-misses of the summaries


def author_keys(books: list[Book]):
    # the caller may have joined `author`: `.id` is not claimed to fetch it
    return [book.author.id for book in books]


# oracle: also=desk/cases_params.py:author_keys
def case_key_of_joined_rows():
    print(author_keys(list(Book.objects.select_related("author"))))


def publisher_key(book: Book):
    return book.author.publisher.id


# oracle: also=desk/cases_params.py:publisher_key
def case_key_of_joined_object():
    book = Book.objects.select_related("author__publisher").order_by("pk").first()
    print(publisher_key(book))


class Shelfmark:
    def __init__(self, author):
        self.author = author


def label(obj):
    # the branch runs for a `Shelfmark`, never for the `Book` rows handed in
    if isinstance(obj, Shelfmark):
        return obj.author.name
    return obj.title


def case_isinstance_of_plain_class():
    for book in Book.objects.all():
        print(label(book))
