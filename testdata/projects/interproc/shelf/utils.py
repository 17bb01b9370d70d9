"""Helpers that the cases import; they read what the caller hands them."""


def describe(book):
    return book.author.name


def author_id_of(book):
    return book.author_id


def count_tags(book):
    return len(book.tags.all())


def walk_a(book, n):
    if n <= 0:
        return book.author.name
    return walk_b(book, n - 1)


def walk_b(book, n):
    if n <= 0:
        return book.title
    return walk_a(book, n - 1)


def title_a(book, n):
    if n <= 0:
        return book.title
    return title_b(book, n - 1)


def title_b(book, n):
    if n <= 0:
        return book.title
    return title_a(book, n - 1)


def describe_author(author):
    return author.publisher.name


def describe_via(book):
    return describe_author(book.author)


def set_author(book, author):
    book.author = author
    book.title = book.title.strip()
