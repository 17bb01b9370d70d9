"""DJP103 prefetch-bypassed: a prefetched relation re-queried per row.

Which calls the prefetch cache serves is written down in ../PREFETCH_CACHE.md; each claim
there has a case here. Tag has Meta.ordering, Review has none.
"""

from django.db.models import Max, Prefetch

from catalog.models import Author, Book, Review


def books_with_tags():
    return Book.objects.prefetch_related("tags")


def case_prefetched_iterate():
    for book in books_with_tags():
        for tag in book.tags.all():
            print(tag.name)


def case_prefetched_len():
    for book in Book.objects.prefetch_related("tags"):
        print(len(book.tags.all()))


def case_prefetched_count():
    for book in Book.objects.prefetch_related("tags"):
        print(book.tags.count())


def case_prefetched_exists():
    for book in Book.objects.prefetch_related("tags"):
        print(book.tags.exists())


def case_prefetched_truthiness():
    for book in Book.objects.prefetch_related("tags"):
        if book.tags.all():
            print(book.title)


def case_prefetched_index():
    for book in Book.objects.prefetch_related("tags"):
        print(book.tags.all()[0].name)


def case_prefetched_slice():
    for book in Book.objects.prefetch_related("tags"):
        print([tag.name for tag in book.tags.all()[:1]])


def case_prefetched_membership():
    tag = Book.objects.prefetch_related("tags")[0].tags.all()[0]
    for book in Book.objects.prefetch_related("tags"):
        print(tag in book.tags.all(), book.tags.contains(tag))


def case_prefetched_first_on_ordered_model():
    for book in Book.objects.prefetch_related("tags"):
        print(book.tags.first())


def case_prefetched_first_on_unordered_model():
    for book in Book.objects.prefetch_related("reviews"):
        print(book.reviews.first())  # expect: DJP103


def case_prefetched_first_with_ordered_prefetch():
    books = Book.objects.prefetch_related(Prefetch("reviews", queryset=Review.objects.order_by("-rating")))
    for book in books:
        print(book.reviews.first())


def case_prefetched_count_on_all():
    for book in Book.objects.prefetch_related("tags"):
        print(book.tags.all().count())


def case_prefetched_all_called_twice():
    for book in Book.objects.prefetch_related("tags"):
        print([tag.name for tag in book.tags.all().all()])  # expect: DJP103


def case_prefetched_last():
    for book in Book.objects.prefetch_related("tags"):
        print(book.tags.last())  # expect: DJP103


def case_prefetched_filter():
    for book in Book.objects.prefetch_related("tags"):
        print(list(book.tags.filter(name__startswith="Tag")))  # expect: DJP103


def case_prefetched_exclude():
    for book in Book.objects.prefetch_related("tags"):
        print(list(book.tags.exclude(name="")))  # expect: DJP103


def case_prefetched_order_by():
    for book in Book.objects.prefetch_related("tags"):
        print(list(book.tags.order_by("-name")))  # expect: DJP103


def case_prefetched_get():
    for book in Book.objects.prefetch_related("tags"):
        print(book.tags.get(pk=book.tags.all()[0].pk))  # expect: DJP103


def case_prefetched_values_list():
    for book in Book.objects.prefetch_related("tags"):
        print(list(book.tags.values_list("name", flat=True)))  # expect: DJP103


def case_prefetched_values():
    for book in Book.objects.prefetch_related("tags"):
        print(list(book.tags.values("name")))  # expect: DJP103


def case_prefetched_aggregate():
    for book in Book.objects.prefetch_related("reviews"):
        print(book.reviews.aggregate(best=Max("rating")))  # expect: DJP103


def case_prefetched_iterator():
    for book in Book.objects.prefetch_related("tags"):
        print([tag.name for tag in book.tags.iterator()])  # expect: DJP103


def case_prefetched_reverse_fk_filter():
    for author in Author.objects.prefetch_related("book_set"):
        print(list(author.book_set.filter(is_published=True)))  # expect: DJP103


def case_prefetched_filter_done_in_python():
    for author in Author.objects.prefetch_related("book_set"):
        print([book for book in author.book_set.all() if book.is_published])
