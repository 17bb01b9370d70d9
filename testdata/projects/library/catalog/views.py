from django.shortcuts import render
from rest_framework import generics

from catalog.models import Book
from catalog.serializers import BookSerializer


# oracle: get /api/books/
class BookListView(generics.ListAPIView):
    queryset = Book.objects.select_related("author").prefetch_related("tags")
    serializer_class = BookSerializer


# oracle: get /books/
def book_list(request):
    books = Book.objects.select_related("author", "editor").order_by("title")
    return render(request, "catalog/book_list.html", {"books": books})
