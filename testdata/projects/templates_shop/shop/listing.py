"""Project base views: generic list views the views of `shop.views_based` derive from."""

from django.views.generic import ListView
from django.views.generic.base import TemplateResponseMixin
from django.views.generic.list import BaseListView

from shop.models import Book


class ShopListView(ListView):
    paginate_by = 50
    template_name = "shop/book_list.html"


class JoinedBookListView(ShopListView):
    queryset = Book.objects.select_related("author").prefetch_related("tags")


class PlainListView(TemplateResponseMixin, BaseListView):
    """A `BaseListView` rendered through a plain `TemplateResponseMixin`."""


class ChosenTemplateListView(ShopListView):
    def get_template_names(self):
        return ["shop/book_ids.html"]
