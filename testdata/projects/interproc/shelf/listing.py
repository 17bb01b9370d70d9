"""Helpers that take a queryset and iterate it (cases in cases_handed.py)."""


def print_authors(books):
    for book in books:
        print(book.author.name)


def print_authors_prefetched(books):
    # the callee loads what it reads: every caller's rows are served
    for book in books.prefetch_related("author"):
        print(book.author.name)


def print_tag_names(books):
    for book in books:
        print([t.name for t in book.tags.all()])


def count_rows(books):
    return len(books)


def print_titles(books):
    for book in books:
        print(book.title)

