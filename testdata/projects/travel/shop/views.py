"""Views whose rows come from their own helper methods (template methods)."""

from django.http import HttpResponse
from django.views import View

from shop.models import Book


# oracle: get /export/
class BookExportView(View):
    def rows(self):
        return Book.objects.all()

    def get(self, request):
        names = [book.author.name for book in self.rows()]  # expect: DJP101
        return HttpResponse(", ".join(names))


class BaseExportView(View):
    """A subclass decides which rows: `self.rows()` here may run its override."""

    def rows(self):
        return Book.objects.all()

    def get(self, request):
        names = [book.author.name for book in self.rows()]
        return HttpResponse(", ".join(names))


# oracle: get /joined-export/
class JoinedExportView(BaseExportView):
    def rows(self):
        return Book.objects.select_related("author")
