from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView, TemplateView

from shop.models import Author, Book, Review
from shop.sorting import sort_by_request


# Class-based, Django's default template name (shop/book_list.html, which extends
# base.html and includes shop/_tags.html).
# oracle: get /books/
class BookListView(ListView):
    model = Book  # expect: DJP130, DJP131


# The same template, with the relations loaded: clean.
# oracle: get /books/fast/
class FastBookListView(ListView):
    queryset = Book.objects.select_related("author").prefetch_related("tags")
    template_name = "shop/book_list.html"


# Only the foreign key is loaded: the tags still query per row.
# oracle: get /books/half/
class HalfBookListView(ListView):
    queryset = Book.objects.select_related("author")  # expect: DJP131
    template_name = "shop/book_list.html"


# A function view with a dict context variable; the template reads the publisher through
# {% with %}.
# oracle: get /authors/
def author_list(request):
    authors = Author.objects.all()  # expect: DJP130
    context = {"title": "Authors"}
    context["authors"] = authors
    return render(request, "shop/authors.html", context)


# oracle: get /authors/fast/
def author_list_fast(request):
    context = {"title": "Authors"}
    context["authors"] = Author.objects.select_related("publisher")
    return render(request, "shop/authors.html", context)


# Counting a reverse relation per row in the template.
# oracle: get /authors/counts/
def author_counts(request):
    authors = Author.objects.order_by("name")  # expect: DJP131
    return TemplateResponse(request, "shop/author_counts.html", {"authors": authors})


# oracle: get /authors/counts/fast/
def author_counts_fast(request):
    authors = Author.objects.prefetch_related("books").order_by("name")
    return TemplateResponse(request, "shop/author_counts.html", {"authors": authors})


# {% regroup %} reads the grouping relation on every row.
# oracle: get /books/by-author/
def books_by_author(request):
    books = Book.objects.order_by("author")  # expect: DJP130
    return render(request, "shop/by_author.html", {"books": books})


# oracle: get /books/by-author/fast/
def books_by_author_fast(request):
    books = Book.objects.select_related("author").order_by("author")
    return render(request, "shop/by_author.html", {"books": books})


# TemplateView with get_context_data; the row template is included with `only`.
# oracle: get /reviews/
class ReviewsView(TemplateView):
    template_name = "shop/reviews.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reviews"] = Review.objects.select_related("book")  # expect: DJP130
        return context


# oracle: get /reviews/fast/
class FastReviewsView(TemplateView):
    template_name = "shop/reviews.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reviews"] = Review.objects.select_related("book__author")
        return context


# `{{ review }}` runs Review.__str__ (reads the reviewer), `{{ review.book_title }}` a
# property (reads the book).
# oracle: get /reviews/names/
def review_names(request):
    reviews = Review.objects.order_by("rating")  # expect: DJP130
    return render(request, "shop/review_names.html", {"reviews": reviews})


# oracle: get /reviews/names/fast/
def review_names_fast(request):
    reviews = Review.objects.select_related("reviewer", "book").order_by("rating")
    return render(request, "shop/review_names.html", {"reviews": reviews})


# A page of a paginator over the queryset.
# oracle: get /books/paged/
def books_paged(request):
    books = Book.objects.order_by("title")  # expect: DJP130
    page = Paginator(books, 25).get_page(request.GET.get("page"))
    return render(request, "shop/books_paged.html", {"page": page})


# oracle: get /books/paged/fast/
def books_paged_fast(request):
    books = Book.objects.select_related("author").order_by("title")
    page = Paginator(books, 25).get_page(request.GET.get("page"))
    return render(request, "shop/books_paged.html", {"page": page})


# Only the keys are read (`author_id`): clean without select_related.
# oracle: get /books/ids/
def book_ids(request):
    return render(request, "shop/book_ids.html", {"books": Book.objects.all()})


# One object: its own relations are one query each; its reviews loop reads a relation per row.
# oracle: get /books/1/
class BookDetailView(DetailView):
    model = Book  # expect: DJP130


# The child template renders the parent's block through {{ block.super }}: its loop runs.
# oracle: get /books/index/
def book_index_more(request):
    books = Book.objects.all()  # expect: DJP130
    return render(request, "shop/book_index_more.html", {"books": books})


# oracle: get /books/index/fast/
def book_index_more_fast(request):
    books = Book.objects.select_related("author")
    return render(request, "shop/book_index_more.html", {"books": books})


# The child replaces the parent's block without {{ block.super }}: the loop never runs.
# oracle: get /books/index/short/
def book_index_short(request):
    books = Book.objects.all()
    return render(request, "shop/book_index_short.html", {"books": books})


# {% for n, book in rows %} over enumerate(): the second item is a row.
# oracle: get /books/numbered/
def books_numbered(request):
    books = Book.objects.order_by("title")  # expect: DJP130
    return render(request, "shop/books_numbered.html", {"rows": enumerate(books, 1)})


# oracle: get /books/numbered/fast/
def books_numbered_fast(request):
    books = Book.objects.select_related("author").order_by("title")
    return render(request, "shop/books_numbered.html", {"rows": enumerate(books, 1)})


# zip() of two querysets: the authors' publishers are read per pair (as a tuple target and
# through `pair.1`).
# oracle: get /books/pairs/
def book_author_pairs(request):
    books = Book.objects.order_by("pk")
    authors = Author.objects.order_by("pk")  # expect: DJP130
    return render(
        request,
        "shop/book_author_pairs.html",
        {"pairs": zip(books, authors), "pairs_again": zip(books, authors)},
    )


# oracle: get /books/pairs/fast/
def book_author_pairs_fast(request):
    books = Book.objects.order_by("pk")
    authors = Author.objects.select_related("publisher").order_by("pk")
    return render(
        request,
        "shop/book_author_pairs.html",
        {"pairs": zip(books, authors), "pairs_again": zip(books, authors)},
    )


# An inclusion tag per row: its template reads the author and loops over the tags the tag
# function returns.
# oracle: get /books/cards/
def book_cards(request):
    books = Book.objects.all()  # expect: DJP130, DJP131
    return render(request, "shop/book_cards.html", {"books": books})


# oracle: get /books/cards/fast/
def book_cards_fast(request):
    books = Book.objects.select_related("author").prefetch_related("tags")
    return render(request, "shop/book_cards.html", {"books": books})


# A custom filter and a simple tag per row run their functions on the row.
# oracle: get /books/stats/
def book_stats(request):
    books = Book.objects.all()  # expect: DJP130, DJP131
    return render(request, "shop/book_stats.html", {"books": books})


# oracle: get /books/stats/fast/
def book_stats_fast(request):
    books = Book.objects.select_related("author").prefetch_related("reviews")
    return render(request, "shop/book_stats.html", {"books": books})


# An inclusion tag registered by a call on a function of another module.
# oracle: get /books/lines/
def book_lines(request):
    books = Book.objects.all()  # expect: DJP130
    return render(request, "shop/book_lines.html", {"books": books})


# oracle: get /books/lines/fast/
def book_lines_fast(request):
    books = Book.objects.select_related("author__publisher")
    return render(request, "shop/book_lines.html", {"books": books})


# DJP106 near miss: the loop reads no relation, the template rendered with the same rows
# reads the publisher.
# oracle: get /authors/looped/
def author_list_looped(request):
    authors = Author.objects.select_related("publisher")  # load-read
    names = [author.name for author in authors]
    return render(request, "shop/authors.html", {"title": ", ".join(names), "authors": authors})


# The context's rows come from a helper method of the view.
# oracle: get /authors/by-method/
class AuthorsByMethodView(TemplateView):
    template_name = "shop/authors.html"

    def get_authors(self):
        return Author.objects.order_by("name")  # expect: DJP130

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["authors"] = self.get_authors()
        return context


# ... or from a cached_property of the view that materialises them.
# oracle: get /authors/by-property/
class AuthorsByPropertyView(TemplateView):
    template_name = "shop/authors.html"

    @cached_property
    def authors(self):
        return list(Author.objects.order_by("name"))  # expect: DJP130

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["authors"] = self.authors
        return context


# oracle: get /authors/by-property/fast/
class FastAuthorsByPropertyView(TemplateView):
    template_name = "shop/authors.html"

    @cached_property
    def authors(self):
        return list(Author.objects.select_related("publisher").order_by("name"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["authors"] = self.authors
        return context


# `self.model` is the view's `model`; the rows go through a helper that returns them sorted.
# oracle: get /books/sorted/
class SortedBookListView(ListView):
    model = Book
    context_object_name = "books"
    template_name = "shop/sorted_books.html"

    def get_queryset(self):
        rows = self.model._default_manager.all()
        return sort_by_request(rows, self.request, ["title", "author__name"], default="pk")  # expect: DJP130


# oracle: get /books/sorted/fast/
class SortedJoinedBookListView(ListView):
    model = Book
    context_object_name = "books"
    template_name = "shop/sorted_books.html"

    def get_queryset(self):
        rows = self.model._default_manager.select_related("author")
        return sort_by_request(rows, self.request, ["title", "author__name"], default="pk")
