from django.urls import path

from shop import views

urlpatterns = [
    path("books/", views.book_list),
    path("books/fast/", views.book_list_fast),
    path("authors/", views.author_list),
    path("authors/<int:pk>/", views.author_detail),
]
