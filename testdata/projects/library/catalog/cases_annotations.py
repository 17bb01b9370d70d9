"""Valid Python that tree-sitter-python rejects: a boolean operator after a generic type in an
annotation (`List[Book] or None`). The file is analysed as Python runs it (no DJP002)."""

from typing import Dict, List, Optional

from catalog.models import Book


class Shelf:
    def __init__(self):
        self.books: List[Book] or None = None
        self.by_title: Dict[str, Book] and dict = {}
        self.count: int = 0

    def fill(self, limit: Optional[int] or None = None) -> List[Book] or None:
        self.books = list(Book.objects.order_by("id")[:limit])
        return self.books


def case_annotated_shelf_reads_authors():
    shelf = Shelf()
    for book in shelf.fill(None) or []:
        print(book.title)
    for book in Book.objects.all():
        names: List[str] or None = None
        print(book.author.name, names)  # expect: DJP101
