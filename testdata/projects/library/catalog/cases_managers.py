"""DJP102 related-manager-in-loop: reverse FK / M2M managers evaluated per row."""

from django.db.models import Count, Prefetch

from catalog.models import Author, Book, Publisher, Tag


def case_m2m_all_in_loop():
    for book in Book.objects.all():
        print(book.title, list(book.tags.all()))  # expect: DJP102


def case_m2m_prefetched():
    for book in Book.objects.prefetch_related("tags"):
        print(book.title, list(book.tags.all()))


def case_m2m_prefetch_object_to_attr():
    books = Book.objects.prefetch_related(
        Prefetch("tags", queryset=Tag.objects.filter(name__startswith="Tag"), to_attr="tag_list")
    )
    for book in books:
        print(book.title, [tag.name for tag in book.tag_list])


def case_m2m_iterated_in_nested_loop():
    for book in Book.objects.all():
        for tag in book.tags.all():  # expect: DJP102
            print(book.title, tag.name)


def case_m2m_nested_loop_prefetched():
    for book in Book.objects.prefetch_related("tags"):
        for tag in book.tags.all():
            print(book.title, tag.name)


def case_reverse_m2m_in_loop():
    for tag in Tag.objects.all():
        print(tag.name, [book.title for book in tag.books.all()])  # expect: DJP102


def case_reverse_fk_count_in_loop():
    for author in Author.objects.all():
        print(author.name, author.book_set.count())  # expect: DJP102


def case_reverse_fk_count_prefetched():
    for author in Author.objects.prefetch_related("book_set"):
        print(author.name, author.book_set.count())


def case_reverse_fk_count_annotated():
    for author in Author.objects.annotate(book_count=Count("book")):  # expect: DJP201
        print(author.name, author.book_count)


def case_reverse_fk_exists_in_loop():
    for book in Book.objects.all():
        if book.reviews.exists():  # expect: DJP102
            print(book.title)


def case_reverse_fk_len_in_loop():
    for book in Book.objects.all():
        print(book.title, len(book.reviews.all()))  # expect: DJP102


def case_reverse_fk_in_comprehension():
    ratings = [[r.rating for r in book.reviews.all()] for book in Book.objects.all()]  # expect: DJP102
    print(ratings)


def case_reverse_fk_in_comprehension_prefetched():
    ratings = [[r.rating for r in book.reviews.all()] for book in Book.objects.prefetch_related("reviews")]
    print(ratings)


def case_children_loop_inside_parent_loop():
    for author in Author.objects.all():
        for book in author.book_set.all():  # expect: DJP102
            print(book.author.name, book.title)


def case_single_parent_related_manager():
    author = Author.objects.order_by("pk").first()
    print([book.title for book in author.book_set.all()])


def case_related_last_per_row():
    for book in Book.objects.all():
        print(book.reviews.last())  # expect: DJP102


# A related manager called over another manager of its model (`rel(manager="name")`):
# the named manager's rows, one query per publisher; what its get_queryset() joins is
# loaded.
def case_named_manager_per_row():
    for publisher in Publisher.objects.all():
        for author in publisher.authors(manager="with_publisher").all():  # expect: DJP102
            print(author.publisher.name)


# The same through a model property; a plain prefetch would cache the default manager's
# rows, so it is worded as narrowed.
def case_named_manager_property_per_row():
    for publisher in Publisher.objects.all():
        for author in publisher.listed_authors.all():  # expect: DJP102
            print(author.name)


# prefetch_related() of the property: Django prefetches through the manager it returns
# (with its joins) and the property's manager reads that cache: clean.
def case_named_manager_property_prefetched():
    for publisher in Publisher.objects.prefetch_related("listed_authors"):
        for author in publisher.listed_authors.all():
            print(author.name, author.publisher.name)


def print_listed_authors(publisher: Publisher):
    # the caller may prefetch "listed_authors": not claimed here
    for author in publisher.listed_authors.all():
        print(author.name)


# oracle: also=catalog/cases_managers.py:print_listed_authors
def case_named_manager_property_prefetched_by_caller():
    for publisher in Publisher.objects.prefetch_related("listed_authors"):
        print_listed_authors(publisher)
