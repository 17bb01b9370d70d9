from django.urls import path

from catalogue import views as catalogue_views
from shop import views

urlpatterns = [
    path("books/", views.BookListView.as_view()),
    path("books/fast/", views.FastBookListView.as_view()),
    path("books/half/", views.HalfBookListView.as_view()),
    path("books/by-author/", views.books_by_author),
    path("books/by-author/fast/", views.books_by_author_fast),
    path("books/ids/", views.book_ids),
    path("books/paged/", views.books_paged),
    path("books/paged/fast/", views.books_paged_fast),
    path("books/<int:pk>/", views.BookDetailView.as_view()),
    path("authors/", views.author_list),
    path("authors/fast/", views.author_list_fast),
    path("authors/counts/", views.author_counts),
    path("authors/counts/fast/", views.author_counts_fast),
    path("reviews/", views.ReviewsView.as_view()),
    path("reviews/fast/", views.FastReviewsView.as_view()),
    path("reviews/names/", views.review_names),
    path("reviews/names/fast/", views.review_names_fast),
    path("catalogue/", catalogue_views.ProductListView.as_view()),
    path("catalogue/fast/", catalogue_views.FastProductListView.as_view()),
    path("books/cards/", views.book_cards),
    path("books/cards/fast/", views.book_cards_fast),
    path("books/stats/", views.book_stats),
    path("books/stats/fast/", views.book_stats_fast),
    path("books/lines/", views.book_lines),
    path("books/lines/fast/", views.book_lines_fast),
    path("books/index/", views.book_index_more),
    path("books/index/fast/", views.book_index_more_fast),
    path("books/index/short/", views.book_index_short),
    path("books/numbered/", views.books_numbered),
    path("books/numbered/fast/", views.books_numbered_fast),
    path("books/pairs/", views.book_author_pairs),
    path("books/pairs/fast/", views.book_author_pairs_fast),
]
