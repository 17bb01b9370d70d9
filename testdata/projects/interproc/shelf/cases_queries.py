"""Functions that run a query of their own, called once per row: one query per row."""

from django.conf import settings

from shelf import queries
from shelf.models import Book
from shelf.queries import (
    cached_price,
    cached_price_try,
    has_stock,
    maybe_price,
    price_label,
    price_of,
    price_of_or_none,
    price_or_cached,
    price_or_default,
    price_unless_given,
    prices_of,
    stock_named,
    stock_total,
)


def case_helper_runs_query():
    for book in Book.objects.all():
        print(price_of(book))  # expect: DJP104


def case_helper_runs_exists():
    for book in Book.objects.all():
        print(has_stock(book))  # expect: DJP104


def case_helper_module_attribute_runs_query():
    for book in Book.objects.all():
        print(queries.price_of(book))  # expect: DJP104


def case_helper_calls_querying_helper():
    for book in Book.objects.all():
        print(price_label(book))  # expect: DJP104


def case_helper_query_in_try_body():
    for book in Book.objects.all():
        print(price_of_or_none(book))  # expect: DJP104


def case_helper_in_comprehension():
    print([price_of(b) for b in Book.objects.all()])  # expect: DJP104


def case_method_runs_query():
    for book in Book.objects.all():
        print(book.current_price())  # expect: DJP104


def case_property_runs_query():
    for book in Book.objects.all():
        print(book.in_stock)  # expect: DJP104


def case_helper_query_outside_loop():
    book = Book.objects.first()
    print(price_of(book))


def case_helper_query_after_early_return():
    for book in Book.objects.all():
        print(price_or_default(book, default=0))


def case_helper_query_behind_cache_check():
    for book in Book.objects.all():
        print(cached_price(book))


def case_helper_query_in_except_of_cache_lookup():
    for book in Book.objects.all():
        print(cached_price_try(book))


def case_helper_query_only_when_param_is_none():
    for book in Book.objects.all():
        print(price_unless_given(book, price=0))


def case_helper_query_after_or():
    for book in Book.objects.all():
        print(price_or_cached(book))


def case_helper_memoised():
    for book in Book.objects.all():
        print(book.title, stock_total())


def case_helper_returns_lazy_queryset():
    for book in Book.objects.all():
        print(book.title, prices_of(book).query is not None)


def case_helper_calls_querying_helper_in_branch():
    for book in Book.objects.all():
        print(maybe_price(book, want=False))


def case_method_query_behind_attribute_cache():
    for book in Book.objects.all():
        print(book.cached_price())  # todo-expect: DJP104


def case_helper_query_in_loop_over_settings():
    # A fixed list from the settings, not rows: a few queries, however many books there are.
    for title in getattr(settings, "SHELF_FEATURED_TITLES", ["a", "b"]):
        print(stock_named(title))
