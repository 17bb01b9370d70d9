"""DJP104 query-in-loop: a fresh query per row."""

from catalog.models import Author, Book, Publisher, Review, Tag


def case_get_in_loop():
    for book in Book.objects.all():
        author = Author.objects.get(pk=book.author_id)  # expect: DJP104
        print(author.name)


def case_get_hoisted_into_dict():
    authors = {author.pk: author for author in Author.objects.all()}
    for book in Book.objects.all():
        print(authors[book.author_id].name)


def case_filter_first_in_loop():
    for author in Author.objects.all():
        latest = Book.objects.filter(author=author).order_by("-published_on").first()  # expect: DJP104
        print(latest)


def case_count_in_loop():
    for book in Book.objects.all():
        print(Review.objects.filter(book=book).count())  # expect: DJP104


def case_exists_in_loop():
    for book in Book.objects.all():
        if Review.objects.filter(book_id=book.pk, rating__gte=4).exists():  # expect: DJP104
            print(book.title)


def case_exists_hoisted_as_id_set():
    well_rated = set(Review.objects.filter(rating__gte=4).values_list("book_id", flat=True))
    for book in Book.objects.all():
        if book.pk in well_rated:
            print(book.title)


def case_create_in_loop():
    for book in Book.objects.all():
        Review.objects.create(book=book, rating=3, body="Imported.")  # expect: DJP104


def case_create_in_loop_then_used():
    # the new row is used in the same iteration: the help says two passes, not "after it"
    for book in Book.objects.all():
        review = Review.objects.create(book=book, rating=3, body="Imported.")  # expect: DJP104
        print(review.pk, review.book_id)


def case_create_in_loop_collected():
    # only collected for later: building them and one bulk_create after the loop fits
    created = []
    for book in Book.objects.all():
        review = Review.objects.create(book=book, rating=3, body="Imported.")  # expect: DJP104
        created.append(review)
    print(len(created))


def case_bulk_create_after_loop():
    reviews = [Review(book=book, rating=3, body="Imported.") for book in Book.objects.all()]
    Review.objects.bulk_create(reviews)


def case_query_in_comprehension():
    counts = {author.pk: Book.objects.filter(author=author).count() for author in Author.objects.all()}  # expect: DJP104
    print(counts)


def case_query_hoisted_before_loop():
    default_tag = Tag.objects.order_by("pk").first()
    for book in Book.objects.all():
        print(book.title, default_tag.name)


def case_query_in_loop_over_one_row():
    for publisher in Publisher.objects.filter(pk=1):
        print(Author.objects.filter(publisher=publisher).count())


def case_queryset_built_before_loop_iterated_in_it():
    # The first iteration fills `tags`' result cache; the other iterations reuse it.
    tags = Tag.objects.filter(name__startswith="Tag")
    for book in Book.objects.all():
        print(book.title, [tag.name for tag in tags])


def case_queryset_built_before_loop_counted_in_it():
    # `.count()` does not use (or fill) the result cache: one COUNT per row.
    tags = Tag.objects.filter(name__startswith="Tag")
    for book in Book.objects.all():
        print(book.title, tags.count())  # expect: DJP104


def case_queryset_built_before_loop_iterator_in_it():
    # `.iterator()` does not cache: every iteration queries again.
    tags = Tag.objects.filter(name__startswith="Tag")
    for book in Book.objects.all():
        print(book.title, list(tags.iterator()))  # expect: DJP104


def case_queryset_built_in_outer_loop_iterated_in_inner():
    # Cached across the inner loop, but built again for every publisher: one query each.
    books = list(Book.objects.all())
    for publisher in Publisher.objects.all():
        tags = Tag.objects.filter(name__startswith="Tag")
        for book in books:
            print(publisher.name, book.title, [tag.name for tag in tags])  # expect: DJP104


def case_list_prefetched_by_function():
    from django.db.models import prefetch_related_objects

    books = list(Book.objects.order_by("pk"))
    prefetch_related_objects(books, "tags", "author")
    for book in books:
        print(book.author.name, [t.name for t in book.tags.all()])


def case_list_not_prefetched():
    books = list(Book.objects.order_by("pk"))
    for book in books:
        print([t.name for t in book.tags.all()])  # expect: DJP102
