from django.urls import path

from catalog import views

urlpatterns = [
    path("api/books/", views.BookList.as_view()),
    path("api/books-authors/", views.BookAuthorList.as_view()),
    path("api/books-authors-ok/", views.BookAuthorListOk.as_view()),
]
