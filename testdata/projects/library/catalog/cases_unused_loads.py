"""DJP106 unused-eager-load: a select_related/prefetch_related path no consumer of the rows reads.

Each unused load has a clean near-miss beside it that reads the relation (in the loop, in a
helper, a method, a property, a Prefetch's to_attr), and for those the same code without the
load is an N+1 (its DJP101/DJP102 twin), which proves the read happens on every row.
"""

from django.db.models import Prefetch

from catalog.models import Author, Book, Shelf


def case_select_related_unused():
    for book in Book.objects.select_related("author"):  # expect: DJP106
        print(book.title)


def case_select_related_read():
    for book in Book.objects.select_related("author"):  # load-read
        print(book.title, book.author.name)


def case_select_related_read_twin():
    for book in Book.objects.all():
        print(book.title, book.author.name)  # expect: DJP101


def case_one_of_two_unused():
    books = Book.objects.select_related(
        "author",  # load-read
        "editor",  # expect: DJP106
    )
    for book in books.order_by("title"):
        print(book.author.name)


def case_path_read_half_way():
    for book in Book.objects.select_related("author__publisher"):  # expect: DJP106
        print(book.author.name)


def case_path_read_whole():
    for book in Book.objects.select_related("author__publisher"):  # load-read
        print(book.author.publisher.name)


def case_prefetch_unused():
    for author in Author.objects.prefetch_related("book_set"):  # expect: DJP106, DJP201
        print(author.name)


def case_prefetch_read():
    for author in Author.objects.prefetch_related("book_set"):  # load-read
        print(author.name, [b.title for b in author.book_set.all()])


def case_prefetch_read_twin():
    for author in Author.objects.all():
        print(author.name, [b.title for b in author.book_set.all()])  # expect: DJP102


def case_prefetch_object_unused():
    for book in Book.objects.prefetch_related(Prefetch("tags")):  # expect: DJP106
        print(book.title)


def case_prefetch_to_attr_unused():
    tags = Prefetch("tags", to_attr="tag_list")
    for book in Book.objects.prefetch_related(tags):  # todo-expect: DJP106
        print(book.title)


def case_prefetch_to_attr_inline_unused():
    for book in Book.objects.prefetch_related(Prefetch("tags", to_attr="tag_list")):  # expect: DJP106
        print(book.title)


def case_prefetch_to_attr_read():
    for book in Book.objects.prefetch_related(Prefetch("tags", to_attr="tag_list")):  # load-read
        print(book.title, [t.name for t in book.tag_list])


def author_name(book):
    return book.author.name


def title_of(book):
    return book.title


def case_read_in_helper():
    for book in Book.objects.select_related("author"):  # load-read
        print(author_name(book))


def case_read_in_helper_twin():
    for book in Book.objects.all():
        print(author_name(book))  # expect: DJP101


def case_helper_reads_no_relation():
    for book in Book.objects.select_related("author"):  # expect: DJP106
        print(title_of(book))


def case_read_in_comprehension():
    books = Book.objects.select_related("editor")  # load-read
    print([book.editor.name for book in books if book.editor_id])


def case_rows_in_a_list():
    kept = []
    for book in Book.objects.select_related("author"):
        kept.append(book)
    print(len(kept))


def case_rows_read_by_getattr():
    for book in Book.objects.select_related("author"):
        print(getattr(book, "author").name)


def case_rows_handed_to_unknown_code():
    for book in Book.objects.select_related("author"):
        print(repr(book))


def case_rows_from_list():
    books = list(Book.objects.select_related("author"))
    for book in books:
        print(book.title)
    return books


def case_read_below_an_or_in_a_method():
    books = Book.objects.select_related(
        "editor__publisher",  # load-read
        "author__publisher",
    )
    for book in books:
        print(book.credited_publisher())


def case_relation_to_a_model_djperf_does_not_know():
    for shelf in Shelf.objects.select_related("owner"):  # load-read
        print(shelf.name, shelf.owner.name)


def case_read_in_a_subscript_target():
    titles = {}
    for book in Book.objects.select_related("author"):  # load-read
        titles[book.author.name] = book.title
    print(sorted(titles.items()))


def case_read_in_a_subscript_target_twin():
    titles = {}
    for book in Book.objects.all():
        titles[book.author.name] = book.title  # expect: DJP101
    print(sorted(titles.items()))


def case_read_in_an_augmented_subscript_target():
    counts = {}
    for name in Author.objects.values_list("name", flat=True):
        counts[name] = 0
    for book in Book.objects.select_related("author"):  # load-read
        counts[book.author.name] += 1
    print(sorted(counts.items()))


def case_subscript_target_reads_no_relation():
    titles = {}
    for book in Book.objects.select_related("author"):  # expect: DJP106
        titles[book.pk] = book.title
    print(sorted(titles.items()))


def case_row_as_a_subscript_key():
    by_book = {}
    for book in Book.objects.select_related("author"):
        by_book[book] = book.title
    print(len(by_book))


def case_path_extended_by_another_call():
    books = Book.objects.select_related("author").select_related(
        "author__publisher",  # expect: DJP106
    )
    for book in books:
        print(book.title)


def case_join_extended_by_a_prefetch():
    books = Book.objects.select_related("author").prefetch_related(
        "author__book_set",  # expect: DJP106
    )
    for book in books:
        print(book.title)


def case_join_extended_by_a_prefetch_read_half_way():
    books = Book.objects.select_related("author").prefetch_related(
        "author__book_set",  # expect: DJP106
    )
    for book in books:
        print(book.title, book.author.name)
