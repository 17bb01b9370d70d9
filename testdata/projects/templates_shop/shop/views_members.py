"""Rows that reach a template through the view's own members: a `@cached_property` or a
helper method builds them (from the view's object), `get_context_data` puts them in the
context. The fix goes where the member builds the queryset."""

from django.utils.functional import cached_property
from django.views.generic import DetailView

from shop.models import Book


class BookView(DetailView):
    """The view fetches its object itself, as `get_object()` or a cached `book`."""

    model = Book

    def get_object(self, queryset=None):
        return Book.objects.order_by("pk").first()

    @cached_property
    def book(self):
        if hasattr(self, "object") and self.object:
            return self.object
        return self.get_object()


# A cached_property materialises the object's reviews (through a named manager) and
# decorates each; the template reads each reviewer and asks about its reviews.
# oracle: get /members/reviews/
class BookReviewsView(BookView):
    template_name = "shop/book_reviews.html"

    @cached_property
    def reviews(self):
        reviews = list(self.book.reviews(manager="objects").order_by("pk"))  # expect: DJP130, DJP131
        for r in reviews:
            r.label = f"#{r.pk}"
        return reviews

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reviews"] = self.reviews
        return ctx


# The same rows with what the template reads loaded: clean.
# oracle: get /members/reviews/fast/
class FastBookReviewsView(BookView):
    template_name = "shop/book_reviews.html"

    @cached_property
    def reviews(self):
        reviews = list(
            self.book.reviews(manager="objects")
            .select_related("reviewer")
            .prefetch_related("reviewer__reviews")
            .order_by("pk")
        )
        for r in reviews:
            r.label = f"#{r.pk}"
        return reviews

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reviews"] = self.reviews
        return ctx


# The template reads no relation of the rows but the reviewer, which is joined: clean.
# oracle: get /members/reviews/ratings/
class BookRatingsView(BookView):
    template_name = "shop/book_review_ratings.html"

    @cached_property
    def reviews(self):
        return list(self.book.reviews.select_related("reviewer").order_by("pk"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reviews"] = self.reviews
        return ctx


# The context key the template loops over holds numbers, not the rows: clean.
# oracle: get /members/reviews/numbers/
class BookReviewNumbersView(BookView):
    template_name = "shop/book_reviews.html"

    @cached_property
    def reviews(self):
        return list(self.book.reviews.order_by("pk"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reviews"] = [r.rating for r in self.reviews]
        ctx["review_rows"] = self.reviews
        return ctx


# The object comes with its reviews and their reviewers prefetched: what the view's own
# get_object() loads is what the rows hold, clean.
# oracle: get /members/reviews/prefetched/
class PrefetchedBookRatingsView(BookView):
    template_name = "shop/book_review_ratings.html"

    def get_object(self, queryset=None):
        return Book.objects.prefetch_related("reviews__reviewer").order_by("pk").first()

    @cached_property
    def reviews(self):
        return list(self.book.reviews.all())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reviews"] = self.reviews
        return ctx


# Django's own get_object() fetches the object by pk; a helper method builds its rows.
# oracle: get /members/1/reviews/
class BookReviewsByPkView(DetailView):
    model = Book
    template_name = "shop/book_review_ratings.html"

    def get_reviews(self):
        return self.object.reviews.order_by("pk")  # expect: DJP130

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reviews"] = self.get_reviews()
        return ctx
