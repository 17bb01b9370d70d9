"""DJP106 unused-eager-load through model members: properties, methods and __str__ are
followed, so a load they read is kept and one they do not read is reported."""

from shelf.models import Book


def case_property_reads_no_relation():
    for book in Book.objects.select_related("author"):  # expect: DJP106
        print(book.short_title)


def case_property_reads_the_relation():
    for book in Book.objects.select_related("author"):  # load-read
        print(book.author_name)


def case_method_reads_only_the_key():
    for book in Book.objects.select_related("author"):  # expect: DJP106
        print(book.author_ref())


def case_method_through_self_helper():
    for book in Book.objects.select_related("author"):  # load-read
        print(book.summary())


def case_str_reads_half_the_path():
    for book in Book.objects.select_related("author__publisher"):  # expect: DJP106
        print(str(book))


def case_str_of_the_related_object():
    # Author.__str__ reads the publisher.
    for book in Book.objects.select_related("author__publisher"):  # load-read
        print(book.title, book.author)


def case_cached_property_reads_the_prefetch():
    for book in Book.objects.prefetch_related("tags"):  # load-read
        print(book.tag_names)
