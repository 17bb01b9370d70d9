from django.urls import path

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
]
