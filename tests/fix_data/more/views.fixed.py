from rest_framework import generics

from .models import Book
from .serializers import BookAuthorSerializer, BookSerializer


class BookList(generics.ListAPIView):
    queryset = Book.objects.select_related("author__publisher").prefetch_related("tags")
    serializer_class = BookSerializer


class BookSearch(generics.ListAPIView):
    serializer_class = BookAuthorSerializer

    def get_queryset(self):
        return (
            Book.objects
            .filter(title__startswith="a")
            .order_by("title")
            .select_related("author")
        )


class BookJoined(generics.ListAPIView):
    serializer_class = BookSerializer

    def get_queryset(self):
        qs = Book.objects.select_related('editor').prefetch_related('tags')
        return qs.filter(title__isnull=False).select_related("author__publisher")


class BookJoinedOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author")
    serializer_class = BookAuthorSerializer


class BookReturns(generics.ListAPIView):
    serializer_class = BookAuthorSerializer

    def get_queryset(self):
        if self.request.user.is_staff:
            return Book.objects.select_related("author")
        return Book.objects.filter(title__startswith="a").select_related("author")
