"""Reports over the catalogue: each N+1 beside its clean near-miss.

Claims: `# expect: CODE` is what djperf reports statically; `measure: ...` is what
`djperf check --queries` must say once the test suite has been captured
(scripts/test.d/measure): `confirmed N TEST` (N identical queries in TEST), `hidden` (the
tests ran it and saw no repeated query: not confirmed), `not-reached`, or `DJP190 N TEST`.
"""

from shop.models import Author, Book, Publisher, Review


def author_names():
    names = []
    for book in Book.objects.order_by("pk"):
        names.append(book.author.name)  # expect: DJP101 measure: confirmed 5 test_author_names
    return names


def author_names_joined():
    return [book.author.name for book in Book.objects.select_related("author").order_by("pk")]


def book_counts():
    return {author.name: len(author.books.all()) for author in Author.objects.all()}  # expect: DJP102 measure: confirmed 5 test_book_counts


def book_counts_prefetched():
    authors = Author.objects.prefetch_related("books")
    return {author.name: len(author.books.all()) for author in authors}


def publisher_line(book):
    return f"{book.title} ({book.publisher.name})"


def catalogue():
    return [publisher_line(book) for book in Book.objects.order_by("pk")]  # expect: DJP101 measure: confirmed 5 test_catalogue


def catalogue_joined():
    return [publisher_line(book) for book in Book.objects.select_related("publisher")]


def review_totals():
    totals = {}
    for book in Book.objects.all():
        totals[book.pk] = Review.objects.filter(book=book).count()  # expect: DJP104 measure: confirmed 5 test_review_totals
    return totals


def review_totals_grouped():
    totals = dict.fromkeys(Book.objects.values_list("pk", flat=True), 0)
    for row in Review.objects.values("book_id"):
        totals[row["book_id"]] += 1
    return totals


def related_names(relation):
    # A relation named at run time: djperf cannot see which one, the capture can.
    return [getattr(book, relation).name for book in Book.objects.order_by("pk")]  # measure: DJP190 5 test_related_names


def column_values(column):
    return [getattr(book, column) for book in Book.objects.order_by("pk")]


def publisher_names_attached():
    # The publishers are attached by hand from one query, which djperf does not follow: a
    # static false positive that the test run does not confirm.
    books = list(Book.objects.all())
    publishers = {p.pk: p for p in Publisher.objects.all()}
    for book in books:
        book.publisher = publishers[book.publisher_id]
    return [book.publisher.name for book in books]  # expect: DJP101 measure: hidden


def titles_by_author(author_id):
    return [f"{book.title}: {book.publisher.name}" for book in Book.objects.filter(author_id=author_id)]  # expect: DJP101 measure: hidden


def unused_report():
    for book in Book.objects.all():
        print(book.author.name)  # expect: DJP101 measure: not-reached
