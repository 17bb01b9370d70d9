"""Filter objects that views and helpers hold without djperf knowing their type: their
methods are found by name (see cases_duck.py)."""


class BookFilter:
    def __init__(self, title=""):
        self.title = title

    def filter_qs(self, qs):
        if self.title:
            qs = qs.filter(title__icontains=self.title)
        return qs


class AuthorFilter:
    def filter_qs(self, qs):
        return qs.order_by("name")


class JoiningFilter:
    def narrowed(self, qs):
        return qs.select_related("author")
