"""DJP003: the djperf codes of a `# noqa` that suppress nothing (enabled by pyproject.toml)."""
from shop.models import Book


def suppressed():
    for book in Book.objects.all():
        print(book.author.name)  # noqa: DJP101


def stale():
    for book in Book.objects.select_related("author"):
        print(book.author.name)  # noqa: DJP101  # expect: DJP003


def other_tools_codes_are_theirs():
    for book in Book.objects.select_related("author"):
        print(book.author.name)  # noqa: E501, F401
        print(book.title)  # noqa


def disabled_and_unknown():
    x = 1  # noqa: DJP301, DJP999  # expect: DJP003
    return x


def half_used():
    for book in Book.objects.all():
        print(book.author.name)  # noqa: DJP101, DJP105  # expect: DJP003


DOC = """
    print(book.author.name)  # noqa: DJP101
"""
