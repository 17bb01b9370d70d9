"""DJP002: a boolean operator after a generic type in an annotation is valid Python, which
tree-sitter-python rejects: no syntax error, and the class holding it is checked."""
from typing import List, Optional

from shop.models import Book


class Report:
    def __init__(self, limit: Optional[int] or None = None):
        self.rows: List[Book] or None = None
        self.limit = limit

    def authors(self) -> List[str] or None:
        for book in Book.objects.all():
            print(book.author.name)  # expect: DJP101
        return None
