"""Views deriving from project base list views of another module (`shop.listing`)."""

from shop.listing import (
    ChosenTemplateListView,
    ComputedTemplateListView,
    JoinedBookListView,
    PlainListView,
    ResultsListView,
    ShopListView,
)
from shop.models import Book


# The base's template (shop/book_list.html) reads book.author and book.tags per row.
# oracle: get /based/books/
class BasedBookListView(ShopListView):
    def get_queryset(self):
        return Book.objects.order_by("title")  # expect: DJP130, DJP131


# The same base, the relations loaded: clean.
# oracle: get /based/books/fast/
class BasedFastBookListView(ShopListView):
    queryset = Book.objects.select_related("author").prefetch_related("tags")


# The base's own queryset loads the relations: clean.
# oracle: get /based/books/joined/
class BasedJoinedBookListView(JoinedBookListView):
    pass


# A BaseListView with TemplateResponseMixin: only the tags still query per row.
# oracle: get /based/books/plain/
class PlainBookListView(PlainListView):
    template_name = "shop/book_list.html"
    context_object_name = "book_list"

    def get_queryset(self):
        return Book.objects.select_related("author")  # expect: DJP131


# The base picks another template (ids only): clean.
# oracle: get /based/books/chosen/
class ChosenBookListView(ChosenTemplateListView):
    def get_queryset(self):
        return Book.objects.order_by("pk")


# Bases of another module override get_template_names(), each returning template_name, its
# super() or, for results-only requests, another template: the page still reads book.author
# and book.tags per row.
# oracle: get /based/books/results/
class ResultsBookListView(ResultsListView):
    def get_queryset(self):
        return Book.objects.order_by("title")  # expect: DJP130, DJP131


# The same bases, the relations loaded: clean.
# oracle: get /based/books/results/fast/
class ResultsFastBookListView(ResultsListView):
    def get_queryset(self):
        return Book.objects.select_related("author").prefetch_related("tags")


# A base computes the template's name: not followed (here it renders the ids only): clean.
# oracle: get /based/books/computed/
class ComputedBookListView(ComputedTemplateListView):
    def get_queryset(self):
        return Book.objects.order_by("pk")
