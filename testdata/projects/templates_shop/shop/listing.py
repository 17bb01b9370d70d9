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


class AdminTemplateMixin(TemplateResponseMixin):
    """Keeps `template_name`, also when it is a list: Django's choice otherwise."""

    def get_template_names(self):
        if isinstance(self.template_name, (list, tuple)):
            return self.template_name
        return super().get_template_names()


class ResultsListView(AdminTemplateMixin, BaseListView):
    """Renders only the results (another template) when asked, the page otherwise."""

    template_name = "shop/book_list.html"
    context_object_name = "book_list"
    results_template_name = "shop/book_ids.html"

    def get_template_names(self):
        if self.request.GET.get("results"):
            return [self.results_template_name]
        return super().get_template_names()


class ComputedTemplateListView(ShopListView):
    """Picks a template by a name computed from the view."""

    kind = "book_ids"

    def get_template_names(self):
        return [f"shop/{self.kind}.html"]
