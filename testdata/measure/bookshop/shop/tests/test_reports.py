"""pytest-style tests (pytest-django): each calls one report over the 5 books of `books`."""

from shop import reports
from shop.tests.factories import make_books


def test_author_names(books):
    assert reports.author_names() == [f"Author {i}" for i in range(5)]


def test_author_names_joined(books):
    assert reports.author_names_joined() == [f"Author {i}" for i in range(5)]


def test_book_counts(books):
    assert set(reports.book_counts().values()) == {1}


def test_book_counts_prefetched(books):
    assert set(reports.book_counts_prefetched().values()) == {1}


def test_catalogue(books):
    assert reports.catalogue()[0] == "Book 0 (Publisher 0)"


def test_catalogue_small(db):
    make_books(2)
    assert len(reports.catalogue()) == 2


def test_catalogue_joined(books):
    assert len(reports.catalogue_joined()) == 5


def test_review_totals(books):
    assert sum(reports.review_totals().values()) == 5


def test_review_totals_grouped(books):
    assert sum(reports.review_totals_grouped().values()) == 5


def test_related_names(books):
    assert reports.related_names("author") == [f"Author {i}" for i in range(5)]


def test_column_values(books):
    assert reports.column_values("title") == [f"Book {i}" for i in range(5)]


def test_publisher_names_attached(books):
    assert len(reports.publisher_names_attached()) == 5


def test_titles_by_author(books):
    author = books[0].author
    assert reports.titles_by_author(author.pk) == ["Book 0: Publisher 0"]


def test_same_query_on_three_lines(books):
    # Three calls of a clean function on three lines: three call sites, no N+1.
    first = reports.author_names_joined()
    second = reports.author_names_joined()
    third = reports.author_names_joined()
    assert first == second == third
