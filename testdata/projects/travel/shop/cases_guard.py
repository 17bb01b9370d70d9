"""Properties that return early when a Prefetch(to_attr=...) list is on the instance."""

from django.db.models import Prefetch

from shop.models import Author, Book


def case_guarded_property_with_to_attr():
    authors = Author.objects.prefetch_related(
        Prefetch("book_set", queryset=Book.objects.order_by("-id"), to_attr="recent_books")
    )
    for author in authors:
        print(author.book_count)


def case_guarded_property_without_to_attr():
    for author in Author.objects.all():
        print(author.book_count)  # expect: DJP102
