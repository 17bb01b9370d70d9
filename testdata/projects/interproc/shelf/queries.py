"""Helpers that run queries of their own (imported by cases_queries)."""

import functools

from django.core.exceptions import ObjectDoesNotExist

from shelf.models import Price, Stock

_PRICES = {}


def price_of(book):
    return Price.objects.filter(book=book).order_by("-id").first()


def has_stock(book):
    return Stock.objects.filter(book=book).exists()


def price_label(book):
    price = price_of(book)
    return f"{book.title}: {price.amount if price else '-'}"


def price_or_default(book, default=None):
    if default is not None:
        return default
    return price_of(book)


def cached_price(book):
    if book.pk not in _PRICES:
        _PRICES[book.pk] = Price.objects.filter(book=book).first()
    return _PRICES[book.pk]


def cached_price_try(book):
    try:
        return _PRICES[book.pk]
    except KeyError:
        price = _PRICES[book.pk] = Price.objects.filter(book=book).first()
        return price


def price_unless_given(book, price=None):
    if price is None:
        price = Price.objects.filter(book=book).first()
    return price


def price_or_cached(book):
    return _PRICES.get(book.pk) or _PRICES.setdefault(book.pk, Price.objects.filter(book=book).first())


def price_of_or_none(book):
    try:
        return Price.objects.get(book=book, amount=-1)
    except ObjectDoesNotExist:
        return None


@functools.lru_cache(maxsize=None)
def stock_total():
    return Stock.objects.count()


def prices_of(book):
    return Price.objects.filter(book=book)


def maybe_price(book, want):
    if want:
        return price_of(book)
    return None


def stock_named(title):
    return Stock.objects.filter(book__title=title).exists()
